"""Working days by the official Chinese calendar (holidays and swapped working weekends, via
``chinesecalendar``); for years the calendar does not know yet, Monday to Friday.

That fallback is a guess, so it is never silent: inside ``noting_calendar_gaps()`` every year the calendar did not
know is collected, and whoever asked (a reminder run) records a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

import chinese_calendar

from cardops.core.timeutil import LOCAL_TZ, to_local

_GAPS: ContextVar[set[int] | None] = ContextVar("cardops_calendar_gaps", default=None)


def calendar_knows(year: int) -> bool:
    """Whether the installed calendar has the State Council's holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@contextmanager
def noting_calendar_gaps() -> Iterator[set[int]]:
    """Collect, into the set it yields, each year for which Monday to Friday had to stand in for the calendar."""
    gaps: set[int] = set()
    token = _GAPS.set(gaps)
    try:
        yield gaps
    finally:
        _GAPS.reset(token)


@functools.lru_cache(maxsize=8192)
def _official_working_day(day: date) -> bool | None:
    """The calendar's answer, None for a year it does not know (remembered: each look-up scans its tables)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_working_day(day: date) -> bool:
    official = _official_working_day(day)
    if official is not None:
        return official
    gaps = _GAPS.get()
    if gaps is not None:
        gaps.add(day.year)
    return day.weekday() < 5


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def subtract_working_days(moment_utc: datetime, days: int) -> datetime:
    """The naive-UTC instant ``days`` working days before ``moment_utc`` (same local time of day)."""
    local = to_local(moment_utc)
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    shifted = datetime.combine(day, local.time(), tzinfo=LOCAL_TZ)
    return shifted.astimezone(UTC).replace(tzinfo=None)
