"""The backup drill (issue #13): scripts/backup.sh dumps the database with pg_dump, scripts/restore.sh restores the
dump into a new database and runs `audit verify` on it — the keyed chain, and the checkpoints kept outside the
database, which also tell a restored older backup from the live database. PostgreSQL runs of the suite only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session():
    """Own databases, real commits: the suite's rollback session does not apply."""
    yield None


@pytest.fixture
def databases(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    names = {"source": f"{url.database}_bk_src", "restored": f"{url.database}_bk_dst"}
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop_all():
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop_all()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{names["source"]}"'))
    try:
        yield {key: url.set(database=name).render_as_string(hide_password=False) for key, name in names.items()}
    finally:
        drop_all()
        admin.dispose()


def _env(database_url: str, checkpoints: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update(CARDOPS_ENV="testing", DATABASE_URL=database_url, CARDOPS_AUDIT_CHECKPOINT_DIR=str(checkpoints),
               VENV=str(Path(os.sys.executable).parent.parent), **extra)
    return env


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(os.sys.executable).parent / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def _script(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_dump_restores_into_a_new_database_and_verifies(databases, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    source = _env(databases["source"], checkpoints)
    for args in (("db", "upgrade"), ("seed",), ("users", "create", "drill-admin", "--role", "admin",
                                                "--password", "drill-password-1"), ("audit", "checkpoint")):
        result = _flask(source, *args)
        assert result.returncode == 0, result.stderr + result.stdout

    backup = _script(source, "scripts/backup.sh", databases["source"], str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and Path(f"{dump}.sha256").exists() and Path(f"{dump}.audit-head").exists()
    assert b"drill-password-1" not in dump.read_bytes()

    restored = _env(databases["restored"], checkpoints)
    result = _script(restored, "scripts/restore.sh", str(dump), databases["restored"])
    assert result.returncode == 0, result.stderr + result.stdout
    assert "checksum ok" in result.stdout and "audit chain intact" in result.stdout
    assert "1 checkpoints" in result.stdout

    # The restored database is the application's: same keys, the chain goes on, the triggers are there.
    assert _flask(restored, "users", "create", "after-restore", "--role", "admin").returncode == 0
    assert _flask(restored, "audit", "verify").returncode == 0
    engine = sa.create_engine(databases["restored"])
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.execute(sa.text("DELETE FROM audit_entries"))
    engine.dispose()


def test_restoring_refuses_an_existing_database_and_a_damaged_dump(databases, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    source = _env(databases["source"], checkpoints)
    assert _flask(source, "db", "upgrade").returncode == 0
    dump = Path(_script(source, "scripts/backup.sh", databases["source"], str(tmp_path)).stdout.strip())
    refused = _script(source, "scripts/restore.sh", str(dump), databases["source"])
    assert refused.returncode != 0 and "exists already" in refused.stderr
    with dump.open("ab") as handle:
        handle.write(b"damage")
    damaged = _script(_env(databases["restored"], checkpoints), "scripts/restore.sh", str(dump),
                      databases["restored"])
    assert damaged.returncode != 0 and "checksum ok" not in damaged.stdout


def test_an_older_backup_is_told_from_the_live_chain_by_the_checkpoints(databases, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    source = _env(databases["source"], checkpoints)
    assert _flask(source, "db", "upgrade").returncode == 0
    assert _flask(source, "seed").returncode == 0
    dump = Path(_script(source, "scripts/backup.sh", databases["source"], str(tmp_path)).stdout.strip())
    # Life goes on after the backup, and the daily checkpoint records it.
    assert _flask(source, "users", "create", "later-user", "--role", "admin").returncode == 0
    assert _flask(source, "audit", "checkpoint").returncode == 0
    result = _script(_env(databases["restored"], checkpoints), "scripts/restore.sh", str(dump),
                     databases["restored"])
    assert result.returncode != 0
    assert "恢复了较早的备份" in result.stdout
