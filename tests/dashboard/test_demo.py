"""The dashboard's demo year (``seed --demo``): every outlet busy, the planted risk patterns found by the real
rules, every step through the services (the audit chain verifies), added once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from cardops.audit.services import verify_chain
from cardops.core.demo import DemoTimeline
from cardops.core.timeutil import clock_at, utcnow
from cardops.dashboard import demo
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS, seed_demo_users
from cardops.reissue.models import ReissueRequest, RiskFlag


def test_a_thinner_demo_year_through_the_services(monkeypatch):
    monkeypatch.setattr(demo, "DAILY_RATE", dict.fromkeys(demo.DAILY_RATE, 0.04))  # the same plan, fewer days
    now = utcnow()
    with clock_at(now - DEMO_HISTORY_DAYS):
        seed_demo_users()
    timeline = DemoTimeline(now)
    said = demo.plan_demo_district(timeline)
    timeline.run()
    requests = list(db.session.scalars(select(ReissueRequest)))
    assert said.startswith(f"dashboard demo: {len(requests)} requests")
    assert len({r.outlet_id for r in requests}) == 10
    states = Counter(r.status for r in requests)
    assert {"collected", "ready", "submitted", "rejected", "intake", "pending_review"} <= set(states)
    assert states["collected"] > len(requests) / 2
    flags = set(db.session.scalars(select(RiskFlag.code).distinct()))
    assert {"PROXY_APPLICATION", "SHARED_PHONE", "SERIAL_AGENT", "WATCHLIST"} <= flags
    oldest = min(r.created_at for r in requests)
    assert (now - oldest).days >= 300 and all(r.created_at < now for r in requests)
    assert all(r.submitted_at is None or r.submitted_at >= r.created_at for r in requests)
    assert verify_chain().ok
    again = DemoTimeline(utcnow())
    assert demo.plan_demo_district(again) == "dashboard demo: requests already present, none added"
    assert len(again) == 0 and db.session.scalar(select(func.count()).select_from(ReissueRequest)) == len(requests)


def test_no_demo_without_the_demo_users():
    timeline = DemoTimeline(utcnow())
    assert demo.plan_demo_district(timeline) == "dashboard demo: demo users missing, none added"
    assert len(timeline) == 0
