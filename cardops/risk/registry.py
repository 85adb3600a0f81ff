"""The rule registry. A rule has a code, a level, and an ``evaluate(request, ctx)`` that returns a reason
(a plain Chinese sentence) when it fires, or None. Thresholds come from configuration via ``ctx``.

Adding a rule is one function in ``rules.py`` decorated with ``@rule(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cardops.reissue.workflow import RiskLevel


@dataclass(frozen=True)
class RiskContext:
    now: datetime
    config: dict


@dataclass(frozen=True)
class Finding:
    code: str
    level: RiskLevel
    reason: str


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    evaluate: Callable  # (request, ctx) -> Finding | None


RULES: dict[str, Rule] = {}


def rule(code: str, label: str):
    """Register ``func(request, ctx) -> (level, reason) | None`` under ``code``."""

    def decorator(func):
        def evaluate(request, ctx: RiskContext) -> Finding | None:
            outcome = func(request, ctx)
            if outcome is None:
                return None
            level, reason = outcome
            return Finding(code, RiskLevel(level), reason)

        RULES[code] = Rule(code, label, evaluate)
        return func

    return decorator


def evaluate_all(request, ctx: RiskContext) -> list[Finding]:
    from cardops.risk import rules  # noqa: F401 - importing registers the rules

    findings = []
    for registered in RULES.values():
        finding = registered.evaluate(request, ctx)
        if finding is not None:
            findings.append(finding)
    return findings


def highest_level(findings) -> RiskLevel:
    level = RiskLevel.LOW
    for finding in findings:
        if RiskLevel(finding.level).rank > level.rank:
            level = RiskLevel(finding.level)
    return level
