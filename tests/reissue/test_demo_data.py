"""The demo data of ``seed --demo``: a living queue at PT01 and PT02, told in time order through the services,
added once; its audit trail verifies and names only requests that exist."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.core.demo import DemoTimeline
from cardops.core.timeutil import clock_at, to_local, utcnow
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS, seed_demo_users
from cardops.reissue.demo import plan_demo_requests
from cardops.reissue.models import ReissueRequest, RequestEvent


def _seed() -> str:
    now = utcnow()
    with clock_at(now - DEMO_HISTORY_DAYS):
        seed_demo_users()
    timeline = DemoTimeline(now)
    said = plan_demo_requests(timeline)
    timeline.run()
    return said


def test_demo_requests_cover_the_states_and_are_added_once():
    assert "13" in _seed()
    requests = list(db.session.scalars(select(ReissueRequest)))
    states = Counter(r.status for r in requests)
    assert {"intake", "pending_review", "submitted", "ready", "collected", "cancelled"} <= set(states)
    assert {r.outlet.code for r in requests} == {"PT01", "PT02"}
    assert {r.risk_level for r in requests} == {"low", "medium", "high"}
    timeline = DemoTimeline(utcnow())
    assert plan_demo_requests(timeline) == "demo requests: already present, none added" and len(timeline) == 0
    assert db.session.scalar(select(func.count()).select_from(ReissueRequest)) == len(requests)


def test_demo_history_carries_its_real_dates():
    _seed()
    for request in db.session.scalars(select(ReissueRequest)):
        # The number is the day of intake; every later stage happened after it, in order.
        assert request.number.split("-")[1] == f"{to_local(request.created_at):%Y%m%d}", request.number
        stages = [t for t in (request.created_at, request.submitted_at, request.arrived_at, request.collected_at)
                  if t is not None]
        assert stages == sorted(stages), request.number
        events = list(db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                                         .order_by(RequestEvent.id)))
        assert events[0].at == request.created_at
        assert [e.at for e in events] == sorted(e.at for e in events)
        if request.arrived_at is not None:
            assert any(e.action == "arrive" and e.at == request.arrived_at for e in events)
    forgotten = db.session.scalars(select(ReissueRequest).where(ReissueRequest.applicant_name == "赵敏")).one()
    assert (utcnow() - forgotten.arrived_at).days >= 30  # on the overdue queue for the right reason


def test_demo_audit_trail_verifies_and_names_existing_requests():
    _seed()
    assert verify_chain().ok
    numbers = set(db.session.scalars(select(ReissueRequest.number)))
    audited = set(db.session.scalars(select(AuditEntry.object_id).where(AuditEntry.object_type == "reissue_request")))
    assert audited and audited <= numbers
    times = list(db.session.scalars(select(AuditEntry.at).order_by(AuditEntry.seq)))
    assert times == sorted(times)  # the chain grew in time order, as it would have
