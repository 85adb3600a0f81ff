"""Working days by the official calendar (2026: National Day 1–7 October, swapped working days Sunday 20 September
and Saturday 10 October), the Monday–Friday fallback for a year the calendar does not know, and its warning."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cardops.core.crontab import CrontabError, parse_crontab
from cardops.core.timeutil import LOCAL_TZ
from cardops.core.workdays import calendar_knows, is_working_day, noting_calendar_gaps, subtract_working_days
from cardops.reminders.runs import run_rule
from tests.reminders.conftest import local, made_at, notified, run

UNKNOWN_YEAR = 2099


def test_the_calendar_knows_2026_and_not_every_year():
    assert calendar_knows(2026) and not calendar_knows(UNKNOWN_YEAR)
    assert not is_working_day(date(2026, 10, 5))  # a Monday of the National Day week
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked instead
    assert is_working_day(date(2026, 9, 20))  # a Sunday worked instead


def test_a_stale_request_across_the_national_day_week(staff):
    request = made_at("2026-09-30 10:00", "intake", staff["clerk"], staff["supervisor"])  # the eve of the week
    # Monday to Friday would call it stale on 8 October (counting 6 and 7 October): the calendar does not.
    assert run("stale_requests", "2026-10-08").notified == 0
    assert run("stale_requests", "2026-10-09").notified == 0  # 8 and 9 October: two working days, not more
    assert run("stale_requests", "2026-10-10").notified == 3  # Saturday 10 October is a working day
    assert {n.subject for n in notified("stale_requests")} == {request.number}


def test_a_stale_request_across_a_swapped_working_saturday(staff):
    made_at("2026-10-09 10:00", "intake", staff["clerk"], staff["supervisor"])  # Friday
    assert run("stale_requests", "2026-10-12").notified == 0  # Sat 10 (worked) and Mon 12: not more than two
    # Tuesday 09:00: Monday and the worked Saturday lie behind it; Monday to Friday would say only Friday + Monday.
    assert run("stale_requests", "2026-10-13").notified == 3


def test_a_run_in_a_year_the_calendar_does_not_know_uses_monday_to_friday_and_warns(staff):
    made_at(f"{UNKNOWN_YEAR}-03-09 10:00", "intake", staff["clerk"], staff["supervisor"])  # a Monday
    quiet = run("stale_requests", f"{UNKNOWN_YEAR}-03-11")
    assert quiet.notified == 0
    assert len(quiet.warnings) == 1 and str(UNKNOWN_YEAR) in quiet.warnings[0] and "周一至周五" in quiet.warnings[0]
    loud = run("stale_requests", f"{UNKNOWN_YEAR}-03-12")
    assert loud.status == "ok" and loud.notified == 3 and loud.warnings


def test_a_run_in_a_known_year_has_no_warning(staff):
    assert run("stale_requests", "2026-11-20").warnings == []


def test_the_fallback_outside_a_run_is_still_collected_when_asked():
    with noting_calendar_gaps() as gaps:
        subtract_working_days(local(f"{UNKNOWN_YEAR}-01-06 09:00"), 2)
    assert gaps == {UNKNOWN_YEAR}
    assert is_working_day(date(UNKNOWN_YEAR, 1, 5)) and not is_working_day(date(UNKNOWN_YEAR, 1, 3))


def test_rules_other_than_stale_do_not_warn_needlessly(staff):
    assert run_rule("uncollected_30", as_of=local(f"{UNKNOWN_YEAR}-03-12 09:00")).warnings == []


# --- schedules read as Unix cron, 1-5 = the official working days --------------------------------------------


def _runs(schedule: str, start: str, count: int) -> list[str]:
    after = datetime.fromisoformat(start).replace(tzinfo=LOCAL_TZ)
    return [moment.strftime("%m-%d %a %H:%M") for moment in parse_crontab(schedule).next_runs(after, count, LOCAL_TZ)]


def test_working_day_schedules_skip_the_holidays_and_run_on_swapped_weekends():
    assert _runs("30 8 * * 1-5", "2026-09-30 09:00", 3) == ["10-08 Thu 08:30", "10-09 Fri 08:30", "10-10 Sat 08:30"]
    assert _runs("30 8 * * 1-5", "2026-09-18 09:00", 2) == ["09-20 Sun 08:30", "09-21 Mon 08:30"]
    assert _runs("0 9 * * 1-5", "2026-09-24 10:00", 1) == ["09-28 Mon 09:00"]  # Fri 25 Sep: Mid-Autumn


def test_weekdays_count_from_sunday_as_in_cron():
    assert _runs("0 8 * * 1", "2026-11-25 00:00", 2) == ["11-30 Mon 08:00", "12-07 Mon 08:00"]
    assert _runs("0 8 * * 0", "2026-11-25 00:00", 1) == ["11-29 Sun 08:00"]
    assert _runs("0 8 * * 7", "2026-11-25 00:00", 1) == ["11-29 Sun 08:00"]
    assert _runs("0 8 * * sat", "2026-11-25 00:00", 1) == ["11-28 Sat 08:00"]
    assert _runs("0 9 20 * *", "2026-11-25 00:00", 2) == ["12-20 Sun 09:00", "01-20 Wed 09:00"]


def test_schedules_are_described_in_words():
    assert parse_crontab("30 8 * * 1-5").describe().startswith("每个工作日 08:30")
    assert parse_crontab("0 9 20 * *").describe() == "每月20日 09:00"
    assert parse_crontab("0 8 * * 1").describe() == "每周一 08:00"
    assert parse_crontab("*/15 * * * *").describe() is None


@pytest.mark.parametrize("schedule", ["", "0 9 * *", "0 9 * * * *", "60 9 * * *", "0 24 * * *", "0 9 0 * *",
                                      "0 9 * 13 *", "0 9 * * 8", "0 9 5-1 * *", "*/0 9 * * *", "0 9 20 * 1",
                                      "a 9 * * *", "0 9 1,,2 * *", "０ 9 * * *", None, 5])
def test_a_bad_schedule_is_refused_with_a_reason(schedule):
    with pytest.raises(CrontabError) as refused:
        parse_crontab(schedule)
    assert str(refused.value)
