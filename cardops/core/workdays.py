"""Working days by the official Chinese calendar (holidays and swapped working weekends, via
``chinesecalendar``); for years the calendar does not know yet, Monday to Friday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar

from cardops.core.timeutil import LOCAL_TZ, to_local


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
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
