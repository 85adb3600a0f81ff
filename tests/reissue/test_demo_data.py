"""The demo data of ``seed --demo``: a living queue at PT01 and PT02, added once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from cardops.extensions import db
from cardops.main.seed import seed_demo_users
from cardops.reissue.demo import seed_demo_requests
from cardops.reissue.models import ReissueRequest


def test_demo_requests_cover_the_states_and_are_added_once():
    seed_demo_users()
    assert "added" in seed_demo_requests()
    requests = list(db.session.scalars(select(ReissueRequest)))
    states = Counter(r.status for r in requests)
    assert {"intake", "pending_review", "submitted", "ready", "collected", "cancelled"} <= set(states)
    assert {r.outlet.code for r in requests} == {"PT01", "PT02"}
    assert {r.risk_level for r in requests} == {"low", "medium", "high"}
    assert seed_demo_requests() == "demo requests: already present, none added"
    assert db.session.scalar(select(db.func.count()).select_from(ReissueRequest)) == len(requests)
