"""The one definition of "over its time limit" (``reissue.deadlines``), shared by the overdue queue, the reminders
and the dashboard: time in ``pending_review`` counts from when the request entered that state."""

from __future__ import annotations

from sqlalchemy import select

from cardops.core.timeutil import clock_at
from cardops.extensions import db
from cardops.reissue import deadlines, services
from cardops.reissue.models import ReissueRequest
from tests.reissue.workflow_support import new_request, pass_missing_checks
from tests.reminders.conftest import local


def stale_numbers(at: str) -> set[str]:
    """The stale requests at ``at`` by the database's criterion, which must agree with the test of a loaded row."""
    in_sql = set(db.session.scalars(select(ReissueRequest.number).where(deadlines.stale(local(at)))))
    loaded = db.session.scalars(select(ReissueRequest)).all()
    assert in_sql == {r.number for r in loaded if deadlines.is_stale(r, local(at))}
    return in_sql


def test_each_transition_records_when_the_request_entered_its_state(clerk):
    with clock_at(local("2026-11-16 09:00")):
        request = new_request(clerk, channel="proxy")
    assert request.status_changed_at == local("2026-11-16 09:00")
    with clock_at(local("2026-11-18 08:00")):
        pass_missing_checks(clerk, request)
        services.submit(clerk, request)
    assert request.status == "pending_review" and request.status_changed_at == local("2026-11-18 08:00")


def test_waiting_for_review_counts_from_submission_not_intake(clerk):
    with clock_at(local("2026-11-16 09:00")):  # Monday
        request = new_request(clerk, channel="proxy")
    assert request.number in stale_numbers("2026-11-18 09:01")  # at the counter for more than two working days
    with clock_at(local("2026-11-18 10:00")):
        pass_missing_checks(clerk, request)
        services.submit(clerk, request)
    assert request.number not in stale_numbers("2026-11-19 09:00")
    assert request.number not in stale_numbers("2026-11-20 10:00")  # Thursday and Friday: two, not more
    assert request.number in stale_numbers("2026-11-20 10:01")


def test_a_row_without_the_time_falls_back_to_intake(clerk):
    with clock_at(local("2026-11-16 09:00")):
        request = new_request(clerk)
    request.status_changed_at = None  # as a tool that does not know the column writes it
    db.session.flush()
    assert request.number in stale_numbers("2026-11-18 09:01")


def test_the_limit_is_configuration(app, clerk):
    with clock_at(local("2026-11-16 09:00")):
        request = new_request(clerk)
    app.config["STALE_WORKING_DAYS"] = 5
    try:
        assert request.number not in stale_numbers("2026-11-20 10:00")
        assert request.number in stale_numbers("2026-11-23 09:01")
    finally:
        app.config["STALE_WORKING_DAYS"] = 2


def test_a_card_is_uncollected_from_its_thirtieth_day_in_the_database_and_on_a_loaded_row(clerk):
    with clock_at(local("2026-10-01 09:00")):
        ready = new_request(clerk)
        pass_missing_checks(clerk, ready)
        services.submit(clerk, ready)
        services.arrive(clerk, ready, "C0000001")
    waiting = new_request(clerk)  # at the counter: never "uncollected"

    def uncollected(at: str) -> set[str]:
        in_sql = set(db.session.scalars(select(ReissueRequest.number).where(deadlines.uncollected(local(at)))))
        assert in_sql == {r.number for r in (ready, waiting) if deadlines.is_uncollected(r, local(at))}
        return in_sql

    assert uncollected("2026-10-31 08:59") == set()
    assert uncollected("2026-10-31 09:00") == {ready.number}
    assert ready.status == "ready" and waiting.number not in uncollected("2027-01-01 09:00")
