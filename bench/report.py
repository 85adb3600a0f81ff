"""Results as JSON (everything) and Markdown (the tables worth reading), with the machine they came from.

    python -m bench.report bench/results/<run>.json   # write the run's Markdown again from its JSON
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "kernel": platform.release(), "python": platform.python_version(), "wrk": wrk.strip()}


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def _row(name: str, run: dict, baseline: float, connections: int) -> str:
    lat, cpu, n = run["latency_us"], run["cpu_s"], run["requests"] or 1
    if run.get("connections", connections) != connections:
        name = f"{name} ({run['connections']} connections)"
    sql = f"{run['sql_statements'] / run['sql_answers']:.1f}" if run.get("sql_answers") else "—"
    pages = run.get("statements_at")
    return (f"| {name} | {run['rps']:,.0f} | {_ms(lat['p50'])} | {_ms(lat['p95'])} | {_ms(lat['p99'])} | "
            f"{run['errors']} | {run['rps'] / baseline:.1%} | {cpu['app'] * 1000 / n:.1f} + "
            f"{cpu['db'] * 1000 / n:.1f} | {sql} | {' / '.join(str(v) for v in pages.values()) if pages else '—'} |")


def markdown(results: dict) -> str:
    meta, settings = results["machine"], results["settings"]
    start, end = results["baseline"]["rps"], results["baseline_end"]["rps"]
    baseline = (start + end) / 2  # the machine's speed drifts during a run: the mean of before and after
    threads = f" × {settings['threads']} threads (gthread)" if settings["threads"] > 1 else " sync"
    lines = [
        f"# cardops benchmark — {results['date']}", "",
        f"Machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory_gb']} GB RAM, Linux {meta['kernel']}, "
        f"Python {meta['python']}, {results['database'].split(' on ')[0]}, {meta['wrk']}.",
        f"Server: gunicorn, {settings['workers']}{threads} workers, production configuration "
        "(`CARDOPS_ENV=production`, `SESSION_COOKIE_SECURE=0` for plain http, "
        f"`PUBLIC_STATUS_RATE_LIMIT={settings['public_status_limit']}` so the look-up scenario measures the look-up, "
        f"not the limiter, `CARDOPS_COUNT_SQL=1` for the statement counts), served from `{settings['app_root']}`.",
        f"Load: wrk, {settings['connections']} connections, {settings['wrk_threads']} threads, "
        f"{settings['duration']} s per scenario, on the same machine (wrk, gunicorn and PostgreSQL share the "
        f"{meta['cores']} cores). Load average at start: {results['load_average_start']:.2f}.", "",
        f"Baseline (bench/baseline_app.py, bare Flask, no database, same gunicorn settings): **{baseline:,.0f} req/s** "
        f"(mean of {start:,.0f} before the scenarios and {end:,.0f} after them), errors "
        f"{results['baseline']['errors'] + results['baseline_end']['errors']}.", "",
    ]
    sizes = sorted(results["sizes"], key=int)
    for size in sizes:
        gen, scenarios = results["sizes"][size]["generation"], results["sizes"][size]["scenarios"]
        lines += [f"## {int(size):,} requests in the database", "",
                  f"Generated: {gen['requests']:,} requests, {gen['audit_entries']:,} audit entries, {gen['checks']:,} "
                  f"checks, {gen['events']:,} events, {gen['people']:,} people, {gen['outlets']} outlets, "
                  f"{gen['years']:.2g} years of history; **{gen['total_s']:.0f} s**"
                  + (f" (then {gen['vacuum_s']:.0f} s of VACUUM ANALYZE)" if gen.get("vacuum_s") else "")
                  + (f", database {gen['database_bytes'] / 1e9:.1f} GB" if gen.get("database_bytes") else "")
                  + (" (generated before this run, reused)" if gen.get("reused") else "") + ". Phases (s): "
                  + ", ".join(f"{k} {v:.0f}" for k, v in gen["timings_s"].items()) + ".", "",
                  "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | × baseline | CPU ms/req app + db "
                  "| SQL/req | SQL at 10 / 50 rows |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [_row(name, run, baseline, settings["connections"]) for name, run in scenarios.items()]
        lines.append("")
    if len(sizes) > 1:
        small, large = (results["sizes"][s]["scenarios"] for s in (sizes[0], sizes[-1]))
        lines += [f"## Growth: p95 at {int(sizes[-1]):,} vs {int(sizes[0]):,} requests", "",
                  f"| scenario | p95 ms at {int(sizes[0]):,} | p95 ms at {int(sizes[-1]):,} | ratio |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {name} | {_ms(small[name]['latency_us']['p95'])} | {_ms(run['latency_us']['p95'])} | "
                  f"{run['latency_us']['p95'] / max(small[name]['latency_us']['p95'], 1):.2f} |"
                  for name, run in large.items() if name in small]
        lines.append("")
    if results.get("reminders"):
        lines += ["## Compliance reminders at the large size", "",
                  "Each rule run in the application as at 09:00 of the Monday after the data ends: first on the "
                  "history as generated (nothing was ever notified: the backlog), then again (nothing new).", "",
                  "| rule | pass | status | notified | seconds |", "|---|---|---|---:|---:|"]
        lines += [f"| {r['rule']} | {r['pass']} | {r['status']} | {r['notified']:,} | {r['seconds']:.2f} |"
                  for r in results["reminders"]]
        lines.append("")
    if results.get("plans"):
        lines += ["## Query plans of the dashboard at the large size", "",
                  "Every statement the figures service runs, as PostgreSQL executed it "
                  "(`EXPLAIN (ANALYZE, BUFFERS)`).", ""]
        for scenario, plans in results["plans"].items():
            lines += [f"### {scenario}", ""]
            for plan in plans:
                lines += ["```", plan, "```", ""]
    return "\n".join(lines)


def write(results: dict, directory: Path, stem: str | None = None) -> tuple[Path, Path]:
    results.setdefault("machine", machine())
    directory.mkdir(parents=True, exist_ok=True)
    stem = stem or f"{datetime.now(UTC):%Y-%m-%d}-{max(int(s) for s in results['sizes']) // 1000}k"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.with_suffix(".md").write_text(markdown(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
        print(path.with_suffix(".md"))
