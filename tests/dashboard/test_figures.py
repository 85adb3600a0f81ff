"""The figures service (SPEC §8) on a hand-built district: every figure, period edges in local dates, percentiles
with one, two and many values, empty outlets, scope, and a fixed number of statements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cardops.core.errors import NotFound
from cardops.core.timeutil import clock_at
from cardops.dashboard.figures import outlet_stats, requests_by_day
from cardops.dashboard.periods import Period
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import services
from cardops.training.queries import last_warning_education
from tests.dashboard.district import expected_rows, hours, local
from tests.guards import counting_statements
from tests.reissue.helpers import intake_body
from tests.reissue.workflow_support import pass_missing_checks

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
CODES = [f"PT{n:02d}" for n in range(1, 11)]


def by_code(stats) -> dict:
    return {row["outlet_code"]: row for row in stats.rows}


def test_every_figure_of_the_hand_built_district(district, supervisor):
    stats = outlet_stats(supervisor, MARCH)
    expected = expected_rows()
    assert [row["outlet_code"] for row in stats.rows] == CODES  # every outlet, in code order
    rows = by_code(stats)
    for code in ("PT01", "PT02", "PT03"):
        assert rows[code] == expected[code], code
    assert stats.totals == expected[None]
    assert rows["PT10"]["requests"]["total"] == 0 and rows["PT10"]["turnaround_hours"] == expected["PT03"][
        "turnaround_hours"]
    answer = stats.to_dict()
    assert (answer["from"], answer["to"]) == ("2026-03-01", "2026-03-31") and answer["as_of"].endswith("Z")


@pytest.mark.parametrize(("day", "requests"), [
    ("2026-02-28", ["C"]),  # 23:59 local on the 28th is 15:59 UTC: that day, not March
    ("2026-03-01", ["A"]),  # 00:30 local on the 1st is still the 28th in UTC
    ("2026-03-31", ["B"]),  # 23:30 local: the last day of the period, both ends included
    ("2026-04-01", ["D"]),
])
def test_requests_count_on_their_local_day_of_intake(district, supervisor, day, requests):
    one_day = Period(date.fromisoformat(day), date.fromisoformat(day))
    stats = outlet_stats(supervisor, one_day, "PT01")
    assert stats.totals["requests"]["total"] == len(requests) == stats.rows[0]["requests"]["total"]
    kinds = {key: n for key, n in stats.rows[0]["requests"]["by_kind"].items() if n}
    assert kinds == {district[name].kind: 1 for name in requests}


def test_percentiles_of_one_two_and_many_values(clerk, supervisor, outlet):
    """PT01 alone, requests taking 5, 1, 9, 3, 7, 2 and 8 hours from intake to submission."""
    start = local("2026-06-01 09:00")
    for i, taken in enumerate((5, 1, 9, 3, 7, 2, 8)):
        with clock_at(start + timedelta(days=i)):
            request = services.intake(clerk, intake_body())
            pass_missing_checks(clerk, request)
        with clock_at(hours(start + timedelta(days=i), taken)):
            services.submit(clerk, request)
    figures = {}
    for days, label in ((1, "one"), (2, "two"), (7, "many")):
        period = Period(date(2026, 6, 1), date(2026, 6, days))
        figures[label] = outlet_stats(supervisor, period, "PT01").rows[0]["turnaround_hours"]["intake_to_submitted"]
    assert figures["one"] == {"median": 5.0, "p90": 5.0}
    assert figures["two"] == {"median": 3.0, "p90": 4.6}  # 1 and 5: the mean; 90 % of the way from 1 to 5
    assert figures["many"] == {"median": 5.0, "p90": 8.4}  # 1 2 3 5 7 8 9: rank 3; rank 5.4 → 8 + 0.4
    empty = outlet_stats(supervisor, Period(date(2026, 7, 1), date(2026, 7, 31)), "PT01").rows[0]
    assert empty["turnaround_hours"]["intake_to_submitted"] == {"median": None, "p90": None}


def test_a_clerk_sees_their_outlet_only(district, clerk, other_clerk):
    stats = outlet_stats(clerk, MARCH)
    expected = expected_rows()["PT01"]
    assert [row["outlet_code"] for row in stats.rows] == ["PT01"]
    assert stats.rows[0] == expected
    assert stats.totals == {**expected, "outlet_code": None, "name": "合计"}
    with pytest.raises(NotFound):
        outlet_stats(clerk, MARCH, "PT02")
    assert outlet_stats(clerk, MARCH, "pt01").rows[0] == expected  # the code as typed
    assert outlet_stats(other_clerk, MARCH).rows[0]["requests"]["total"] == 2


def test_one_outlet_asked_for_by_a_supervisor_and_unknown_outlets(district, supervisor):
    stats = outlet_stats(supervisor, MARCH, "PT02")
    assert [row["outlet_code"] for row in stats.rows] == ["PT02"]
    assert stats.totals["requests"] == expected_rows()["PT02"]["requests"]
    assert stats.totals["turnaround_hours"] == expected_rows()["PT02"]["turnaround_hours"]
    with pytest.raises(NotFound):
        outlet_stats(supervisor, MARCH, "PT99")


def test_a_closed_outlet_appears_only_with_figures(district, supervisor, outlet):
    from cardops.outlets.services import outlet_by_code

    outlet_by_code("PT03").active = False
    outlet.active = False
    db.session.flush()
    codes = [row["outlet_code"] for row in outlet_stats(supervisor, MARCH).rows]
    assert "PT01" in codes and "PT03" not in codes  # PT01 closed since, but it took requests in March
    assert [row["outlet_code"] for row in outlet_stats(supervisor, MARCH, "PT03").rows] == ["PT03"]


def test_requests_by_day_for_the_chart(district, supervisor):
    stats = outlet_stats(supervisor, MARCH)
    days = requests_by_day(supervisor, stats)
    pt01, pt02 = (o.id for o in stats.outlets[:2])
    assert days[(pt01, date(2026, 3, 1))] == 1 and days[(pt01, date(2026, 3, 31))] == 1
    assert sum(n for (outlet_id, _), n in days.items() if outlet_id == pt01) == 6
    assert sum(days.values()) == 8 and date(2026, 2, 28) not in {d for _, d in days}


def test_last_warning_education_counts_sessions_at_the_outlet_only(district, outlet, other_outlet):
    ids = [outlet.id, other_outlet.id]
    assert last_warning_education(ids) == {outlet.id: date(2026, 3, 12), other_outlet.id: date(2026, 4, 5)}
    assert last_warning_education(ids, on_or_before=date(2026, 3, 31)) == {outlet.id: date(2026, 3, 12),
                                                                           other_outlet.id: None}
    assert last_warning_education(ids, on_or_before=date(2026, 3, 11)) == {outlet.id: None, other_outlet.id: None}
    assert last_warning_education([]) == {}
    every_outlet = last_warning_education()  # every active outlet, None where there was none
    assert {k: v for k, v in every_outlet.items() if v} == {outlet.id: date(2026, 3, 12),
                                                             other_outlet.id: date(2026, 4, 5)}
    assert len(every_outlet) == db.session.scalar(select(func.count()).select_from(Outlet).where(Outlet.active))


def test_the_number_of_statements_does_not_grow_with_the_district(district, supervisor, clerk):
    def statements(run) -> int:
        with counting_statements() as seen:
            run()
        return len(seen)

    small = statements(lambda: outlet_stats(supervisor, Period(date(2025, 1, 1), date(2025, 1, 31))))
    full = statements(lambda: outlet_stats(supervisor, Period(date(2026, 1, 1), date(2026, 12, 31))))
    assert small == full <= 8
    assert statements(lambda: outlet_stats(clerk, MARCH)) == full


def test_sql_and_python_percentiles_agree_on_many_odd_durations(make_user, supervisor):
    """On PostgreSQL the percentiles come from SQL, on SQLite from the values: the same numbers either way."""
    import random

    from cardops.dashboard.percentiles import percentile_cont
    from cardops.outlets.services import outlet_by_code

    pt05 = outlet_by_code("PT05")
    clerk = make_user("clerk", outlet_=pt05, username="pt05-test")
    rng = random.Random(5)
    taken = []
    start = local("2026-05-04 09:00")
    for i in range(23):
        seconds = rng.randint(60, 72 * 3600) + rng.randint(0, 999_999) / 1e6
        with clock_at(start + timedelta(hours=i)):
            request = services.intake(clerk, intake_body())
            pass_missing_checks(clerk, request)
        with clock_at(start + timedelta(hours=i, seconds=seconds)):
            services.submit(clerk, request)
        taken.append(seconds / 3600)
    figures = outlet_stats(supervisor, Period(date(2026, 5, 1), date(2026, 5, 31)), "PT05")
    got = figures.rows[0]["turnaround_hours"]["intake_to_submitted"]
    assert got == {"median": round(percentile_cont(taken, 0.5), 2), "p90": round(percentile_cont(taken, 0.9), 2)}
