"""``audit_entries`` is append-only in the database itself: migration 0007 creates triggers that refuse UPDATE
and DELETE on PostgreSQL and SQLite alike (what they protect against: README, "Production").

The one sanctioned way around them is maintenance that empties or repairs the table on purpose — the test suite
between tests, a tamper test — inside one transaction: ``append_only_lifted(connection)``. On PostgreSQL it
disables the trigger for the transaction (the table's owner only; an ordinary application role cannot), and
``TRUNCATE`` (which row triggers do not see, and which needs its own privilege) remains the way to empty the table.
On SQLite the triggers are dropped and re-created from their own definitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "audit_entries"
PG_TRIGGER = "audit_entries_append_only"


@contextmanager
def append_only_lifted(connection: Connection) -> Iterator[None]:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ALTER TABLE {TABLE} DISABLE TRIGGER {PG_TRIGGER}"))
        try:
            yield
        finally:
            connection.execute(text(f"ALTER TABLE {TABLE} ENABLE TRIGGER {PG_TRIGGER}"))
        return
    triggers = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": TABLE}).all()
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        for _name, sql in triggers:
            connection.execute(text(sql))
