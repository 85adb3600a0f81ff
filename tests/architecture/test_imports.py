"""The shape of the package, checked by reading its source with ``ast`` (nothing is imported):

* no import cycle between modules, whether the imports sit at module level or inside functions;
* dependencies between feature packages point one way (no cycle between packages either);
* ``cardops.core`` imports no feature, and no feature imports the list of features (``cardops`` itself).

Imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "cardops"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE_ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(node: ast.AST):
    """Every node below ``node``, leaving out what only a type checker sees (``if TYPE_CHECKING:``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            yield from (n for part in child.orelse for n in (part, *_nodes(part)))
            continue
        yield child
        yield from _nodes(child)


def _imports(tree: ast.AST, module: str, is_package: bool):
    """Every module named by an import statement in ``tree`` (relative imports resolved)."""
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _imports(tree, module, path.name == "__init__.py"):
            if target in MODULES and target != module:
                graph[module].add(target)
        graph.setdefault(module, set())
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def test_no_import_cycle_between_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, " → ".join(cycle)


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        if module == "cardops":
            continue  # create_app: the one place that imports every feature
        for target in targets:
            if package_of(target) != package_of(module):
                packages[package_of(module)].add(package_of(target))
    cycle = find_cycle(packages)
    assert cycle is None, " → ".join(cycle)


def test_core_imports_no_feature_and_nobody_imports_the_feature_list():
    graph = import_graph()
    shared = {"cardops.core", "cardops.extensions"}
    for module, targets in graph.items():
        if package_of(module) in shared:
            features = sorted(t for t in targets if package_of(t) not in shared)
            assert not features, f"{module} imports {features}"
        assert "cardops" not in targets, f"{module} imports cardops (the list of features)"


def test_the_checker_sees_cycles_it_should():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    tree = ast.parse("def f():\n    from cardops.core import pii\nif TYPE_CHECKING:\n    import cardops.reissue\n")
    assert list(_imports(tree, "cardops.x", False)) == ["cardops.core.pii"]
