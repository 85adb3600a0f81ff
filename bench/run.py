"""The benchmark: generate (or reuse) the databases, serve cardops and a bare-Flask baseline with gunicorn in the
production configuration, drive every scenario with wrk, write bench/results/<date>-<size>.json and .md.

    python -m bench.run --db postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench --requests 1000000
    make bench BENCH_REQUESTS=1000000

Every scenario runs on the large database and on a small one (``--small-requests``, default 10,000, named
``<db>_small``) for the growth figures, one right after the other. Everything listens on and targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from .generate import bench_app, default_people, generate, read_stamp
from .offline import dashboard_periods, dashboard_plans, data_end, reminder_runs
from .report import write
from .scenarios import CLERK, SCENARIOS, SUPERVISOR, USER_AGENT, Context, prepare, sign_in

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk" / "cardops.lua"
DEFAULT_DATA_KEY = "cardops-bench-data-key-not-a-secret"  # generated data only; override with CARDOPS_DATA_KEY
PUBLIC_STATUS_LIMIT = "1000000 per minute"  # the look-up scenario measures the look-up, not the limiter


class Gunicorn:
    """gunicorn serving ``app`` from ``root`` until the block ends (stopped by its own pid)."""

    def __init__(self, app: str, port: int, args, env: dict[str, str], log: Path, ready: str, root: Path = ROOT):
        self.base_url = f"http://127.0.0.1:{port}"
        worker = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
        self.command = [str(Path(sys.executable).with_name("gunicorn")), app, "--bind", f"127.0.0.1:{port}",
                        "--workers", str(args.workers), *worker, "--keep-alive", "30", "--timeout", "60",
                        "--log-level", "warning"]
        self.env, self.log, self.ready, self.root = env, log, ready, root

    def __enter__(self) -> Gunicorn:
        self.log_file = open(self.log, "ab")
        self.process = subprocess.Popen(self.command, cwd=self.root, env=self.env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError), urllib.request.urlopen(self.base_url + self.ready, timeout=2) as answer:
                if answer.status == 200:
                    return self
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn {self.command[1]} did not start: see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


def lua(value) -> str:
    """A Python value as a Lua literal, for wrk's spec file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's string escapes are valid in Lua
    if isinstance(value, list | tuple):
        return "{" + ",".join(lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"[{lua(k)}]={lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value)} to Lua")


def wrk(base_url: str, items: list[dict], args, workdir: Path, duration: int, connections: int | None = None) -> dict:
    """One wrk run over ``items``: the JSON its ``done`` hook prints, plus requests/s and errors."""
    connections = connections or args.connections
    threads = min(args.wrk_threads, connections)
    spec = workdir / "spec.lua"
    spec.write_text("return " + lua({"threads": threads, "user_agent": USER_AGENT, "items": items}) + "\n")
    command = [shutil.which("wrk") or "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
               "--timeout=10s", "--latency", "-s", str(LUA), base_url, "--", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("non2xx", "connect_errors", "read_errors", "write_errors", "timeouts"))
    return result


def cpu_seconds(pids) -> float:
    """User + system CPU time of ``pids`` so far, from /proc."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(server: Gunicorn, items: list[dict], args, workdir: Path, engine: sa.Engine | None = None,
            connections: int | None = None) -> dict:
    """wrk against ``server``, with the CPU its workers and this database's PostgreSQL backends used meanwhile."""
    backends = []
    if engine is not None and engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            backends = list(conn.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = "
                                                 "current_database() AND pid <> pg_backend_pid()")))
    workers = server.worker_pids()
    before = cpu_seconds(workers), cpu_seconds(backends)
    result = wrk(server.base_url, items, args, workdir, args.duration, connections)
    result["connections"] = connections or args.connections
    result["cpu_s"] = {"app": round(cpu_seconds(workers) - before[0], 2),
                       "db": round(cpu_seconds(backends) - before[1], 2)}
    lat = result["latency_us"]
    print(f"    {result['rps']:8,.0f} req/s  p50 {lat['p50'] / 1000:6.1f}  p95 {lat['p95'] / 1000:6.1f}  p99 "
          f"{lat['p99'] / 1000:6.1f} ms  errors {result['errors']}" + (f"  {result['samples'][:200]}"
                                                                        if result["errors"] else ""), flush=True)
    return result


def statements_at(base_url: str, items: list[dict], per_page: int) -> int:
    """X-SQL-Count of the scenario's first page at ``per_page`` rows (equal at 10 and 50: no statement per row)."""
    path = items[0]["paths"][0]
    request = urllib.request.Request(f"{base_url}{path}{'&' if '?' in path else '?'}per_page={per_page}",
                                     headers=items[0]["headers"])
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(answer.headers["X-SQL-Count"])


@dataclass
class Target:
    """One database size, served by its own gunicorn."""

    requests: int
    url: str
    generation: dict
    engine: sa.Engine
    env: dict
    ctx: Context | None = None
    server: Gunicorn | None = None
    scenarios: dict = field(default_factory=dict)


def server_env(url: str, data_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARDOPS_", "DATABASE_URL", "FLASK_"))}
    return {**env, "CARDOPS_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(32), "CARDOPS_DATA_KEY": data_key,
            "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "PUBLIC_STATUS_RATE_LIMIT": PUBLIC_STATUS_LIMIT,
            "CARDOPS_COUNT_SQL": "1",
            # What production requires: its public address, and a rate-limit store the workers share (Redis).
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
            "RATELIMIT_KEY_PREFIX": "cardops-bench"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--small-requests", type=int, default=10_000,
                        help="the small database for the growth figures (same people and requests per day, a "
                             "shorter history); 0: none")
    parser.add_argument("--years", type=float, default=8.0, help="history of the large database")
    parser.add_argument("--outlets", type=int, default=10, help="10 (the district) or e.g. 220 (city mode)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the large database if it was generated with the same size (the small one is "
                             "always generated anew: a run's own writes would be a large part of it)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2 cores: 2 sync workers)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="serve cardops from this checkout (e.g. a git worktree of an older commit)")
    parser.add_argument("--no-offline", dest="offline", action="store_false",
                        help="skip the dashboard's query plans and the reminder rules' runs (they need the app of "
                             "this checkout: leave them out when --app-root serves an older one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--name", help="file stem for the results (default: date and size)")
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    from config import normalise_database_url

    url = normalise_database_url(args.db)
    data_key = os.environ.get("CARDOPS_DATA_KEY") or DEFAULT_DATA_KEY
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the servers this run started stop too
    workdir = Path(tempfile.mkdtemp(prefix="cardops-bench-"))
    results = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_average_start": os.getloadavg()[0],
               "settings": {"workers": args.workers, "threads": args.threads, "connections": args.connections,
                            "wrk_threads": args.wrk_threads, "duration": args.duration, "outlets": args.outlets,
                            "public_status_limit": PUBLIC_STATUS_LIMIT, "app_root": str(args.app_root.resolve())},
               "sizes": {}}
    print(f"cardops benchmark: {args.workers} workers, {args.connections} connections, {args.duration} s per "
          f"scenario; work files in {workdir}", flush=True)

    sizes = [(url, args.requests, args.years)]
    if args.small_requests and args.small_requests != args.requests:
        # The same district and people on a shorter history, so the same requests per day: today's queues and the
        # rules' windows hold the same work at both sizes, and growth measures the years piled up.
        small = sa.engine.make_url(url)
        small = small.set(database=f"{small.database}_small").render_as_string(hide_password=False)
        sizes.insert(0, (small, args.small_requests, args.years * args.small_requests / args.requests))
    targets = []
    for size_url, requests, years in sizes:
        stamp = read_stamp(size_url)
        people = default_people(args.requests)
        wanted = {"requests": requests, "outlets": args.outlets, "years": years, "people": people}
        if args.reuse and requests == args.requests and stamp and all(stamp.get(k) == v for k, v in wanted.items()):
            print(f"reusing {sa.engine.make_url(size_url).database} (generated {stamp['now']})", flush=True)
            generation = {**stamp, "reused": True}
        else:
            generation = generate(size_url, requests=requests, data_key=data_key, outlets=args.outlets, years=years,
                                  people=people, seed=args.seed)
        targets.append(Target(requests, size_url, generation, sa.create_engine(size_url),
                              server_env(size_url, data_key)))

    with contextlib.ExitStack() as stack:
        baseline = stack.enter_context(Gunicorn("bench.baseline_app:app", args.port, args, server_env(url, data_key),
                                                workdir / "baseline.log", "/hello"))
        hello = [{"type": "get", "paths": ["/hello"], "headers": {}}]
        print("  baseline: bare Flask /hello", flush=True)
        results["baseline"] = measure(baseline, hello, args, workdir)
        for i, target in enumerate(targets, start=1):
            target.server = stack.enter_context(Gunicorn("wsgi:app", args.port + i, args, target.env,
                                                         workdir / f"gunicorn-{target.requests}.log", "/healthz",
                                                         root=args.app_root))
            target.ctx = prepare(bench_app(target.url, data_key), target.engine, data_key)
            print(f"  {target.requests:,}: warming up (5 s of API reads)", flush=True)
            warm = SCENARIOS["api_detail"].build(target.ctx) + SCENARIOS["api_list"].build(target.ctx)
            wrk(target.server.base_url, warm, args, workdir, 5)
        for name in args.scenarios:
            scenario = SCENARIOS[name]
            for target in targets:
                ctx, base_url = target.ctx, target.server.base_url
                ctx.cookies = {u: sign_in(base_url, u) for u in (CLERK, SUPERVISOR)}  # sessions end when idle
                print(f"  {name} @ {target.requests:,}: {scenario.title}", flush=True)
                items = scenario.build(ctx)
                run = target.scenarios[name] = measure(target.server, items, args, workdir, target.engine,
                                                       scenario.connections)
                if scenario.pages:
                    run["statements_at"] = {n: statements_at(base_url, items, n) for n in (10, 50)}
                if name == "intake":  # a submit costs about what an intake does: twice its rate, with room to spare
                    ctx.submit_pool = max(1500, int(run["rps"] * 2 * args.duration))
        print("  baseline again", flush=True)
        results["baseline_end"] = measure(baseline, hello, args, workdir)
    large = targets[-1]
    if args.offline and large.engine.dialect.name == "postgresql":
        app, end = bench_app(large.url, data_key), data_end(large.engine)
        print(f"  {large.requests:,}: the dashboard's query plans and the reminder rules' runs", flush=True)
        results["plans"] = dashboard_plans(app, dashboard_periods(end), SUPERVISOR, CLERK)
        results["reminders"] = reminder_runs(app, end)  # last: they write notifications
    for target in targets:
        results["sizes"][str(target.requests)] = {"generation": target.generation, "scenarios": target.scenarios}
        with target.engine.connect() as conn:
            results["database"] = conn.scalar(sa.text("SELECT version()" if target.engine.dialect.name ==
                                                      "postgresql" else "SELECT 'SQLite ' || sqlite_version()"))
        target.engine.dispose()
    json_path, md_path = write(results, args.out, args.name)
    print(f"results: {md_path} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
