"""Before and after, scenario by scenario: ``python -m bench.compare --before DIR [--after DIR] --name NAME``.

The machine's speed drifts within minutes (the bare-Flask baseline has moved by a third inside one run), so two
full runs one after the other compare the first scenarios of one with the last of the other. Here each scenario is
run on both checkouts in turn — ``bench.run --scenarios <one> --app-root <root>`` on the same reused database — the
order alternating from one scenario to the next (before/after, after/before …), and one table compares them:
req/s, p95, CPU ms per request (app + database) and statements per request. Runs' files go to a work directory;
the table to ``bench/results/<name>.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .run import ROOT
from .scenarios import SCENARIOS

SIDES = ("before", "after")


def run_one(side: str, root: Path, scenario: str, args, work: Path) -> dict:
    command = [sys.executable, "-m", "bench.run", "--db", args.db, "--requests", str(args.requests), "--reuse",
               "--small-requests", "0", "--no-offline", "--duration", str(args.duration), "--scenarios", scenario,
               "--app-root", str(root), "--out", str(work), "--name", f"{side}-{scenario}"]
    subprocess.run(command, check=True, cwd=ROOT)
    results = json.loads((work / f"{side}-{scenario}.json").read_text())
    run = results["sizes"][str(args.requests)]["scenarios"][scenario]
    baseline = (results["baseline"]["rps"] + results["baseline_end"]["rps"]) / 2
    per_request = {part: seconds / run["requests"] * 1000 for part, seconds in run["cpu_s"].items()}
    return {"rps": run["rps"], "p95": run["latency_us"]["p95"] / 1000, "cpu": per_request, "baseline": baseline,
            "sql": run["sql_statements"] / max(run["sql_answers"], 1), "errors": run["errors"]}


def table(rows: dict[str, dict]) -> list[str]:
    def change(after: float, before: float) -> str:
        return f"{100 * (after / before - 1):+.0f} %"

    lines = ["| scenario | first | req/s before → after | change | p95 ms before → after "
             "| CPU ms/req app + db before → after | CPU change | statements/req | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, row in rows.items():
        b, a = row["before"], row["after"]
        cpu_b, cpu_a = b["cpu"]["app"] + b["cpu"]["db"], a["cpu"]["app"] + a["cpu"]["db"]
        lines.append(
            f"| {name} | {row['first']} | {b['rps']:.0f} → {a['rps']:.0f} | {change(a['rps'], b['rps'])} "
            f"| {b['p95']:.0f} → {a['p95']:.0f} | {b['cpu']['app']:.1f} + {b['cpu']['db']:.1f} → "
            f"{a['cpu']['app']:.1f} + {a['cpu']['db']:.1f} | {change(cpu_a, cpu_b)} | {b['sql']:.1f} → {a['sql']:.1f} "
            f"| {b['errors']} / {a['errors']} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the code before the change")
    parser.add_argument("--after", type=Path, default=ROOT, help="checkout after the change (default: this one)")
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench")
    parser.add_argument("--requests", type=int, default=1_000_000, help="the reused database's size")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--scenarios", default=",".join(n for n in SCENARIOS if not n.startswith("dashboard")))
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cardops-compare-"))
    rows = {}
    for i, scenario in enumerate(args.scenarios.split(",")):
        order = SIDES if i % 2 == 0 else SIDES[::-1]
        row = {"first": order[0]}
        for side in order:
            row[side] = run_one(side, args.before if side == "before" else args.after, scenario, args, work)
        rows[scenario] = row
    baselines = [row[side]["baseline"] for row in rows.values() for side in SIDES]
    out = ROOT / "bench" / "results" / f"{args.name}.md"
    out.write_text("\n".join([
        f"# cardops benchmark — before/after, scenario by scenario ({args.name})", "",
        f"Before: `{args.before}`; after: `{args.after}`. Database: {args.requests:,} requests, reused. "
        f"{args.duration} s per scenario and side, the order alternating. The bare-Flask baseline ranged "
        f"{min(baselines):,.0f}–{max(baselines):,.0f} req/s over the runs (the machine's speed drifts: compare CPU "
        "ms per request first).", "", *table(rows), ""]))
    print(f"results: {out} (runs in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
