"""Races on real connections (``committing_db``): two supervisors appointing the same person, two corrections of
one session from the same version — one wins, the other gets a clean 409, nothing half-written."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training import roster, services
from cardops.training.models import Trainer, TrainingSession
from tests.reissue.test_concurrency import bearer, meet_after_first_call, run_together
from tests.training.support import session_body


def send(method: str, path: str, headers: dict, body: dict):
    def call(client):
        response = getattr(client, method)(path, json=body, headers=headers)
        return response.status_code, response.get_json()

    return call


def audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_two_supervisors_appoint_the_same_clerk_at_once(app, committing_db, monkeypatch, supervisor, make_user,
                                                        clerk):
    other = make_user("supervisor", username="sup-b")
    headers = bearer(supervisor), bearer(other)
    body = {"username": "clerk-a", "certified_until": (local_today() + timedelta(days=365)).isoformat()}
    db.session.remove()
    # Both have found the clerk off the roster before either writes.
    meet_after_first_call(monkeypatch, roster, "parse_specialties", threading.Barrier(2))
    results = run_together(app, [send("post", "/api/v1/trainers", h, body) for h in headers])
    assert sorted(status for status, _ in results) == [201, 409], results
    [lost] = [answer for status, answer in results if status == 409]
    # PostgreSQL lets the second INSERT wait and then fail on the unique index; SQLite refuses the second writer.
    expected = ("ALREADY_ON_ROSTER",) if db.engine.dialect.name == "postgresql" else ("ALREADY_ON_ROSTER", "CONFLICT")
    assert lost["error"]["code"] in expected, lost
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Trainer)) == 1
    assert audited("training.trainer_appointed") == 1 and audited("auth.role_granted") == 1
    assert verify_chain().ok


def test_two_corrections_from_the_same_version(app, committing_db, monkeypatch, supervisor, trainer, clerk):
    session = services.log_session(trainer, session_body("clerk-a"))
    db.session.commit()
    path, version = f"/api/v1/training-sessions/{session.id}", session.version
    headers = bearer(trainer), bearer(supervisor)
    db.session.remove()
    meet_after_first_call(monkeypatch, services, "parse_session", threading.Barrier(2))
    results = run_together(app, [
        send("patch", path, headers[0], {"topic": "小教员的更正", "version": version}),
        send("patch", path, headers[1], {"duration_minutes": 90, "version": version})])
    assert sorted(status for status, _ in results) == [200, 409], results
    [won] = [answer for status, answer in results if status == 200]
    db.session.remove()
    stored = db.session.get(TrainingSession, won["id"])
    assert (stored.topic, stored.duration_minutes, stored.version) == (won["topic"], won["duration_minutes"],
                                                                       version + 1)
    assert audited("training.session_corrected") == 1
    assert verify_chain().ok
