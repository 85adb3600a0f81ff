"""PostgreSQL restarted under load (issue #13): 503 UNAVAILABLE with Retry-After while it is away, never a 500, one
log line per failed request and no traceback, nothing half-written, the application recovers by itself, and the
audit chain verifies afterwards.

The test starts its own PostgreSQL instance (``initdb`` into a temporary directory, its own port, never the
machine's server), serves the application against it with the werkzeug server in threads, drives it from a few
threads for a bounded time, and stops the instance for a few seconds in the middle. It runs in PostgreSQL runs of
the suite (CI runs one); the PostgreSQL binaries are required there.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

from cardops.core.pii import id_check_char

LOAD_THREADS = 4
LOAD_SECONDS = 14
OUTAGE_AT = 4
OUTAGE_SECONDS = 3

pytestmark = pytest.mark.postgres_only


def _pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return candidates[-1].parent if candidates else None


@pytest.fixture(autouse=True)
def db_session():
    """This test has its own database server; the suite's rollback session does not apply."""
    yield None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on its own port, owned by the ``postgres`` account when we are root."""

    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root, self.port = bindir, root, _free_port()
        self.data = root / "data"
        self.log = root / "postgres.log"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        initialised = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                "--no-locale", check=False)
        assert initialised.returncode == 0, initialised.stderr
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "cardops")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/cardops"


@pytest.fixture
def private_postgres():
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("the PostgreSQL server binaries (initdb, pg_ctl) are missing: this test starts its own server")
    # Not under pytest's own temporary directory: that one is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="cardops-private-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PrivatePostgres(bindir, root / "cluster")
    try:
        server.init()
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def served(private_postgres, tmp_path):
    """The application on the private instance, migrated and seeded, served by werkzeug in threads."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from cardops import create_app
    from cardops.auth import services as accounts
    from cardops.extensions import db
    from cardops.outlets.seed import seed_outlets
    from cardops.outlets.services import outlet_by_code
    from config import TestingConfig

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=private_postgres.url,
                     CARDOPS_AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 8, "max_overflow": 4,
                                                "connect_args": {"connect_timeout": 3}})
    with app.app_context():
        upgrade()
        seed_outlets()
        clerk = accounts.create_user(None, username="load-clerk", display_name="压测受理员", roles=["clerk"],
                                     outlet=outlet_by_code("PT01"), password="load-clerk-password")
        _, token = accounts.issue_token(None, clerk, "load")
        db.session.commit()
        db.session.remove()
    records = Records()
    for name in (app.logger.name, "werkzeug", "sqlalchemy.pool"):
        logging.getLogger(name).addHandler(records)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="restart-test-server", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", token, records
    finally:
        server.shutdown()
        thread.join(timeout=10)
        for name in (app.logger.name, "werkzeug", "sqlalchemy.pool"):
            logging.getLogger(name).removeHandler(records)
        with app.app_context():
            db.engine.dispose()


def _id_number(n: int) -> str:
    first17 = f"310107{date(1950, 1, 1) + timedelta(days=n):%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def _call(base: str, token: str, method: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            body = json.loads(payload)
        except ValueError:
            body = payload.decode(errors="replace")
        return error.code, dict(error.headers), body


def test_a_database_restart_under_load_is_503_then_recovery(private_postgres, served):
    app, base, token, records = served
    outcomes: list[tuple] = []  # (kind, status, headers, body, id_number, finished_at)
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS
    counter = iter(range(1, 1_000_000))

    def worker(n: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                serial = next(counter)
            id_number = _id_number(serial)
            if serial % 3:
                status, headers, body = _call(base, token, "POST", "/api/v1/requests", {
                    "kind": "lost", "channel": "in_person",
                    "applicant": {"id_number": id_number, "name": "压测", "phone": f"139{serial:08d}"}})
                kind = "intake"
            else:
                status, headers, body = _call(base, token, "GET", "/api/v1/requests?per_page=5")
                kind = "list"
            with lock:
                outcomes.append((kind, status, headers, body, id_number, time.monotonic()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(OUTAGE_AT)
    private_postgres.stop("fast")
    outage_ended = None
    time.sleep(OUTAGE_SECONDS)
    private_postgres.start()
    outage_ended = time.monotonic()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 60)

    statuses = [o[1] for o in outcomes]
    print(f"restart under load: {len(outcomes)} requests, " + ", ".join(
        f"{statuses.count(s)}×{s}" for s in sorted(set(statuses))))
    assert 500 not in statuses and not [s for s in statuses if s >= 500 and s != 503], sorted(set(statuses))
    unavailable = [o for o in outcomes if o[1] == 503]
    assert unavailable, "the outage produced no 503 (did the load run through it?)"
    for _kind, _status, headers, body, _id, _at in unavailable:
        assert body["error"]["code"] == "UNAVAILABLE" and headers.get("Retry-After")
    assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    # Recovery by itself: what finished well after the restart succeeded.
    late = [o for o in outcomes if o[5] > outage_ended + 2]
    assert late and all(o[1] in (200, 201) for o in late), [o[1] for o in late]

    # One log line per failed request, no traceback anywhere.
    assert not [r for r in records.records if r.exc_info], [r.getMessage() for r in records.records if r.exc_info]
    lines = [r for r in records.records if "database unavailable" in r.getMessage()]
    assert len(lines) == len(unavailable)

    # Nothing half-written.
    from sqlalchemy import func, select

    from cardops.audit.models import AuditEntry
    from cardops.audit.services import verify_chain
    from cardops.core import pii
    from cardops.extensions import db
    from cardops.reissue.models import ReissueRequest, RequestEvent

    with app.app_context():
        for kind, status, _headers, body, id_number, _at in outcomes:
            if kind != "intake":
                continue
            found = db.session.scalars(select(ReissueRequest).where(
                ReissueRequest.applicant_id_hash == pii.blind_index(id_number))).all()
            if status == 201:
                assert [r.number for r in found] == [body["number"]]
                assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action == "reissue.intake", AuditEntry.object_id == body["number"])) == 1
                assert db.session.scalar(select(func.count()).select_from(RequestEvent).where(
                    RequestEvent.request_id == found[0].id)) == 1
            else:
                assert found == [], f"a refused intake ({status}) was written"
        report = verify_chain()
        assert report.ok, report.describe()
        db.session.remove()
