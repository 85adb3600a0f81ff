"""Processes the benchmark starts and stops: gunicorn (cardops or the baseline) and wrk.

Everything binds and targets 127.0.0.1. Each process is stopped by its own pid when its block ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk" / "cardops.lua"
USER_AGENT = "cardops-bench/1"


@dataclass(frozen=True)
class GunicornSettings:
    """Two cores, two sync workers: one process per core. The app is CPU-bound in Python (ORM, templates) with
    short waits on a local PostgreSQL, which then gets the core; threads in a worker would contend for the GIL
    (gthread 3×2 used ~20% more CPU per request here), more processes only add context switches. Measured
    against sync×3, sync×4, gthread 3×2 and 2×4 on this machine (README, Benchmark)."""

    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def describe(self) -> str:
        extra = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"{self.workers} {self.worker_class} workers{extra}"


class Gunicorn:
    def __init__(self, app: str, port: int, settings: GunicornSettings, env: dict[str, str], log_path: Path,
                 ready_path: str, root: Path = ROOT):
        self.app, self.port, self.settings, self.env = app, port, settings, env
        self.log_path, self.ready_path, self.root = log_path, ready_path, root
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, self.app, "--bind", f"127.0.0.1:{self.port}", *self.settings.args(),
                   "--keep-alive", "30", "--log-level", "warning", "--timeout", "60"]
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=self.root, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn {self.app} did not answer {self.ready_path} within 60 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its own workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run `make bench` (it installs Debian's wrk) or apt-get install wrk")
    return path


def run_wrk(base_url: str, spec_path: Path, *, duration: int, connections: int, threads: int,
            timeout: int = 10) -> dict:
    """One wrk run; returns the JSON the Lua ``done`` hook prints, plus requests/s."""
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s",
               "--latency", "-s", str(LUA), base_url, "--", str(spec_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = (result["non2xx"] + result["connect_errors"] + result["read_errors"] + result["write_errors"]
                        + result["timeouts"])
    return result


def lua_literal(value) -> str:
    """A Python value as a Lua literal (strings, numbers, lists, dicts) for the wrk spec file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid Lua escapes for our text
    if isinstance(value, list | tuple):
        return "{" + ",".join(lua_literal(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"[{lua_literal(k)}]={lua_literal(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "nil"
    raise TypeError(f"cannot write {type(value)} to Lua")


def write_spec(path: Path, items: list[dict], threads: int) -> Path:
    path.write_text("return " + lua_literal({"threads": threads, "user_agent": USER_AGENT, "items": items}) + "\n",
                    encoding="utf-8")
    return path


def process_cpu_seconds(pids) -> float:
    """User+system CPU time of ``pids`` so far (from /proc), to tell where the cores went."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(*, busy_below: float = 0.25, seconds: int = 3, timeout: int = 120) -> dict:
    """Wait (up to ``timeout``) until the machine has been mostly idle for ``seconds`` consecutive seconds —
    on a shared machine other people's work would otherwise be measured too. Returns what was seen."""
    cores = os.cpu_count() or 1
    started, calm, busy = time.monotonic(), 0, 1.0
    previous = machine_busy_seconds()
    while time.monotonic() - started < timeout and calm < seconds:
        time.sleep(1)
        current = machine_busy_seconds()
        busy = (current - previous) / cores
        previous = current
        calm = calm + 1 if busy < busy_below else 0
    return {"waited_s": round(time.monotonic() - started, 1), "busy_share": round(busy, 2), "quiet": calm >= seconds}


def boost(pids, niceness: int = -10) -> None:
    """Raise the scheduling priority of the benchmark's own processes (root only; ignored otherwise)."""
    for pid in pids:
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
