"""Getting generated rows into the migrated schema fast, and the audit chain hashed as the application hashes it.

* PostgreSQL: the big tables are filled by binary ``COPY … FROM STDIN (FREEZE)``, one connection per table, so the
  server stores while Python generates (FREEZE on a table truncated in the same transaction writes the rows
  frozen and all-visible: no vacuum needed for index-only scans). Their indexes and primary-key, unique and
  foreign-key constraints are read from the catalogue, dropped before the load and re-created after it from that
  very text: the result is the migrated schema with every constraint validated. The chain is hashed in a process
  of its own (``run_chain_process``), the largest single cost of the generator.
* Anything else (SQLite, for the generator's test): SQLAlchemy Core ``executemany`` in batches.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cardops.audit.keys import derive_audit_key
from cardops.audit.services import GENESIS_HASH, canonical_form, seal

BULK_TABLES = ("reissue_requests", "request_checks", "risk_flags", "request_events", "audit_entries")
# ``id`` equals ``seq``: the chain is generated on an empty table.
AUDIT_COLUMNS = ("id", "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "outlet_id",
                 "ip", "detail", "prev_hash", "hash")


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def libpq_conninfo(url: str, database: str | None = None) -> str:
    """``postgresql+psycopg://user@host:port/db`` → a URL psycopg.connect understands."""
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    """Start from nothing: drop and create the PostgreSQL database, or delete the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(libpq_conninfo(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{parsed.database}\" TEMPLATE template0 ENCODING 'UTF8'")


def copy_types(cursor, table: str, columns) -> list[str]:
    """PostgreSQL type names of ``columns``, for a binary COPY."""
    types = dict(cursor.execute(
        """SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped""", (table,)).fetchall())
    return [types[c] for c in columns]


def drop_indexes(conninfo: str, tables=BULK_TABLES) -> dict:
    """Drop the indexes and primary-key, unique and foreign-key constraints touching ``tables``; return the
    statements that put them back, verbatim from the catalogue."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        oids = [conn.execute("SELECT %s::regclass::oid", (t,)).fetchone()[0] for t in tables]
        constraints = conn.execute(
            """SELECT conname, conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE contype IN ('f', 'u', 'p')
               AND (conrelid = ANY(%(o)s) OR (contype = 'f' AND confrelid = ANY(%(o)s)))
               ORDER BY contype <> 'f', conname""", {"o": oids}).fetchall()  # foreign keys go first
        indexes = conn.execute(
            """SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = ANY(%(o)s)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            {"o": oids}).fetchall()
        for name, table, _, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
    add = {kind: [(table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                  for name, table, contype, definition in constraints if (contype == "f") == (kind == "foreign")]
           for kind in ("unique", "foreign")}
    return {"indexes": add["unique"] + [(table, definition) for _, table, definition in indexes],
            "foreign": add["foreign"]}


def restore_indexes(conninfo: str, saved: dict) -> dict[str, float]:
    """Indexes and unique constraints on two connections (biggest tables first), then the foreign keys one by one
    (each validates with one join). Returns seconds per phase."""
    import psycopg

    def run(statement: str) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")  # our own two connections use the cores
            conn.execute(statement)

    order = {t: i for i, t in enumerate(("audit_entries", "request_events", "request_checks", "reissue_requests"))}
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, [s for _, s in sorted(saved["indexes"], key=lambda job: order.get(job[0], 9))]))
    timings = {"restore_indexes": time.perf_counter() - started}
    started = time.perf_counter()
    for _, statement in saved["foreign"]:
        run(statement)
    timings["restore_foreign_keys"] = time.perf_counter() - started
    return timings


def reset_sequences(engine: sa.Engine, tables) -> None:
    with engine.begin() as conn:
        for table in tables:
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), "
                                 f"MAX(id) IS NOT NULL) FROM {table}"))


class CopySink:
    """One binary COPY stream per table, each on its own connection (committed by ``close``)."""

    def __init__(self, conninfo: str, columns: dict[str, tuple[str, ...]]):
        import psycopg

        self._streams = {}
        for table, cols in columns.items():
            conn = psycopg.connect(conninfo)
            conn.execute("SET synchronous_commit = off")
            cur = conn.cursor()
            types = copy_types(cur, table, cols)
            cur.execute(f"TRUNCATE {table}")  # lets COPY FREEZE write the rows frozen
            manager = cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN (FREEZE, FORMAT BINARY)")
            copy = manager.__enter__()
            copy.set_types(types)
            self._streams[table] = (conn, manager, copy)

    def writer(self, table: str):
        return self._streams[table][2].write_row

    def close(self) -> None:
        for conn, manager, _ in self._streams.values():
            manager.__exit__(None, None, None)
            conn.commit()
            conn.close()


class CoreSink:
    """Buffered SQLAlchemy Core inserts on one connection (SQLite, or any database without COPY)."""

    def __init__(self, conn: sa.Connection, metadata: sa.MetaData, columns: dict[str, tuple[str, ...]],
                 batch: int = 5000):
        self.conn, self.metadata, self.columns, self.batch = conn, metadata, columns, batch
        self.buffers: dict[str, list] = {t: [] for t in columns}

    def writer(self, table: str):
        buffer = self.buffers[table]

        def write(row):
            buffer.append(row)
            if len(buffer) >= self.batch:
                self.flush(table)

        return write

    def flush(self, table: str) -> None:
        if self.buffers[table]:
            cols = self.columns[table]
            self.conn.execute(self.metadata.tables[table].insert(),
                              [dict(zip(cols, row, strict=True)) for row in self.buffers[table]])
            self.buffers[table].clear()

    def close(self) -> None:
        for table in self.columns:
            self.flush(table)


def bench_audit_key(data_key: str) -> bytes:
    """The audit key the application derives from the same configuration (``CARDOPS_AUDIT_KEY`` when set)."""
    return derive_audit_key({"CARDOPS_AUDIT_KEY": os.environ.get("CARDOPS_AUDIT_KEY"), "CARDOPS_DATA_KEY": data_key})


class ChainWriter:
    """Appends entries ``(at, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail)``, each
    through ``cardops.audit.services.canonical_form`` and ``seal`` (HMAC-SHA256 under the audit ``key``) with its
    predecessor's hash."""

    def __init__(self, write_row, *, key: bytes, seq: int = 0, last_hash: str = GENESIS_HASH,
                 detail_as_json: bool = False):
        self.write_row, self.key, self.seq, self.last_hash = write_row, key, seq, last_hash
        if detail_as_json:
            from psycopg.types.json import Json
        self.json = Json if detail_as_json else None

    def extend(self, entries) -> None:
        for at, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail in entries:
            self.seq += 1
            payload = canonical_form(seq=self.seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                                     object_type=object_type, object_id=object_id, outlet_id=outlet_id, ip=ip,
                                     detail=detail, prev_hash=self.last_hash)
            digest = seal(payload, self.key)
            stored = detail
            if self.json is not None:
                # The JSON column gets the detail as the canonical form wrote it (sorted keys: "detail" is followed
                # by "ip"), wrapped so that COPY's json dumper sends the text as it is instead of encoding it again.
                start = payload.index(b'"detail":') + 9
                stored = self.json(payload[start:payload.rindex(b',"ip":')], dumps=_as_is)
            self.write_row((self.seq, self.seq, at, actor_id, actor_name, action, object_type, object_id, outlet_id,
                            ip, stored, self.last_hash, digest))
            self.last_hash = digest


def _as_is(text: bytes) -> bytes:
    return text


def run_chain_process(conninfo: str, pipe, key: bytes) -> None:
    """Child process: receive lists of entries until ``None``, COPY them, answer ``(seq, last_hash)``."""
    import gc

    import psycopg

    gc.disable()  # millions of short-lived tuples and no cycles
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        types = copy_types(cur, "audit_entries", AUDIT_COLUMNS)
        cur.execute("TRUNCATE audit_entries")
        with cur.copy(f"COPY audit_entries ({', '.join(AUDIT_COLUMNS)}) FROM STDIN (FREEZE, FORMAT BINARY)") as copy:
            copy.set_types(types)
            chain = ChainWriter(copy.write_row, key=key, detail_as_json=True)
            while (batch := pipe.recv()) is not None:
                chain.extend(batch)
        conn.commit()
    pipe.send((chain.seq, chain.last_hash))
    pipe.close()
