"""Time in one place: naive UTC in the database, Asia/Shanghai on screen.

Everything that stamps a time asks ``utcnow()``. The demo seeder replays a year of history through the services
with ``clock_at(moment)``, so every row and audit entry carries the time it stands for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_SET_CLOCK: ContextVar[datetime | None] = ContextVar("cardops_clock", default=None)


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp column stores (identical on SQLite and PostgreSQL)."""
    moment = _SET_CLOCK.get()
    return moment if moment is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """``utcnow()`` answers ``moment`` (naive UTC) inside the block."""
    token = _SET_CLOCK.set(moment)
    try:
        yield
    finally:
        _SET_CLOCK.reset(token)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def local_today() -> date:
    return to_local(utcnow()).date()


def isoformat_utc(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def local_midnight_utc(day: date) -> datetime:
    """The naive-UTC instant at which ``day`` starts in Asia/Shanghai."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


ISO_DATE_RANGE = (date(1970, 1, 1), date(2099, 12, 31))


def parse_iso_date(value) -> date:
    """A ``YYYY-MM-DD`` date of a query string (nothing else that ``fromisoformat`` would take), within the
    years a query may reach without overflowing; ValueError otherwise."""
    if not isinstance(value, str) or len(value.strip()) != 10:
        raise ValueError("not a YYYY-MM-DD date")
    value = value.strip()
    if not (value[4] == value[7] == "-" and value.replace("-", "").isdigit()):
        raise ValueError("not a YYYY-MM-DD date")
    day = date.fromisoformat(value)
    if not ISO_DATE_RANGE[0] <= day <= ISO_DATE_RANGE[1]:
        raise ValueError("date out of range")
    return day
