"""Fixtures of the reminder tests: staff of two outlets, a trainer on the roster, requests made at a given local
time through the real services, and a rule run as at a given local date (09:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cardops.auth.models import User
from cardops.core.timeutil import LOCAL_TZ, clock_at
from cardops.extensions import db
from cardops.reminders.models import Notification, RunTrigger
from cardops.reminders.runs import as_of_moment, run_rule
from tests.reissue.workflow_support import request_in


def local(text: str) -> datetime:
    """``"2026-09-30 10:00"`` (Asia/Shanghai) → naive UTC."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


def run(key: str, day: str | date | None = None, **kwargs):
    """Run rule ``key`` as at 09:00 of ``day`` (``YYYY-MM-DD``), now when None."""
    as_of = None if day is None else as_of_moment(date.fromisoformat(day) if isinstance(day, str) else day)
    return run_rule(key, as_of=as_of, trigger=kwargs.pop("trigger", RunTrigger.CLI), **kwargs)


def notified(rule: str | None = None, **where) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if rule:
        stmt = stmt.where(Notification.rule == rule)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return list(db.session.scalars(stmt))


def recipients(rule: str, subject: str | None = None) -> set[str]:
    return {db.session.get(User, n.user_id).username
            for n in notified(rule, **({"subject": subject} if subject else {}))}


def made_at(moment: str, status: str, clerk, reviewer, **body):
    """A request brought to ``status`` with every step at local time ``moment``."""
    with clock_at(local(moment)):
        return request_in(status, clerk, reviewer, **body)


@pytest.fixture
def staff(make_user, clerk, clerk2, other_clerk, supervisor):
    """Two clerks at PT01, one at PT02, a supervisor, a second supervisor, a PT01 clerk+trainer, an admin."""
    return {
        "clerk": clerk, "clerk2": clerk2, "other_clerk": other_clerk, "supervisor": supervisor,
        "supervisor2": make_user("supervisor", username="supervisor-2", display_name="督导乙"),
        "trainer": make_user("clerk", "trainer", username="trainer-a", display_name="小教员甲"),
        "admin": make_user("admin", username="admin-x", display_name="管理员"),
    }
