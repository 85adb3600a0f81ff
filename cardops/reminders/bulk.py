"""Writing many notifications at once, each (rule, subject, period, user) at most once.

The database decides what is new: ``INSERT … ON CONFLICT DO NOTHING`` on the unique constraint, returning only the
rows it inserted. A few rows go as one executemany; a burst on PostgreSQL (the first run over years of uncollected
cards: tens of thousands of rows) goes through COPY into a temporary table and one ``INSERT … SELECT``, because
building and parsing giant multi-row INSERTs costs seconds of Python there.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from cardops.extensions import db
from cardops.reminders.models import MailDelivery, Notification

COPY_THRESHOLD = 1000
ONCE = ("rule", "subject", "period", "user_id")
COLUMNS = ("user_id", "rule", "subject", "period", "title", "body", "link", "run_id", "created_at")
_NOTIFICATIONS = Notification.__table__
_STAGING = "incoming_notifications"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def insert_new(table, index_elements):
    """``INSERT … ON CONFLICT (index_elements) DO NOTHING`` in this database's dialect."""
    insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(index_elements))


def insert_notifications(rows: list[dict]) -> list[tuple[int, int]]:
    """Insert ``rows`` (dicts of ``COLUMNS``) that are new; returns the (id, user_id) of those inserted."""
    if not rows:
        return []
    if _dialect() == "postgresql" and len(rows) >= COPY_THRESHOLD:
        return _copy_and_insert(rows)
    stmt = insert_new(_NOTIFICATIONS, ONCE).returning(_NOTIFICATIONS.c.id, _NOTIFICATIONS.c.user_id)
    return [tuple(row) for row in db.session.execute(stmt, rows)]


def _copy_and_insert(rows: list[dict]) -> list[tuple[int, int]]:
    cursor = db.session.connection().connection.driver_connection.cursor()  # psycopg 3, in this transaction
    with cursor:
        cursor.execute(f"""CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (
            user_id integer, rule varchar(40), subject varchar(64), period varchar(32), title varchar(200),
            body text, link varchar(300), run_id integer, created_at timestamp) ON COMMIT DELETE ROWS""")
        cursor.execute(f"TRUNCATE {_STAGING}")
        columns = ", ".join(COLUMNS)
        with cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in COLUMNS])
        cursor.execute(f"""INSERT INTO notifications ({columns}) SELECT {columns} FROM {_STAGING}
                           ON CONFLICT ({", ".join(ONCE)}) DO NOTHING RETURNING id, user_id""")
        created = [tuple(row) for row in cursor.fetchall()]
        if len(created) >= COPY_THRESHOLD:
            # Statistics of the table as it now is: until autovacuum gets to it, the planner would take a rule's
            # hundreds of thousands of rows for a few hundred, and the next run's look-ups by subject for a scan
            # of all of them (22 s instead of 2 at a million requests). Sampling costs a fraction of a second.
            cursor.execute("ANALYZE notifications")
        return created


def insert_deliveries(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert_new(MailDelivery.__table__, ["notification_id"]), rows)
