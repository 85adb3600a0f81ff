"""The demo library of ``seed --demo``: cases across categories and outlets in every state, last year's round
finalised with its tie-break, this year's open with scores missing — told in time order through the services, on
whatever day it is seeded, added once, with no personal data."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.auth.models import User
from cardops.cases import selection
from cardops.cases.demo import plan_demo_cases
from cardops.cases.models import Case, CaseScore, SelectionRound
from cardops.cases.validation import personal_data_problem
from cardops.core.demo import DemoTimeline
from cardops.core.timeutil import LOCAL_TZ, clock_at, to_local, utcnow
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS, seed_demo_users
from cardops.reissue.demo import plan_demo_requests


def _seed(now: datetime) -> str:
    with clock_at(now - DEMO_HISTORY_DAYS):
        seed_demo_users()
    timeline = DemoTimeline(now)
    plan_demo_requests(timeline)
    said = plan_demo_cases(timeline)
    with clock_at(now):
        timeline.run()
    return said


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def test_the_demo_library_and_its_two_rounds():
    now = utcnow()
    started = time.perf_counter()
    said = _seed(now)
    assert time.perf_counter() - started < 30  # a few seconds on a quiet machine
    year = to_local(now).year
    assert f"{year - 1} selection finalised" in said
    cases = list(db.session.scalars(select(Case)))
    assert len(cases) == 26
    assert set(Counter(c.status for c in cases)) == {"draft", "submitted", "returned", "accepted", "nominated",
                                                    "selected"}
    assert {c.category for c in cases} == {"fraud_prevented", "service", "error", "complaint", "other"}
    assert len({c.outlet_id for c in cases}) == 10
    for case in cases:
        for field in ("title", "narrative", "lessons"):
            assert personal_data_problem(getattr(case, field), field) is None, (case.title, field)

    last = db.session.get(SelectionRound, year - 1)
    assert last.status == "final" and last.finalised_by.username == "supervisor"
    assert last.tie_break and "第10名与第11名" in last.tie_break
    selected = [c for c in cases if c.selected_year == year - 1]
    assert len(selected) == 10 and all(c.status == "selected" for c in selected)
    district_case = next(c for c in cases if c.author.username == "supervisor2")
    assert district_case.nominated_year == year - 1 and len(district_case.scores) == 1  # stood aside

    current = db.session.get(SelectionRound, year)
    assert current.status == "open"
    sup = db.session.scalars(select(User).where(User.username == "supervisor")).one()
    view = selection.round_view(sup, year)
    assert view.unscored and any(row.not_scored_by for row in view.rows)
    assert any(row.ranked.scores_count == 2 for row in view.rows)

    draft = next(c for c in cases if c.status == "draft")
    assert draft.request is not None and draft.request.outlet.code == "PT01"
    assert verify_chain().ok
    times = list(db.session.scalars(select(AuditEntry.at).order_by(AuditEntry.seq)))
    assert times == sorted(times)


def test_the_demo_is_added_once():
    _seed(utcnow())
    count = db.session.scalar(select(func.count()).select_from(Case))
    timeline = DemoTimeline(utcnow())
    assert plan_demo_cases(timeline) == "demo cases: already present, none added" and len(timeline) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == count


@pytest.mark.parametrize("now", [
    local(2027, 1, 1, 0, 30),  # half an hour into a new year
    local(2027, 1, 6, 9, 0),  # before last year's round would have been finalised on 12 January
    local(2027, 3, 1, 15, 0),
    local(2027, 12, 31, 23, 0),
])
def test_the_demo_can_be_seeded_on_any_day(now):
    _seed(now)
    year = to_local(now).year
    assert db.session.get(SelectionRound, year - 1).status == "final"
    assert db.session.get(SelectionRound, year).status == "open"
    for case in db.session.scalars(select(Case)):
        assert case.created_at <= now and case.occurred_on <= to_local(case.created_at).date()
    assert db.session.scalar(select(func.max(CaseScore.updated_at))) <= now
    first_audit = db.session.scalar(select(func.min(AuditEntry.at)).where(AuditEntry.object_type == "case"))
    assert first_audit >= now - DEMO_HISTORY_DAYS - timedelta(minutes=1)
