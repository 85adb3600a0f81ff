"""Reading the training log: outlet scoping of sessions, the year's summary (hours arithmetic, every person with 0
when untrained, quarters, trainers) and ``last_warning_education`` (read by the reminders and the dashboard)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cardops.auth import services as accounts
from cardops.core.errors import NotFound, ValidationError
from cardops.core.timeutil import clock_at, local_today, utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.training import services
from cardops.training.queries import (
    SessionFilters,
    get_session_or_404,
    last_warning_education,
    parse_year,
    sessions_query,
)
from cardops.training.summary import hours, month_before, personal_record, training_summary, warning_education_overdue
from tests.guards import counting_statements
from tests.training.support import days_ago, session_body


def log(actor, *attendees, **overrides):
    return services.log_session(actor, session_body(*attendees, **overrides))


def visible(actor, **filters) -> list[int]:
    return [s.id for s in db.session.scalars(sessions_query(actor, SessionFilters(**filters)))]


# --- scoping ------------------------------------------------------------------------------------------------

@pytest.fixture
def three_sessions(supervisor, trainer, other_trainer, clerk, clerk2, other_clerk):
    here = log(trainer, "clerk-a")
    there = log(other_trainer, "clerk-other")
    district = log(supervisor, "clerk-a", "clerk-other", outlet_code=None)
    return here, there, district


def test_outlet_staff_see_their_outlet_and_district_sessions_they_took_part_in(three_sessions, clerk, clerk2,
                                                                               trainer, other_clerk, supervisor):
    here, there, district = three_sessions
    assert visible(clerk) == [district.id, here.id]  # newest first (same day: higher id first)
    assert visible(clerk2) == [here.id]  # not on the district session
    assert visible(trainer) == [here.id]
    assert visible(other_clerk) == [district.id, there.id]
    assert visible(supervisor) == [district.id, there.id, here.id]
    with pytest.raises(NotFound):
        get_session_or_404(clerk, there.id)
    with pytest.raises(NotFound):
        get_session_or_404(clerk2, district.id)
    assert get_session_or_404(clerk, district.id) is district
    for missing in (0, -1, 2**31, 10**30):
        with pytest.raises(NotFound):
            get_session_or_404(supervisor, missing)


def test_an_absent_invitee_still_sees_the_district_session_they_missed(supervisor, clerk2):
    district = log(supervisor, {"username": "clerk-b", "attended": False}, outlet_code=None)
    assert visible(clerk2) == [district.id]


def test_a_trainer_named_on_another_outlet_session_sees_it(supervisor, trainer, other_clerk):
    there = log(supervisor, "clerk-other", outlet_code="PT02", trainer="trainer-a")
    assert visible(trainer) == [there.id]


def test_admins_see_nothing(three_sessions, admin):
    assert visible(admin) == []


def test_filters(supervisor, trainer, other_trainer, clerk, other_clerk):
    old = log(trainer, "clerk-a", kind="business", date=days_ago(40).isoformat())
    new = log(trainer, "clerk-a")
    there = log(other_trainer, "clerk-other", kind="onboarding")
    district = log(supervisor, "clerk-a", outlet_code=None)
    assert visible(supervisor, outlet_code="PT01") == [new.id, old.id]
    assert visible(supervisor, outlet_code="DISTRICT") == [district.id]
    assert visible(supervisor, kind="business") == [old.id]
    assert visible(supervisor, trainer="TRAINER-B") == [there.id]
    assert visible(supervisor, date_from=days_ago(41), date_to=days_ago(39)) == [old.id]
    assert visible(clerk, outlet_code="PT01") == [new.id, old.id]
    assert visible(clerk, outlet_code="DISTRICT") == [district.id]
    with pytest.raises(NotFound):
        visible(clerk, outlet_code="PT02")


@pytest.mark.parametrize("args", [{"kind": "x"}, {"from": "2026-02-30"}, {"to": "tomorrow"},
                                  {"from": "2026-05-02", "to": "2026-05-01"}, {"outlet_code": "PT99"},
                                  {"outlet_code": "X" * 20}, {"trainer": "t" * 65}])
def test_bad_filters_are_400_naming_the_parameter(app, args):
    with pytest.raises(ValidationError) as caught:
        SessionFilters.from_args(args)
    assert caught.value.fields


@pytest.mark.parametrize(("value", "year"), [(None, 2026), ("", 2026), ("2025", 2025), ("2000", 2000)])
def test_year_parameter(value, year):
    assert parse_year(value, 2026) == year


@pytest.mark.parametrize("value", ["1999", "2101", "26", "二〇二六", "2026.0", "-2026", "²⁰²⁶", "9" * 40])
def test_bad_year_is_400(value):
    with pytest.raises(ValidationError):
        parse_year(value, 2026)


# --- hours and the summary ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "expected"), [(0, 0.0), (15, 0.3), (45, 0.8), (60, 1.0), (75, 1.3), (90, 1.5),
                                                   (100, 1.7), (125, 2.1), (480, 8.0), (1, 0.0), (3, 0.1)])
def test_hours_are_minutes_over_60_with_one_decimal_half_up(minutes, expected):
    assert hours(minutes) == expected


def test_hours_count_attended_sessions_of_the_year_district_included(supervisor, trainer, clerk, clerk2,
                                                                     other_clerk):
    today = local_today()
    log(trainer, "clerk-a", {"username": "clerk-b", "attended": False}, duration_minutes=45)
    log(trainer, "clerk-a", duration_minutes=60, kind="business")
    log(supervisor, "clerk-a", "clerk-other", outlet_code=None, duration_minutes=120)
    with clock_at(utcnow() - timedelta(days=366)):  # last year's session does not count this year
        last_year = date(today.year - 1, 12, 31)
        log(supervisor, "clerk-a", outlet_code=None, date=min(last_year, local_today()).isoformat())
    summary = training_summary(supervisor, today.year, today).to_dict()
    people = {p["username"]: p for p in summary["clerks"]}
    assert people["clerk-a"]["hours"] == 3.8  # 45 + 60 + 120 = 225 minutes
    assert people["clerk-a"]["sessions"] == 3
    assert people["clerk-b"]["hours"] == 0.0 and people["clerk-b"]["sessions"] == 0  # absent: untrained
    assert people["clerk-other"]["hours"] == 2.0
    assert people["trainer-a"]["hours"] == 0.0  # leading is not attending
    assert people["clerk-a"]["last_warning_education"] == today.isoformat()


def test_every_active_clerk_and_trainer_in_scope_appears(supervisor, trainer, clerk, clerk2, other_clerk,
                                                         make_user, admin):
    gone = make_user("clerk", username="gone")
    accounts.deactivate_user(supervisor, gone, "离职")
    today = local_today()
    everyone = {p["username"] for p in training_summary(supervisor, today.year, today).to_dict()["clerks"]}
    assert everyone == {"trainer-a", "clerk-a", "clerk-b", "clerk-other"}
    mine = training_summary(clerk, today.year, today).to_dict()
    assert {p["username"] for p in mine["clerks"]} == {"trainer-a", "clerk-a", "clerk-b"}
    assert [o["outlet_code"] for o in mine["outlets"]] == ["PT01"] and "district" not in mine


def test_outlets_by_quarter_and_last_warning_education(supervisor, trainer, clerk, other_clerk):
    today = local_today()
    log(trainer, "clerk-a")
    log(trainer, "clerk-a", kind="business")
    log(supervisor, "clerk-a", outlet_code=None)
    summary = training_summary(supervisor, today.year, today).to_dict()
    outlets = {o["outlet_code"]: o for o in summary["outlets"]}
    assert len(outlets) == 10
    quarter = (today.month - 1) // 3
    assert outlets["PT01"]["sessions_by_quarter"][quarter] == 2 and outlets["PT01"]["sessions"] == 2
    assert outlets["PT01"]["last_warning_education"] == today.isoformat()
    assert outlets["PT02"]["sessions_by_quarter"] == [0, 0, 0, 0] and outlets["PT02"]["last_warning_education"] is None
    assert summary["district"]["sessions"] == 1


def test_trainers_count_sessions_and_attendances(supervisor, trainer, other_trainer, clerk, clerk2):
    today = local_today()
    log(trainer, "clerk-a", {"username": "clerk-b", "attended": False})
    log(trainer, "clerk-a", "clerk-b")
    log(supervisor, "clerk-a", outlet_code=None)
    rows = {t["username"]: t for t in training_summary(supervisor, today.year, today).to_dict()["trainers"]}
    assert (rows["trainer-a"]["sessions"], rows["trainer-a"]["attendees"]) == (2, 3)
    assert (rows["trainer-b"]["sessions"], rows["trainer-b"]["attendees"]) == (0, 0)
    assert rows["supervisor"]["sessions"] == 1 and rows["supervisor"]["outlet_code"] is None
    mine = training_summary(clerk, today.year, today).to_dict()["trainers"]
    assert [t["username"] for t in mine] == ["trainer-a"]


def test_a_past_year_looks_back_from_its_last_day(supervisor, trainer, clerk):
    today = local_today()
    log(trainer, "clerk-a")
    past = training_summary(supervisor, today.year - 1, today).to_dict()
    pt01 = next(o for o in past["outlets"] if o["outlet_code"] == "PT01")
    assert pt01["last_warning_education"] is None and pt01["sessions"] == 0


def test_the_summary_costs_the_same_few_statements_however_much_was_logged(supervisor, trainer, clerk, clerk2):
    today = local_today()

    def statements() -> int:
        db.session.flush()
        db.session.expire_all()
        with counting_statements() as seen:
            training_summary(supervisor, today.year, today).to_dict()
        return len(seen)

    few = statements()
    for day in range(1, 20):
        log(trainer, "clerk-a", "clerk-b", date=days_ago(day).isoformat())
    assert statements() == few <= 12


def test_the_personal_record_has_the_summary_figures(supervisor, trainer, clerk):
    today = local_today()
    log(trainer, "clerk-a", duration_minutes=50)
    log(trainer, {"username": "clerk-a", "attended": False})
    record = personal_record(clerk, today.year, today)
    assert record.figures.hours == 0.8 and record.figures.sessions == 1 and record.absences == 1
    assert len(record.entries) == 2
    summary = {p["username"]: p for p in training_summary(supervisor, today.year, today).to_dict()["clerks"]}
    assert summary["clerk-a"]["hours"] == record.figures.hours


def test_older_than_a_month():
    assert month_before(date(2026, 3, 31)) == date(2026, 2, 28)
    assert month_before(date(2026, 1, 15)) == date(2025, 12, 15)
    today = date(2026, 11, 20)
    assert warning_education_overdue(None, today)
    assert not warning_education_overdue(date(2026, 10, 20), today)
    assert warning_education_overdue(date(2026, 10, 19), today)


# --- last_warning_education -----------------------------------------------------------------------------------

def test_last_warning_education_per_outlet_in_one_query(app, supervisor, trainer, other_trainer, clerk,
                                                        other_clerk, outlet, other_outlet):
    log(trainer, "clerk-a", date=days_ago(40).isoformat())
    log(trainer, "clerk-a", date=days_ago(10).isoformat())
    log(trainer, "clerk-a", kind="business")  # not warning education
    log(supervisor, "clerk-other", outlet_code=None)  # district sessions don't count for an outlet
    db.session.flush()
    with counting_statements() as seen:
        everyone = last_warning_education()
    assert len(seen) == 1
    active = set(db.session.scalars(select(Outlet.id).where(Outlet.active.is_(True))))
    assert set(everyone) == active
    assert everyone[outlet.id] == days_ago(10) and everyone[other_outlet.id] is None
    assert last_warning_education([outlet.id], on_or_before=days_ago(11)) == {outlet.id: days_ago(40)}
    assert last_warning_education([outlet.id], on_or_before=days_ago(41)) == {outlet.id: None}
    other_outlet.active = False
    db.session.flush()
    assert other_outlet.id not in last_warning_education()
    assert last_warning_education([other_outlet.id, outlet.id]) == {other_outlet.id: None, outlet.id: days_ago(10)}
    assert last_warning_education([]) == {}
