"""Periods (local dates, presets of the page's picker, the limits) and the percentile formula."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from cardops.core.errors import ValidationError
from cardops.dashboard.percentiles import percentile_cont
from cardops.dashboard.periods import Period, page_period, parse_period, preset_period


@pytest.mark.parametrize(("today", "name", "start", "end"), [
    ("2026-02-15", "this_month", "2026-02-01", "2026-02-28"),
    ("2024-02-15", "this_month", "2024-02-01", "2024-02-29"),
    ("2026-02-15", "last_month", "2026-01-01", "2026-01-31"),
    ("2026-01-01", "last_month", "2025-12-01", "2025-12-31"),
    ("2026-03-31", "last_month", "2026-02-01", "2026-02-28"),
    ("2026-02-15", "this_quarter", "2026-01-01", "2026-03-31"),
    ("2026-11-30", "this_quarter", "2026-10-01", "2026-12-31"),
    ("2026-06-30", "this_quarter", "2026-04-01", "2026-06-30"),
    ("2026-07-01", "this_year", "2026-01-01", "2026-12-31"),
])
def test_presets(today, name, start, end):
    period = preset_period(name, date.fromisoformat(today))
    assert (period.start.isoformat(), period.end.isoformat(), period.preset) == (start, end, name)


def test_a_period_covers_its_local_days_in_utc():
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert period.start_utc == datetime(2026, 2, 28, 16, 0)  # midnight in Shanghai
    assert period.end_utc == datetime(2026, 3, 31, 16, 0)  # exclusive: the instant April starts
    assert period.days == 31 and period.args() == {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_page_period_defaults_to_this_month_and_recognises_presets():
    today = date(2026, 11, 27)
    assert page_period(MultiDict(), today) == Period(date(2026, 11, 1), date(2026, 11, 30), "this_month")
    assert page_period(MultiDict({"period": "this_year"}), today).preset == "this_year"
    custom = page_period(MultiDict({"period": "custom", "from": "2026-10-01", "to": "2026-10-31"}), today)
    assert custom == Period(date(2026, 10, 1), date(2026, 10, 31), "last_month")  # dates that are a preset
    odd = page_period(MultiDict({"from": "2026-10-03", "to": "2026-10-09"}), today)
    assert odd.preset == "custom"
    with pytest.raises(ValidationError) as refused:
        page_period(MultiDict({"period": "fortnight"}), today)
    assert set(refused.value.fields) == {"period"}
    with pytest.raises(ValidationError) as refused:
        page_period(MultiDict({"period": "custom", "from": "2026-10-03"}), today)
    assert set(refused.value.fields) == {"to"}


@pytest.mark.parametrize(("args", "fields"), [
    ({}, {"from", "to"}),
    ({"from": "2026-01-01", "to": "2025-12-31"}, {"from"}),
    ({"from": " 2026-01-01 ", "to": "2026-13-01"}, {"to"}),
    ({"from": "2026-W01-1", "to": "2026-01-31"}, {"from"}),
    ({"from": "2026-01-01", "to": "2029-01-01"}, {"to"}),
])
def test_parse_period_refusals(args, fields):
    with pytest.raises(ValidationError) as refused:
        parse_period(MultiDict(args))
    assert set(refused.value.fields) == fields and refused.value.status == 400


def test_parse_period_accepts_up_to_three_years():
    assert parse_period(MultiDict({"from": "2026-01-01", "to": "2028-12-31"})).days == 1096
    assert parse_period(MultiDict({"from": "2024-02-29", "to": "2027-02-28"})).end == date(2027, 2, 28)


@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([], 0.5, None),
    ([7.0], 0.5, 7.0),
    ([7.0], 0.9, 7.0),
    ([1.0, 5.0], 0.5, 3.0),
    ([5.0, 1.0], 0.9, 4.6),
    ([1, 2, 3, 4], 0.5, 2.5),
    ([9, 1, 8, 2, 7, 3, 5], 0.9, 8.4),
    ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 91.0),
    ([3, 3, 3], 0.9, 3.0),
    ([1, 2, 3], 0.0, 1.0),
    ([1, 2, 3], 1.0, 3.0),
])
def test_percentile_cont_interpolates_between_ranks(values, fraction, expected):
    result = percentile_cont(values, fraction)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_percentile_fraction_out_of_range():
    with pytest.raises(ValueError):
        percentile_cont([1, 2], 1.5)


def test_chart_buckets_days_weeks_months():
    from cardops.dashboard.charts import buckets, short_name

    unit, spans = buckets(date(2026, 3, 1), date(2026, 3, 31))
    assert unit == "day" and len(spans) == 31 and spans[0] == (date(2026, 3, 1), date(2026, 3, 1))
    unit, spans = buckets(date(2026, 1, 1), date(2026, 3, 31))  # a quarter: weeks from Monday, ends clipped
    assert unit == "week" and spans[0] == (date(2026, 1, 1), date(2026, 1, 4)) and spans[1][0] == date(2026, 1, 5)
    assert spans[-1] == (date(2026, 3, 30), date(2026, 3, 31)) and all(s[0].weekday() == 0 for s in spans[1:])
    unit, spans = buckets(date(2025, 12, 15), date(2026, 12, 2))
    assert unit == "month" and spans[0] == (date(2025, 12, 15), date(2025, 12, 31)) and len(spans) == 13
    assert spans[-1] == (date(2026, 12, 1), date(2026, 12, 2))
    assert short_name("PT01", "长寿路街道社区事务受理服务中心") == "PT01 长寿路"
    assert short_name("PT09", "长征镇社区事务受理服务中心") == "PT09 长征镇"
    assert short_name("X1", "Some outlet") == "X1"
