"""Small builders shared by the training tests."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event

from cardops.core.timeutil import local_today
from cardops.extensions import db


def days_ago(days: int) -> date:
    return local_today() - timedelta(days=days)


def session_body(*attendees, **overrides) -> dict:
    """A valid log body: today's warning education of an hour for ``attendees`` (usernames or dicts)."""
    body = {"date": local_today().isoformat(), "topic": "冒用已故人员身份补卡的识别", "kind": "warning_education",
            "duration_minutes": 60,
            "attendees": [{"username": a} if isinstance(a, str) else a for a in attendees]}
    body.update(overrides)
    return body


@contextmanager
def counting_statements():
    """The SQL statements run inside the block (the test harness's savepoints left out)."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
