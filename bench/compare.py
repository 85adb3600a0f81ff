"""Before and after, scenario by scenario: ``python -m bench.compare --before DIR [--after DIR] --name NAME``.

The machine's speed drifts within minutes (the bare-Flask baseline has moved by a third inside one run), so two
full runs one after the other compare the first scenarios of one with the last of the other. Here each scenario is
run on both checkouts in turn — ``bench.run --scenarios <one> --app-root <root>`` on the same reused database — and
one table compares them: req/s, p95, CPU ms per request (app + database) and statements per request. The second
run of a pair finds the database's pages warm and comes out 15–40 % faster whichever side it is, so each scenario
runs in ``--rounds`` pairs, the order turning round each time (before/after, then after/before), and the table shows
each side's mean. Runs' files go to a work directory; the table to ``bench/results/<name>.md``.
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


def run_one(side: str, root: Path, scenario: str, args, work: Path, name: str) -> dict:
    command = [sys.executable, "-m", "bench.run", "--db", args.db, "--requests", str(args.requests), "--reuse",
               "--small-requests", "0", "--no-offline", "--duration", str(args.duration), "--scenarios", scenario,
               "--app-root", str(root), "--out", str(work), "--name", name]
    subprocess.run(command, check=True, cwd=ROOT)
    results = json.loads((work / f"{name}.json").read_text())
    run = results["sizes"][str(args.requests)]["scenarios"][scenario]
    baseline = (results["baseline"]["rps"] + results["baseline_end"]["rps"]) / 2
    per_request = {part: seconds / run["requests"] * 1000 for part, seconds in run["cpu_s"].items()}
    return {"rps": run["rps"], "p95": run["latency_us"]["p95"] / 1000, "cpu": per_request, "baseline": baseline,
            "sql": run["sql_statements"] / max(run["sql_answers"], 1), "errors": run["errors"]}


def mean(runs: list[dict]) -> dict:
    """One side's runs of a scenario as one: the mean of each figure, the errors added up."""
    def avg(values):
        return sum(values) / len(values)

    return {"rps": avg([r["rps"] for r in runs]), "p95": avg([r["p95"] for r in runs]),
            "cpu": {part: avg([r["cpu"][part] for r in runs]) for part in ("app", "db")},
            "baseline": avg([r["baseline"] for r in runs]), "sql": avg([r["sql"] for r in runs]),
            "errors": sum(r["errors"] for r in runs)}


def table(rows: dict[str, dict]) -> list[str]:
    def change(after: float, before: float) -> str:
        return f"{100 * (after / before - 1):+.0f} %"

    lines = ["| scenario | order | req/s before → after | change | p95 ms before → after "
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
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs per scenario, the order turning round")
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cardops-compare-"))
    rows, baselines = {}, []
    for i, scenario in enumerate(args.scenarios.split(",")):
        runs, orders = {side: [] for side in SIDES}, []
        for r in range(args.rounds):
            order = SIDES if (i + r) % 2 == 0 else SIDES[::-1]
            orders.append("/".join(side[0] for side in order))
            for side in order:
                root = args.before if side == "before" else args.after
                runs[side].append(run_one(side, root, scenario, args, work, f"{side}-{scenario}-{r + 1}"))
        baselines += [run["baseline"] for side in SIDES for run in runs[side]]
        rows[scenario] = {"first": ", ".join(orders), **{side: mean(runs[side]) for side in SIDES}}
    out = ROOT / "bench" / "results" / f"{args.name}.md"
    out.write_text("\n".join([
        f"# cardops benchmark — before/after, scenario by scenario ({args.name})", "",
        f"Before: `{args.before}`; after: `{args.after}`. Database: {args.requests:,} requests, reused. "
        f"{args.duration} s per run; {args.rounds} pair(s) of runs per scenario, the order turning round (b/a: "
        "before first), each side's mean shown. The bare-Flask baseline ranged "
        f"{min(baselines):,.0f}–{max(baselines):,.0f} req/s over the runs (the machine's speed drifts: compare CPU "
        "ms per request first).", "", *table(rows), ""]))
    print(f"results: {out} (runs in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
