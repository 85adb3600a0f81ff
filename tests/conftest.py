"""Fixtures in the spirit of flaskr and Indico.

* ``app``: one application per session on the test database (SQLite in memory by default; PostgreSQL when
  ``DATABASE_URL``/``TEST_DATABASE_URL`` points at it). The schema comes from the Alembic migrations.
* ``db_session`` (autouse): each test runs inside an outer transaction that is rolled back afterwards; the
  code's own ``commit()`` calls only release savepoints.
* ``committing_db``: for tests that need real commits on several connections (concurrency); the tables it
  touched are emptied afterwards.
* ``client``, ``auth`` (login helper), ``make_user``, ``outlet``/``other_outlet``, ``api`` (token client).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from cardops import create_app
from cardops.extensions import db as _db
from config import TestingConfig, normalise_database_url
from tests.guards import Browser, GuardedApi, LeakGuard, csrf_from

DEMO_PASSWORD = "correct-horse-battery"


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    # A file, not :memory:, so concurrency tests can open several connections to the same database.
    handle, path = tempfile.mkstemp(prefix="cardops-test-", suffix=".sqlite3")
    os.close(handle)
    return f"sqlite:///{path}"


def _suite_on_postgresql() -> bool:
    return (os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "").startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` prove what only PostgreSQL does (a server restart, pg_dump, COPY, planner
    statistics): a SQLite run leaves them out, and says so in its summary; the PostgreSQL run (CI's) runs them."""
    if _suite_on_postgresql():
        return
    left_out = [item for item in items if item.get_closest_marker("postgres_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
        config.stash[POSTGRES_ONLY_LEFT_OUT] = len(left_out)


POSTGRES_ONLY_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    left_out = config.stash.get(POSTGRES_ONLY_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(f"{left_out} postgres_only tests left out on SQLite: they run with "
                                    "DATABASE_URL=postgresql+psycopg://… (CI's PostgreSQL run)")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """scrypt costs ~0.1 s a hash; tests hash hundreds of passwords. Same code path, cheaper parameters."""
    from werkzeug.security import generate_password_hash

    from cardops.auth import models

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "generate_password_hash",
                      lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
        yield


def compile_translations() -> None:
    """Compile the catalogues when a .mo is missing or older than its .po (``make translations`` does the same)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "cardops" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture(scope="session")
def app():
    compile_translations()
    url = _database_url()
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(url), SERVER_NAME="localhost")
    request_started.connect(_fresh_g_per_request, app)
    with app.app_context():
        _reset_schema()
        upgrade()
        from cardops.outlets.seed import seed_outlets

        seed_outlets()
        _db.session.commit()
        yield app
        _db.session.remove()
        if url.startswith("sqlite:///"):
            _db.engine.dispose()
            path = url.removeprefix("sqlite:///")
            if os.path.basename(path).startswith("cardops-test-"):
                os.unlink(path)


def _fresh_g_per_request(sender, **extra) -> None:
    """Give every test request its own ``g``, as production does.

    The session-wide app context above is reused by every request of the test client, so without this
    Flask-Login's cached user, Flask-WTF's CSRF token, Babel's locale and the API user would leak from one
    request into the next (a signed-out client would still look signed in).
    """
    g.__dict__.clear()


def _reset_schema() -> None:
    engine = _db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(bind=conn)
            meta.drop_all(bind=conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def db_session(app, request):
    """Roll back everything a test wrote, including what the code under test committed."""
    if "committing_db" in request.fixturenames:
        yield _db.session
        return
    connection = _db.engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite only opens transactions implicitly before DML, which breaks SAVEPOINTs; take control of
        # BEGIN for this connection alone so the whole test is one rollback-able transaction.
        connection.connection.dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN")
    original = _db.session
    _db.session = scoped_session(
        sessionmaker(class_=Session, bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False)
    )
    try:
        yield _db.session
    finally:
        _db.session.remove()
        _db.session = original
        outer.rollback()
        if connection.dialect.name == "sqlite":
            connection.connection.dbapi_connection.isolation_level = ""
        connection.close()


TRUNCATE_KEEP = {"alembic_version", "outlets"}


@pytest.fixture
def committing_db(app):
    """Real commits; every table but the outlets is emptied afterwards and the audit head reset.

    The audit table refuses DELETE (migration 0007): PostgreSQL empties it with TRUNCATE, which row triggers do
    not see; on SQLite the triggers are lifted for this one transaction (``append_only_lifted``)."""
    from cardops.audit.immutability import append_only_lifted

    yield _db
    _db.session.remove()
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in TRUNCATE_KEEP]
    with _db.engine.begin() as conn:
        if _db.engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            with append_only_lifted(conn):
                for table in tables:
                    conn.execute(table.delete())
        conn.execute(sa.text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    from cardops.extensions import limiter

    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- data factories ----------------------------------------------------------------------------------------

@pytest.fixture
def outlet(app):
    from cardops.outlets.services import outlet_by_code

    return outlet_by_code("PT01")


@pytest.fixture
def other_outlet(app):
    from cardops.outlets.services import outlet_by_code

    return outlet_by_code("PT02")


@pytest.fixture
def make_user(app, outlet):
    """make_user("clerk") → a committed user with that role (clerks/trainers at PT01 unless told)."""
    from cardops.auth import services as accounts

    counter = {"n": 0}

    def factory(*roles, outlet_=None, username=None, password=DEMO_PASSWORD, display_name=None):
        roles = roles or ("clerk",)
        counter["n"] += 1
        needs_outlet = bool({"clerk", "trainer"}.intersection(roles))
        user = accounts.create_user(
            None,
            username=username or f"{'-'.join(roles)}-{counter['n']}",
            display_name=display_name or f"测试{counter['n']}",
            roles=roles,
            outlet=(outlet_ or outlet) if needs_outlet else None,
            password=password,
        )
        _db.session.commit()
        return user

    return factory


@pytest.fixture
def clerk(make_user):
    return make_user("clerk", username="clerk-a", display_name="受理员甲")


@pytest.fixture
def clerk2(make_user):
    return make_user("clerk", username="clerk-b", display_name="受理员乙")


@pytest.fixture
def other_clerk(make_user, other_outlet):
    return make_user("clerk", outlet_=other_outlet, username="clerk-other", display_name="他网点受理员")


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="supervisor", display_name="督导")


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="admin", display_name="管理员")


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password=DEMO_PASSWORD, follow_redirects=False):
        page = self._client.get("/login")
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": csrf_from(page.get_data(as_text=True))},
                                 follow_redirects=follow_redirects)

    def logout(self):
        page = self._client.get("/home")
        return self._client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})

    def csrf(self, path="/home") -> str:
        return csrf_from(self._client.get(path).get_data(as_text=True))

    def post(self, path, data=None, csrf_page=None, **kwargs):
        """POST a form with a valid CSRF token taken from ``csrf_page`` (default: the same path)."""
        data = dict(data or {})
        data["csrf_token"] = self.csrf(csrf_page or path)
        return self._client.post(path, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


class ApiClient:
    def __init__(self, client, token):
        self._client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **kwargs):
        return self._client.get(path, headers=self.headers, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self._client.post(path, json=json, headers=self.headers, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self._client.patch(path, json=json, headers=self.headers, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self._client.delete(path, json=json, headers=self.headers, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self._client.put(path, json=json, headers=self.headers, **kwargs)



@pytest.fixture
def api(client):
    """api(user) → a client sending that user's fresh Bearer token."""
    from cardops.auth.services import issue_token

    def factory(user):
        _, secret = issue_token(None, user, "test")
        _db.session.commit()
        return ApiClient(client, secret)

    return factory


# --- every response watched for full ID numbers (SPEC §3.6) ------------------------------------------------

@pytest.fixture
def guard():
    guard = LeakGuard()
    yield guard
    assert not guard.leaks(), guard.leaks()


@pytest.fixture
def as_(api, guard):
    """as_(user) → that user's API client, its traffic watched by the guard."""
    clients = {}

    def factory(user):
        if user.id not in clients:
            clients[user.id] = GuardedApi(api(user), guard)
        return clients[user.id]

    return factory


@pytest.fixture
def web(client, auth):
    """The test client as a browser whose every page is checked for full ID numbers at the end of the test."""
    browser = Browser(client, auth)
    yield browser
    leaks = browser.guard.leaks()
    assert not leaks, leaks
