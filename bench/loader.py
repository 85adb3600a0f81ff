"""Getting generated rows into the database fast, into the schema the migrations made.

* PostgreSQL: the big tables are filled by binary ``COPY … FROM STDIN (FREEZE)``, one connection per table so
  the server stores while Python generates (FREEZE on a table truncated in the same transaction writes the
  rows frozen and all-visible: no vacuum needed before index-only scans). Their indexes and primary-key,
  unique and foreign-key constraints are read from the catalogue (``pg_get_indexdef``/``pg_get_constraintdef``),
  dropped before the load and re-created after it from that very text, so the result is exactly the migrated
  schema with every constraint validated (the partial unique index "one open request per applicant" included).
* Anything else (SQLite for the generator's own test): SQLAlchemy Core ``executemany`` in batches.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

BULK_TABLES = ("reissue_requests", "request_checks", "risk_flags", "request_events", "audit_entries")


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def libpq_conninfo(url: str) -> str:
    """``postgresql+psycopg://user@host:port/db`` → a libpq URL psycopg.connect understands."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    """Start from nothing: drop and create the PostgreSQL database, or delete the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).unlink(missing_ok=True)
        return
    import psycopg

    admin = libpq_conninfo(str(parsed.set(database="postgres")))
    name = parsed.database
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')


def migrate(url: str) -> None:
    """Bring the empty database to the head revision with the application's own Alembic migrations."""
    from flask_migrate import upgrade

    from cardops import create_app
    from config import TestingConfig

    # Migrations need no keys; TestingConfig is merely the class that does not read or write secrets.
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, TESTING=False)
    with app.app_context():
        upgrade()
        from cardops.extensions import db

        db.engine.dispose()


# --- PostgreSQL: drop and restore what slows a bulk load down --------------------------------------------

def capture_and_drop(conninfo: str, tables=BULK_TABLES) -> dict:
    """Drop the indexes and the primary-key, unique and foreign-key constraints touching ``tables``; return the
    statements that put them back, taken verbatim from the catalogue."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        oids = [conn.execute("SELECT %s::regclass::oid", (t,)).fetchone()[0] for t in tables]
        constraints = conn.execute(
            """SELECT conname, conrelid::regclass::text, contype, pg_get_constraintdef(oid)
               FROM pg_constraint WHERE contype IN ('f', 'u', 'p')
               AND (conrelid = ANY(%(o)s) OR (contype = 'f' AND confrelid = ANY(%(o)s)))
               ORDER BY conname""", {"o": oids}).fetchall()
        indexes = conn.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = ANY(%(o)s)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
               ORDER BY 1""", {"o": oids}).fetchall()
        for name, table, _kind, _ in sorted(constraints, key=lambda c: c[2] != "f"):  # FKs go first
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.commit()
    return {
        "unique": [(table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                   for name, table, contype, definition in constraints if contype in ("u", "p")],
        "indexes": [(_table_of(definition), definition) for _, definition in indexes],
        "foreign": [(table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                    for name, table, contype, definition in constraints if contype == "f"],
    }


def copy_types(cursor, table: str, columns) -> list[str]:
    """PostgreSQL type names of ``columns``, for a binary COPY (no text parsing on the server)."""
    rows = cursor.execute(
        """SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped""", (table,)).fetchall()
    types = dict(rows)
    return [types[c] for c in columns]


def _table_of(index_definition: str) -> str:
    """``CREATE INDEX ix ON public.audit_entries USING btree (…)`` → ``audit_entries``."""
    return index_definition.split(" ON ", 1)[1].split(" ", 1)[0].split(".")[-1]


def restore(conninfo: str, saved: dict, *, parallel: int = 2) -> dict[str, float]:
    """Re-create indexes, primary keys and unique constraints (``parallel`` connections, biggest tables first), then the
    foreign keys one by one (each validates with one join). Returns seconds per phase."""
    import psycopg

    def run(statement: str) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")  # our own parallelism uses the cores
            conn.execute(statement)

    timings = {}
    order = {"audit_entries": 0, "request_events": 1, "request_checks": 2, "reissue_requests": 3}
    jobs = sorted(saved["indexes"] + saved["unique"], key=lambda job: order.get(job[0].strip('"'), 9))
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(run, [statement for _, statement in jobs]))
    timings["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    for _, statement in saved["foreign"]:
        run(statement)
    timings["foreign_keys"] = time.perf_counter() - started
    return timings


def reset_sequences(engine: sa.Engine, tables) -> None:
    with engine.begin() as conn:
        for table in tables:
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {table}"))


# --- row sinks -------------------------------------------------------------------------------------------

class CopySink:
    """One COPY stream per table, each on its own connection and transaction (committed by ``close``)."""

    def __init__(self, conninfo: str, columns: dict[str, tuple[str, ...]], json_columns: dict[str, set[str]]):
        import psycopg

        self._streams = {}
        self._json = {t: [columns[t].index(c) for c in json_columns.get(t, ())] for t in columns}
        for table, cols in columns.items():
            conn = psycopg.connect(conninfo)
            conn.execute("SET synchronous_commit = off")
            cur = conn.cursor()
            types = copy_types(cur, table, cols)
            cur.execute(f"TRUNCATE {table}")  # lets COPY FREEZE write the rows frozen and all-visible
            copy_cm = cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN (FREEZE, FORMAT BINARY)")
            copy = copy_cm.__enter__()
            copy.set_types(types)
            self._streams[table] = (conn, copy_cm, copy)

    def writer(self, table: str):
        copy = self._streams[table][2]
        positions = self._json[table]
        if not positions:
            return copy.write_row

        def write(row):
            row = list(row)
            for i in positions:
                row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)

        return write

    def close(self) -> None:
        for conn, copy_cm, _ in self._streams.values():
            copy_cm.__exit__(None, None, None)
            conn.commit()
            conn.close()


class CoreSink:
    """Buffered SQLAlchemy Core inserts on one connection (SQLite, or any database without COPY)."""

    BATCH = 5000

    def __init__(self, conn: sa.Connection, metadata: sa.MetaData, columns: dict[str, tuple[str, ...]]):
        self._conn = conn
        self._tables = {t: metadata.tables[t] for t in columns}
        self._columns = columns
        self._buffers: dict[str, list] = {t: [] for t in columns}

    def writer(self, table: str):
        buffer = self._buffers[table]

        def write(row):
            buffer.append(row)
            if len(buffer) >= self.BATCH:
                self._flush(table)

        return write

    def _flush(self, table: str) -> None:
        buffer = self._buffers[table]
        if buffer:
            cols = self._columns[table]
            self._conn.execute(self._tables[table].insert(), [dict(zip(cols, row, strict=True)) for row in buffer])
            buffer.clear()

    def close(self) -> None:
        for table in self._columns:
            self._flush(table)
