"""The benchmark: generate (or reuse) the databases, serve cardops and a bare-Flask baseline with gunicorn in
production configuration, drive every scenario with wrk, count SQL statements, write bench/results/.

    python -m bench.run --db postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench --requests 1000000
    make bench BENCH_REQUESTS=1000000 BENCH_DB=postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench

The growth comparison runs every scenario on a second, small database (``--small-requests``, default 10,000,
named ``<db>_small``). Everything listens on and targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import secrets
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from .generate import generate, generation_people, read_stamp
from .report import load_average, machine, write
from .scenarios import (
    CLERK,
    COUNTER_CLERK,
    INTAKE_CLERKS,
    SCENARIOS,
    SUPERVISOR,
    Context,
    issue_tokens,
    load_samples,
    sign_in,
)
from .server import (
    ROOT,
    Gunicorn,
    GunicornSettings,
    boost,
    machine_busy_seconds,
    process_cpu_seconds,
    run_wrk,
    wait_for_quiet,
    write_spec,
)

ADJACENT_BASELINE_S = 5  # the short bare-Flask run before each scenario
DEFAULT_DATA_KEY = "cardops-bench-data-key-not-a-secret"  # generated data only; override with CARDOPS_DATA_KEY
PUBLIC_STATUS_LIMIT = "1000000 per minute"
RESULTS = Path(__file__).resolve().parent / "results"


def small_url(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.set(database=parsed.database.replace(".sqlite3", "") + "_small.sqlite3"))
    return parsed.set(database=f"{parsed.database}_small").render_as_string(hide_password=False)


def server_env(url: str, data_key: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARDOPS_", "DATABASE_URL", "FLASK_"))}
    env.update({
        "CARDOPS_ENV": "production", "SECRET_KEY": secret_key, "CARDOPS_DATA_KEY": data_key,
        "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "PUBLIC_STATUS_RATE_LIMIT": PUBLIC_STATUS_LIMIT,
        # What production requires: its public address, and a rate-limit store the workers share (Redis).
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
        "RATELIMIT_KEY_PREFIX": "cardops-bench",
    })
    return env


def database_backends(engine: sa.Engine) -> list[int]:
    """The PostgreSQL backends serving this database (the server's pools), for CPU accounting."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return list(conn.scalars(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LockSampler:
    """Samples, ten times a second, how many of this database's backends wait for a lock (the audit head row
    serialises every audited write: this shows how often a write actually queued behind another)."""

    def __init__(self, engine: sa.Engine):
        self.engine, self.samples, self.waiting = engine, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.wait(0.1):
                self.waiting.append(conn.scalar(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")))
                conn.rollback()

    def __enter__(self):
        if self.engine.dialect.name == "postgresql":
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def summary(self) -> dict | None:
        if not self.waiting:
            return None
        return {"samples": len(self.waiting),
                "share_with_a_waiter": round(sum(1 for n in self.waiting if n) / len(self.waiting), 3),
                "mean_waiting": round(sum(self.waiting) / len(self.waiting), 3)}


def measure(server: Gunicorn, spec: Path, args, log, engine: sa.Engine | None = None) -> dict:
    quiet = wait_for_quiet(timeout=args.quiet_wait) if args.quiet_wait else None
    workers = server.worker_pids()
    backends = database_backends(engine) if engine is not None else []
    if args.boost:
        boost(backends)
    before = (process_cpu_seconds(workers), process_cpu_seconds(backends), children_cpu(), machine_busy_seconds())
    load = load_average()
    with LockSampler(engine) if engine is not None else contextlib.nullcontext() as locks:
        result = run_wrk(server.base_url, spec, duration=args.duration, connections=args.connections,
                         threads=args.wrk_threads)
    after = (process_cpu_seconds(workers), process_cpu_seconds(backends), children_cpu(), machine_busy_seconds())
    used = [b - a for a, b in zip(before, after, strict=True)]
    result["cpu_s"] = {"gunicorn": round(used[0], 1), "postgres": round(used[1], 1), "wrk": round(used[2], 1),
                       "other": round(max(0.0, used[3] - used[0] - used[1] - used[2]), 1)}
    result["load_average"] = load
    if locks is not None and locks.summary():
        result["lock_waits"] = locks.summary()
    if quiet is not None:
        result["quiet"] = quiet
    lat = result["latency_us"]
    log(f"    {result['rps']:8,.0f} req/s  p50 {lat['p50'] / 1000:6.1f}  p95 {lat['p95'] / 1000:6.1f}  "
        f"p99 {lat['p99'] / 1000:6.1f} ms  errors {result['errors']}  cpu s: {result['cpu_s']}"
        + (f"  lock waits: {result['lock_waits']['share_with_a_waiter']:.0%} of samples" if "lock_waits" in result
           else "")
        + (f"  e.g. {result['samples'][:200]}" if result["errors"] else ""))
    return result


@dataclass
class Target:
    """One database size, served by its own gunicorn: sizes run side by side, each scenario on one size right
    after the other, so that the growth ratio compares measurements taken a minute apart, not half an hour."""

    requests: int
    url: str
    generation: dict
    app: object
    engine: sa.Engine
    env: dict
    overrides: dict
    scenarios: dict = field(default_factory=dict)
    ctx: Context | None = None
    server: Gunicorn | None = None


def prepare(url: str, requests: int, years: float, people: int, args, data_key: str, log, *,
            reusable: bool) -> Target:
    stamp = read_stamp(url)
    wanted = {"requests": requests, "outlets": args.outlets, "years": years, "people": people}
    if reusable and args.reuse and stamp and all(stamp.get(k) == v for k, v in wanted.items()):
        log(f"reusing {sa.engine.make_url(url).database} (generated {stamp.get('now')})")
        generation = {**stamp, "reused": True}
    else:
        generation = generate(url, requests=requests, data_key=data_key, outlets=args.outlets, years=years,
                              people=people, seed=args.seed, log=log)
    from cardops import create_app

    env = server_env(url, data_key, secrets.token_urlsafe(32))
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "CARDOPS_DATA_KEY")})
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_STATUS_RATE_LIMIT": PUBLIC_STATUS_LIMIT,
                 "SESSION_COOKIE_SECURE": False}
    return Target(requests, url, generation, create_app("production", **overrides), sa.create_engine(url), env,
                  overrides)


def start(target: Target, server: Gunicorn, args, data_key: str, workdir: Path, log) -> None:
    """Tokens, samples and a warm-up for the target's freshly started server."""
    target.server = server
    ctx = Context(engine=target.engine, data_key=data_key, base_url=server.base_url,
                  endpoints=set(target.app.view_functions))
    ctx.tokens = issue_tokens(target.app, [CLERK, COUNTER_CLERK, SUPERVISOR, *INTAKE_CLERKS])
    load_samples(ctx)
    target.ctx = ctx
    log(f"  {target.requests:,}: warming up on {server.base_url} (5 s of API reads)")
    warm = write_spec(workdir / "warm.lua", SCENARIOS["api_detail"].build(ctx) + SCENARIOS["api_list"].build(ctx),
                      args.wrk_threads)
    run_wrk(server.base_url, warm, duration=5, connections=args.connections, threads=args.wrk_threads)


def run_scenario(target: Target, name: str, args, workdir: Path, log) -> None:
    scenario, ctx = SCENARIOS[name], target.ctx
    if scenario.needs and scenario.needs not in ctx.endpoints:
        target.scenarios[name] = {"skipped": f"the app has no {scenario.needs} page yet"}
        log(f"  {name} @ {target.requests:,}: skipped ({target.scenarios[name]['skipped']})")
        return
    if "reissue.queue" in ctx.endpoints:  # a fresh sign-in per scenario: sessions end after 15 idle minutes
        ctx.cookies = {u: sign_in(target.server.base_url, u) for u in (CLERK, SUPERVISOR)}
    log(f"  {name} @ {target.requests:,}: {scenario.title}")
    spec = write_spec(workdir / f"{name}-{target.requests}.lua", scenario.build(ctx), args.wrk_threads)
    target.scenarios[name] = measure(target.server, spec, args, log, target.engine)
    if name == "intake":  # submits cost about what intakes do: twice the rate, with room to spare
        ctx.submit_pool = max(1500, int(target.scenarios[name]["rps"] * 2 * args.duration))
    time.sleep(1)


def count_statements(target: Target, log) -> list[dict]:
    from cardops import create_app

    from .district import BENCH_PASSWORD
    from .sqlcounts import measure as measure_sql

    counting_app = create_app("production", CARDOPS_COUNT_SQL=True, PAGINATION_TOTAL_SECONDS=0,
                              **target.overrides)
    counts = measure_sql(counting_app, target.ctx, BENCH_PASSWORD)
    for row in counts:
        log(f"  SQL {row['endpoint']}: {row['counts']}")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--small-requests", type=int, default=10_000,
                        help="growth comparison size (same daily volume, shorter history); 0: none")
    parser.add_argument("--years", type=float, default=8.0, help="history of the large database")
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the large database if an earlier run generated it with the same size (the small "
                             "one is always generated anew)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=GunicornSettings.workers)
    parser.add_argument("--worker-class", default=GunicornSettings.worker_class, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=GunicornSettings.threads, help="gthread threads per worker")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--quiet-wait", type=int, default=60,
                        help="before each scenario wait up to this many seconds for the machine to be idle (0: don't)")
    parser.add_argument("--boost", action="store_true",
                        help="run gunicorn, wrk and this database's PostgreSQL backends at nice -10 (root; for "
                             "shared machines, so other people's work disturbs the figures less)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="serve cardops from this checkout (e.g. a git worktree, for before/after figures)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", help="file stem for the results (default: date and size)")
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    from config import normalise_database_url

    url = normalise_database_url(args.db)
    data_key = os.environ.get("CARDOPS_DATA_KEY") or DEFAULT_DATA_KEY
    settings = GunicornSettings(args.workers, args.worker_class, args.threads)

    def log(message: str) -> None:
        print(message, flush=True)

    # Stopped with SIGTERM (or SIGINT): unwind, so that the servers this run started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.boost:
        boost([os.getpid()])  # inherited by gunicorn and wrk
    workdir = Path(tempfile.mkdtemp(prefix="cardops-bench-"))
    results = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
               "load_average_start": load_average(),
               "settings": {"gunicorn": settings.describe(), "connections": args.connections,
                            "wrk_threads": args.wrk_threads, "duration": args.duration,
                            "public_status_limit": PUBLIC_STATUS_LIMIT, "outlets": args.outlets,
                            "boost": args.boost, "quiet_wait": args.quiet_wait},
               "sizes": {}}
    log(f"cardops benchmark: {settings.describe()}, {args.connections} connections, {args.duration} s per scenario; "
        f"work files in {workdir}")
    sizes = [(url, args.requests, args.years)]
    if args.small_requests and args.small_requests != args.requests:
        # The same district and population on a shorter history: the same requests per day (today's queues, the
        # review queue and the risk rules' windows hold the same work at both sizes), so growth measures the years
        # piled up, not a busier day.
        sizes.insert(0, (small_url(url), args.small_requests, args.years * args.small_requests / args.requests))
    people = generation_people(args.requests)
    targets = []
    for size_url, requests, years in sizes:
        log(f"database of {requests:,} requests over {years:.2g} years, {people:,} people")
        # The small database is made anew every time (seconds): a run's own writes would be a large part of it.
        targets.append(prepare(size_url, requests, years, people, args, data_key, log,
                               reusable=requests == args.requests))
    baseline_spec = write_spec(workdir / "baseline.lua", [{"type": "get", "paths": ["/hello"], "headers": {}}],
                               args.wrk_threads)
    with contextlib.ExitStack() as stack:
        baseline = stack.enter_context(Gunicorn("bench.baseline_app:app", args.port, settings,
                                                server_env(url, data_key, "baseline"), workdir / "baseline.log",
                                                "/hello"))
        run_wrk(baseline.base_url, baseline_spec, duration=3, connections=args.connections, threads=args.wrk_threads)
        log("  baseline: bare Flask /hello")
        results["baseline"] = measure(baseline, baseline_spec, args, log)
        for i, target in enumerate(targets, start=1):
            server = stack.enter_context(Gunicorn("wsgi:app", args.port + i, settings, target.env,
                                                  workdir / f"gunicorn-{target.requests}.log", "/healthz",
                                                  root=args.app_root))
            start(target, server, args, data_key, workdir, log)
        # The machine's speed drifts over a run (the bare-Flask rate has measured 3,776 req/s before the scenarios
        # and 1,779 after them): each scenario's share of the baseline uses a short baseline run right before it.
        adjacent = argparse.Namespace(**{**vars(args), "duration": ADJACENT_BASELINE_S, "quiet_wait": 0})
        results["baseline_by_scenario"] = {}
        for name in args.scenarios:
            results["baseline_by_scenario"][name] = measure(baseline, baseline_spec, adjacent, lambda *a: None)["rps"]
            log(f"  baseline before {name}: {results['baseline_by_scenario'][name]:,.0f} req/s")
            for target in targets:
                run_scenario(target, name, args, workdir, log)
        log("  baseline again: bare Flask /hello")
        results["baseline_end"] = measure(baseline, baseline_spec, args, log)
        largest = targets[-1]
        results["sql_counts"] = count_statements(largest, log)
    for target in targets:
        results["sizes"][str(target.requests)] = {"generation": target.generation, "scenarios": target.scenarios}
        target.engine.dispose()
    with sa.create_engine(url).connect() as conn:
        results["postgres"] = (conn.scalar(sa.text("SELECT version()")).split(" on ")[0]
                               if conn.dialect.name == "postgresql" else "SQLite")
    json_path, md_path = write(results, args.out, args.name)
    log(f"results: {md_path} and {json_path}")
    missed = [t for t in results["targets"] if not t["met"]]
    for target in missed:
        log(f"  target missed: {target['target']} ({target['value']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
