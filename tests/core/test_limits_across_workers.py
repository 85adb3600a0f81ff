"""Limits that hold in production (issue #13): gunicorn with four workers, the production configuration, Redis as
the shared store. The public status look-up allows 10 a minute per address in total — not 10 per worker — and
failed sign-ins are counted per address across the workers too."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
WORKERS = 4


@pytest.fixture(autouse=True)
def db_session():
    """A server of its own with its own database: the suite's rollback session does not apply."""
    yield None


def _redis_up(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_address():
    """The machine's Redis (127.0.0.1:6379, as production and CI have it), else a private redis-server of the test's."""
    if _redis_up(REDIS):
        yield REDIS
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("no Redis on 127.0.0.1:6379 and no redis-server to start one (apt-get install redis-server)")
    address = ("127.0.0.1", _free_port())
    server = subprocess.Popen([binary, "--bind", address[0], "--port", str(address[1]), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not _redis_up(address):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"the private redis-server did not come up on port {address[1]}")
            time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def production_server(tmp_path, redis_address):
    port = _free_port()
    prefix = f"cardops-test-{secrets.token_hex(6)}"
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "CARDOPS_SINGLE_PROCESS")}
    env.update(CARDOPS_ENV="production", SECRET_KEY=secrets.token_urlsafe(32),
               CARDOPS_DATA_KEY=secrets.token_urlsafe(32), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
               DATABASE_URL=f"sqlite:///{tmp_path / 'cardops.sqlite3'}",
               CARDOPS_INSTANCE_DIR=str(tmp_path), RATELIMIT_STORAGE_URI=f"redis://{redis_address[0]}:{redis_address[1]}/0",
               RATELIMIT_KEY_PREFIX=prefix, SESSION_COOKIE_SECURE="0", LOGIN_ADDRESS_LIMIT="3 per 15 minutes")
    bindir = Path(sys.executable).parent
    for args in (("db", "upgrade"), ("seed",)):
        subprocess.run([str(bindir / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
    server = subprocess.Popen([str(bindir / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                               "--error-logfile", str(tmp_path / "gunicorn.log"), "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.25)
        time.sleep(1)  # all four workers booted
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        _forget(redis_address, prefix)


def _forget(address: tuple[str, int], prefix: str) -> None:
    import redis

    client = redis.Redis(*address)
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_public_status_limit_holds_across_four_workers(production_server):
    url = production_server + "/api/v1/public/status?number=PT01-20260101-0001&id_last4=1234"
    statuses = [_status(url) for _ in range(16)]  # a new connection each: the workers take turns
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429] * 6, statuses


def test_failed_sign_ins_are_counted_per_address_across_workers(production_server):
    def attempt(username: str) -> int:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(production_server + "/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": "wrong-password", "csrf_token": token})
        try:
            return opener.open(production_server + "/login", data=data.encode(), timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code

    assert [attempt(f"nobody-{n}") for n in range(5)] == [200, 200, 200, 429, 429]
