"""Work per request, counted: ``python -m bench.opcodes --before DIR [--after DIR] --name NAME``.

On a shared machine wrk's figures drift by a fifth within minutes (``compare.py`` pairs runs and still sees the
same code 15–40 % apart), too coarse to tell a 10 % change. What the application itself does per request can be
counted exactly instead: each checkout serves the same requests in one process (Flask's test client, the
production configuration, the benchmark database), and the Python bytecode instructions it executes are counted
(``sys.settrace`` with opcode events) — the same count run after run, to a tenth of a per cent. It leaves out
what runs in C (the database driver's wire protocol, hashing) and the database's own work, which ``compare.py``'s
CPU columns show. The scenarios are the API's (a bearer token; no sign-in): the GET ones of ``scenarios.py`` and
``check``, on waiting requests made for each side. The table goes to ``bench/results/<name>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

WARM_UP = 24  # requests served before counting: compiled statements, the driver's prepared statements
COUNTED = 60


def serve(spec: dict) -> dict:
    """In the checkout at the working directory: serve ``spec``'s requests, count what the counted ones execute."""
    from wsgi import app

    client = app.test_client()
    requests = spec["requests"]
    for method, path, headers, body in requests[:WARM_UP]:
        _send(client, method, path, headers, body)
    executed = 0

    def count(frame, event, arg):
        nonlocal executed
        if event == "opcode":
            executed += 1
        return count

    def trace(frame, event, arg):
        frame.f_trace_opcodes = True
        return count

    counted = requests[WARM_UP:WARM_UP + COUNTED]
    sys.settrace(trace)
    try:
        for method, path, headers, body in counted:
            _send(client, method, path, headers, body)
    finally:
        sys.settrace(None)
    return {"requests": len(counted), "opcodes": executed}


def _send(client, method: str, path: str, headers: dict, body: str | None) -> None:
    answer = client.open(path, method=method, headers=headers, data=body)
    if answer.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")


def requests_of(items: list[dict], count: int) -> list[tuple]:
    """wrk's items as (method, path, headers, body), ``count`` of them, in turn as ``wrk/cardops.lua`` sends them."""
    out = []
    for item in items:
        if item["type"] == "get":
            out.extend(("GET", path, item["headers"], None) for path in item["paths"])
        elif item["type"] == "check":
            step = item["steps"][0]
            out.extend(("POST", f"/api/v1/requests/{number}/checks", item["headers"],
                        json.dumps({"step": step, "result": "pass"})) for number in item["numbers"])
        else:
            raise ValueError(f"no counting for {item['type']} items")
    return [out[i % len(out)] for i in range(count)]


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--serve"]:  # the child, in the checkout to count
        sys.path[0] = os.getcwd()
        result = serve(json.loads(Path(sys.argv[2]).read_text()))
        Path(sys.argv[3]).write_text(json.dumps(result))
        return 0

    from .generate import bench_app
    from .run import ROOT, server_env
    from .scenarios import SCENARIOS, check, prepare

    parser = argparse.ArgumentParser(prog="python -m bench.opcodes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=ROOT)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench")
    parser.add_argument("--data-key", default="cardops-bench-data-key-not-a-secret")
    parser.add_argument("--scenarios", default="api_list,api_detail,api_search,check,review_queue_api,public_status")
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)

    import sqlalchemy as sa

    engine = sa.create_engine(args.db)
    ctx = prepare(bench_app(args.db, args.data_key), engine, args.data_key)
    env = server_env(args.db, args.data_key)
    work = Path(tempfile.mkdtemp(prefix="cardops-opcodes-"))
    rows = []
    for name in args.scenarios.split(","):
        counts = {}
        for side, root in (("before", args.before), ("after", args.after)):
            items = check(ctx, WARM_UP + COUNTED) if name == "check" else SCENARIOS[name].build(ctx)
            spec, out = work / f"{name}-{side}.json", work / f"{name}-{side}-result.json"
            spec.write_text(json.dumps({"requests": requests_of(items, WARM_UP + COUNTED)}))
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--serve", str(spec), str(out)],
                           cwd=root, env=env, check=True)
            counts[side] = json.loads(out.read_text())
        before, after = (counts[s]["opcodes"] / counts[s]["requests"] for s in ("before", "after"))
        rows.append(f"| {name} | {before:,.0f} → {after:,.0f} | {100 * (after / before - 1):+.1f} % |")
        print(rows[-1], flush=True)
    lines = [f"# Python bytecode instructions per request ({args.name})", "",
             f"Before: `{args.before}`; after: `{args.after}`. `python -m bench.opcodes` (see its docstring): "
             f"{COUNTED} requests counted per scenario and side, after {WARM_UP} served to warm up.", "",
             "| scenario | opcodes per request before → after | change |", "|---|---:|---:|", *rows, ""]
    (ROOT / "bench" / "results" / f"{args.name}.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
