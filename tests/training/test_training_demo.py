"""The demo roster and training year of ``seed --demo``: told in time order through the services, true to the
rules (nobody logs while suspended or after their certification), quick, and added once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.auth.models import User
from cardops.core.demo import DemoTimeline
from cardops.core.timeutil import clock_at, local_today, to_local, utcnow
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS, seed_demo_users
from cardops.outlets.models import Outlet
from cardops.training.demo import plan_demo_training
from cardops.training.models import Trainer, TrainingSession
from cardops.training.queries import last_warning_education


def _seed() -> tuple[str, float]:
    now = utcnow()
    with clock_at(now - DEMO_HISTORY_DAYS):
        seed_demo_users()
    timeline = DemoTimeline(now)
    said = plan_demo_training(timeline)
    started = time.perf_counter()
    timeline.run()
    return said, time.perf_counter() - started


def test_every_demo_trainer_is_on_the_roster_one_expiring_one_suspended():
    said, seconds = _seed()
    assert "10 trainers" in said and seconds < 15
    entries = {e.user.username: e for e in db.session.scalars(select(Trainer))}
    assert set(entries) == {f"pt{n:02d}-trainer" for n in range(1, 11)}
    today = local_today()
    expiring = [u for u, e in entries.items() if today <= e.certified_until <= today + timedelta(days=30)]
    assert expiring == ["pt04-trainer"]
    assert [u for u, e in entries.items() if e.status == "suspended"] == ["pt07-trainer"]
    assert entries["pt07-trainer"].status_reason
    assert all(e.user.has_role("trainer") for e in entries.values())


def test_a_year_of_sessions_at_every_outlet_one_without_warning_education_this_month():
    _seed()
    today = local_today()
    held = list(db.session.scalars(select(TrainingSession)))
    assert all(today - timedelta(days=366) <= s.held_on <= today for s in held)
    per_outlet = Counter(s.outlet.code if s.outlet else None for s in held)
    assert all(per_outlet[f"PT{n:02d}"] >= 10 for n in range(1, 11)) and per_outlet[None] == 4
    assert {s.kind for s in held} == {"business", "warning_education", "onboarding"}
    codes = dict(db.session.execute(select(Outlet.id, Outlet.code)).all())
    latest = {codes[oid]: day for oid, day in last_warning_education().items()}
    without = sorted(code for code, day in latest.items() if day is None or day < today.replace(day=1))
    assert without == ["PT07"]
    assert latest["PT07"] < today - timedelta(days=31)  # highlighted on the summary page
    new_clerks = db.session.scalars(select(User).where(User.username.like("%-clerk-c"))).all()
    assert {u.outlet.code for u in new_clerks} == {"PT03", "PT05"}


def test_nobody_logged_while_suspended_or_uncertified_and_history_carries_its_dates():
    _seed()
    entries = {e.user_id: e for e in db.session.scalars(select(Trainer))}
    [suspended_on] = [e.at for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "training.trainer_updated")) if "status" in e.detail["changes"]]
    for session in db.session.scalars(select(TrainingSession)):
        entry = entries.get(session.trainer_id)
        assert to_local(session.created_at).date() >= session.held_on
        if entry is None:
            assert session.trainer.is_supervisor
            continue
        assert session.held_on >= entry.appointed_on
        if entry.status == "suspended":
            assert session.created_at < suspended_on
    assert verify_chain().ok
    times = list(db.session.scalars(select(AuditEntry.at).order_by(AuditEntry.seq)))
    assert times == sorted(times)


def test_demo_training_is_added_once():
    _seed()
    count = db.session.scalar(select(func.count()).select_from(TrainingSession))
    timeline = DemoTimeline(utcnow())
    assert plan_demo_training(timeline) == "demo training: roster already present, none added"
    assert len(timeline) == 0
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == count
