"""Results as JSON (everything) and Markdown (the tables worth reading), with the machine they came from."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .scenarios import READ_P95_MS, SCENARIOS, WRITE_P95_MS

QUEUE_SHARE_TARGET = 0.10
GROWTH_TARGET = 1.5


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(), "wrk": wrk.strip()}


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def disturbed(run: dict, results: dict) -> bool:
    """Did processes outside the benchmark take more than a tenth of the machine while this ran?"""
    other = (run.get("cpu_s") or {}).get("other", 0)
    return other > 0.1 * results["settings"]["duration"] * results["machine"]["cores"]


def cpu_ms(run: dict) -> str:
    """CPU milliseconds per request spent in gunicorn and in this database's PostgreSQL backends."""
    cpu, requests = run.get("cpu_s"), run.get("requests")
    if not cpu or not requests:
        return ""
    return f"{cpu['gunicorn'] * 1000 / requests:.1f} + {cpu['postgres'] * 1000 / requests:.1f}"


def _ms(us) -> str:
    return f"{us / 1000:.1f}"


def baseline_rps(results: dict) -> float:
    """The bare-Flask rate, measured before and after the scenarios (their mean: the machine may drift; a
    measurement disturbed by other load on the machine is left out when the other one is not)."""
    runs = [results[k] for k in ("baseline", "baseline_end") if k in results]
    clean = [r for r in runs if not disturbed(r, results)] or runs
    return sum(r["rps"] for r in clean) / len(clean)


def scenario_baseline(results: dict, name: str) -> float:
    """The bare-Flask rate measured right before the scenario (older runs: the run's mean baseline)."""
    return results.get("baseline_by_scenario", {}).get(name) or baseline_rps(results)


def evaluate(results: dict) -> list[dict]:
    """Each target of the issue, met or missed, at the largest size."""
    sizes = sorted(results["sizes"], key=int)
    largest = results["sizes"][sizes[-1]]["scenarios"]
    verdicts = []
    for name, run in largest.items():
        if "skipped" in run:
            continue
        kind = SCENARIOS[name].kind
        verdicts.append({"target": f"{name}: zero errors", "value": run["errors"], "met": run["errors"] == 0})
        if kind in ("read", "write"):
            limit = READ_P95_MS if kind == "read" else WRITE_P95_MS
            p95 = run["latency_us"]["p95"] / 1000
            verdicts.append({"target": f"{name}: p95 ≤ {limit} ms", "value": round(p95, 1), "met": p95 <= limit})
        if name == "queue_html":
            share = run["rps"] / scenario_baseline(results, name)
            verdicts.append({"target": "queue_html: ≥ 10% of bare-Flask throughput", "value": f"{share:.1%}",
                             "met": share >= QUEUE_SHARE_TARGET})
    if len(sizes) > 1:
        smallest = results["sizes"][sizes[0]]["scenarios"]
        for name, run in largest.items():
            small = smallest.get(name, {})
            if "skipped" in run or "skipped" in small or not small:
                continue
            ratio = run["latency_us"]["p95"] / max(small["latency_us"]["p95"], 1)
            noisy = disturbed(run, results) or disturbed(small, results)
            verdicts.append({"target": f"{name}: p95 at {int(sizes[-1]):,} ≤ 1.5 × p95 at {int(sizes[0]):,}",
                             "value": f"{ratio:.2f}" + (" (disturbed by other load)" if noisy else ""),
                             "met": ratio <= GROWTH_TARGET})
    for row in results.get("sql_counts", []):
        if row["equal"] is not None:
            verdicts.append({"target": f"statements independent of page size: {row['endpoint']}",
                             "value": " / ".join(str(v) for v in row["counts"].values()), "met": row["equal"]})
    return verdicts


def ratio_note(results: dict) -> str:
    adjacent = results.get("baseline_by_scenario")
    if not adjacent:
        return "Ratios use the mean of the undisturbed baseline measurements."
    rates = ", ".join(f"{name} {rps:,.0f}" for name, rps in adjacent.items())
    return ("The machine's speed drifts during a run: each scenario's ratio uses a short baseline run right before "
            f"it ({rates} req/s).")


def markdown(results: dict) -> str:
    meta, settings = results["machine"], results["settings"]
    sizes = sorted(results["sizes"], key=int)
    baseline, base_rps = results["baseline"], baseline_rps(results)
    end = results.get("baseline_end")
    lines = [
        f"# cardops benchmark — {results['date']}",
        "",
        f"Machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory_gb']} GB RAM, Linux {meta['kernel']}, "
        f"Python {meta['python']}, {results['postgres']}, {meta['wrk']}.",
        f"Server: gunicorn, {settings['gunicorn']}, production configuration (`CARDOPS_ENV=production`, "
        f"`SESSION_COOKIE_SECURE=0` for plain http, `PUBLIC_STATUS_RATE_LIMIT={settings['public_status_limit']}` "
        "so the look-up scenario measures the look-up, not the limiter).",
        f"Load: wrk, {settings['connections']} connections, {settings['wrk_threads']} threads, "
        f"{settings['duration']} s per scenario, on the same machine (wrk, gunicorn and PostgreSQL share "
        f"the {meta['cores']} cores). Load average at start: {results['load_average_start']}.",
        "",
        f"Baseline (bench/baseline_app.py, bare Flask, no database, same gunicorn settings): "
        f"**{base_rps:,.0f} req/s** ({baseline['rps']:,.0f} before the scenarios"
        + (" †" if disturbed(baseline, results) else "")
        + (f", {end['rps']:,.0f} after them" + (" †" if disturbed(end, results) else "") if end else "")
        + f"), errors {baseline['errors'] + (end or {}).get('errors', 0)}. {ratio_note(results)} Sizes are "
        "measured side by side, scenario by scenario (each database has its own server).",
        "",
    ]
    for size in sizes:
        data = results["sizes"][size]
        gen = data.get("generation") or {}
        lines += [f"## {int(size):,} requests in the database", ""]
        if gen:
            lines.append(f"Generated: {gen.get('requests', 0):,} requests, {gen.get('audit_entries', 0):,} audit "
                         f"entries, {gen.get('checks', 0):,} checks, {gen.get('events', 0):,} events, "
                         f"{gen.get('people', 0):,} people, {gen.get('outlets')} outlets, "
                         f"{gen.get('years', 8):.2g} years of history; "
                         + (f"**{gen['total_s']:.0f} s**" if "total_s" in gen else "reused")
                         + (f" (then {gen['vacuum_s']:.0f} s of VACUUM ANALYZE to settle it, as autovacuum would)"
                            if gen.get("vacuum_s") else "")
                         + (f", database {gen['database_bytes'] / 1e9:.1f} GB" if gen.get("database_bytes") else "")
                         + (" (generated before this run, reused)" if gen.get("reused") else "") + ".")
            if gen.get("timings_s"):
                lines.append("Generation phases (s): " + ", ".join(f"{k} {v:.0f}" for k, v in gen["timings_s"].items())
                             + ".")
            lines.append("")
        lines += ["| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | × baseline | CPU ms/req app + db |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, run in data["scenarios"].items():
            if "skipped" in run:
                lines.append(f"| {name} | — | — | — | — | — | — | skipped: {run['skipped']} |")
                continue
            lat = run["latency_us"]
            mark = " †" if disturbed(run, results) else ""
            lines.append(f"| {name}{mark} | {run['rps']:,.0f} | {_ms(lat['p50'])} | {_ms(lat['p95'])} | "
                         f"{_ms(lat['p99'])} | {run['errors']} | {run['rps'] / scenario_baseline(results, name):.1%} | "
                         f"{cpu_ms(run)} |")
        lines.append("")
        if any(disturbed(run, results) for run in data["scenarios"].values()):
            lines += ["† other processes on the machine used more than 10% of its CPU during this scenario "
                      "(see `cpu_s.other` in the JSON): these figures are disturbed.", ""]
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += [f"## Growth: p95 at {int(large):,} vs {int(small):,} requests", "",
                  f"| scenario | p95 ms at {int(small):,} | p95 ms at {int(large):,} | ratio |", "|---|---:|---:|---:|"]
        for name, run in results["sizes"][large]["scenarios"].items():
            before = results["sizes"][small]["scenarios"].get(name, {})
            if "skipped" in run or "skipped" in before or not before:
                continue
            ratio = run["latency_us"]["p95"] / max(before["latency_us"]["p95"], 1)
            lines.append(f"| {name} | {_ms(before['latency_us']['p95'])} | {_ms(run['latency_us']['p95'])} | "
                         f"{ratio:.2f} |")
        lines.append("")
    waits = [(size, name, run["lock_waits"]) for size in sizes
             for name, run in results["sizes"][size]["scenarios"].items() if run.get("lock_waits")
             and SCENARIOS.get(name) and SCENARIOS[name].kind == "write"]
    if waits:
        lines += ["## Audited writes and the audit head lock", "",
                  "Share of 100 ms samples in which a backend of the database waited for a lock:", "",
                  "| scenario | size | share of samples | mean waiting |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {int(size):,} | {w['share_with_a_waiter']:.0%} | {w['mean_waiting']:.2f} |"
                  for size, name, w in waits]
        lines.append("")
    if results.get("sql_counts"):
        lines += ["## SQL statements per request (`CARDOPS_COUNT_SQL=1`, `X-SQL-Count`)", "",
                  "| page / endpoint | per_page=10 | per_page=50 |", "|---|---:|---:|"]
        for row in results["sql_counts"]:
            counts = row["counts"]
            if "-" in counts:
                lines.append(f"| {row['endpoint']} | {counts['-']} | (no paging) |")
            else:
                small, large = (counts.get(n, counts.get(str(n))) for n in (10, 50))  # JSON keys are strings
                lines.append(f"| {row['endpoint']} | {small} | {large} |")
        lines.append("")
    verdicts = results.get("targets", [])
    missed = [v for v in verdicts if not v["met"]]
    lines += ["## Targets", "", f"{len(verdicts) - len(missed)} of {len(verdicts)} met."
              + (" Missed:" if missed else ""), ""]
    lines += [f"- {v['target']}: {v['value']}" for v in missed]
    lines.append("")
    return "\n".join(lines)


def write(results: dict, directory: Path, stem: str | None = None) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    results["targets"] = evaluate(results)
    largest = max(int(s) for s in results["sizes"])
    stem = stem or f"{datetime.now(UTC):%Y-%m-%d}-{largest // 1000}k"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path


def main(argv=None) -> int:
    """``python -m bench.report bench/results/<run>.json``: write the run's Markdown again from its JSON."""
    import sys

    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        results = json.loads(path.read_text(encoding="utf-8"))
        results["targets"] = evaluate(results)
        path.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
        print(path.with_suffix(".md"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
