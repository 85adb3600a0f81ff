"""Where the server's time goes in one scenario: wrk drives it while py-spy samples every gunicorn worker.

    python -m bench.profile --scenario queue_html --duration 15 [--py-spy /path/to/py-spy]

py-spy is not a dependency of cardops (install it anywhere: ``pip install py-spy``). Writes the collapsed stacks
and a flame graph per worker to the work directory and prints the functions with the most samples.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from .run import DEFAULT_DATA_KEY, PUBLIC_STATUS_LIMIT, server_env
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
from .server import ROOT, Gunicorn, GunicornSettings, run_wrk, write_spec


def summarise(collapsed: list[Path], top: int) -> str:
    """Inclusive and self sample counts per function over all workers' collapsed stacks."""
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for path in collapsed:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                      for f in stack.split(";")]
            n = int(count)
            total += n
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench"))
    parser.add_argument("--scenario", default="queue_html", choices=sorted(SCENARIOS))
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8811)
    parser.add_argument("--app-root", type=Path, default=ROOT)
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    from config import normalise_database_url

    url = normalise_database_url(args.db)
    data_key = os.environ.get("CARDOPS_DATA_KEY") or DEFAULT_DATA_KEY
    env = server_env(url, data_key, "profile-secret-key")
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "CARDOPS_DATA_KEY")})
    from cardops import create_app

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, PUBLIC_STATUS_RATE_LIMIT=PUBLIC_STATUS_LIMIT)
    workdir = Path(tempfile.mkdtemp(prefix="cardops-profile-"))
    engine = sa.create_engine(url)
    with Gunicorn("wsgi:app", args.port, GunicornSettings(), env, workdir / "gunicorn.log", "/healthz",
                  root=args.app_root) as server:
        ctx = Context(engine=engine, data_key=data_key, base_url=server.base_url, endpoints=set(app.view_functions))
        ctx.tokens = issue_tokens(app, [CLERK, COUNTER_CLERK, SUPERVISOR, *INTAKE_CLERKS])
        load_samples(ctx)
        ctx.cookies = {u: sign_in(server.base_url, u) for u in (CLERK, SUPERVISOR)}
        spec = write_spec(workdir / "spec.lua", SCENARIOS[args.scenario].build(ctx), 2)
        run_wrk(server.base_url, spec, duration=3, connections=args.connections, threads=2)  # warm-up
        samplers = []
        for pid in server.worker_pids():
            out = workdir / f"worker-{pid}.txt"
            samplers.append((out, subprocess.Popen(
                [args.py_spy, "record", "--pid", str(pid), "--duration", str(args.duration), "--rate", "200",
                 "--format", "raw", "--output", str(out), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        result = run_wrk(server.base_url, spec, duration=args.duration, connections=args.connections, threads=2)
        for _, sampler in samplers:
            sampler.wait(timeout=args.duration + 30)
    engine.dispose()
    print(f"{args.scenario}: {result['rps']:,.0f} req/s, p95 {result['latency_us']['p95'] / 1000:.1f} ms, "
          f"errors {result['errors']}")
    print(summarise([out for out, _ in samplers if out.exists()], args.top))
    print(f"collapsed stacks in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
