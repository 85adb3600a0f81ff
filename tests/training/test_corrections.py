"""Corrections (SPEC §5.2 PATCH): the session's trainer within 30 days of its date, or a supervisor; the same
validation; audited with old and new values; optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth import services as accounts
from cardops.core.errors import DomainError
from cardops.core.timeutil import clock_at, local_today, utcnow
from cardops.extensions import db
from cardops.training import roster, services
from cardops.training.models import Trainer
from tests.training.support import days_ago, session_body


def log(actor, *attendees, **overrides):
    session = services.log_session(actor, session_body(*attendees, **overrides))
    db.session.commit()
    return session


def refused(operation, status: int, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        operation()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.to_dict()
    return caught.value


def corrections() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "training.session_corrected")
                                   .order_by(AuditEntry.seq)))


def test_the_trainer_corrects_within_30_days_audited_with_old_and_new(trainer, clerk, clerk2):
    session = log(trainer, "clerk-a", date=days_ago(30).isoformat(), duration_minutes=60)
    services.correct_session(trainer, session, {
        "duration_minutes": 90, "attendees": [{"username": "clerk-a", "score": 88},
                                              {"username": "clerk-b", "attended": False}]})
    assert session.duration_minutes == 90 and session.version == 2
    assert [(a.user.username, a.attended, a.score) for a in session.attendances] == [
        ("clerk-a", True, 88), ("clerk-b", False, None)]
    [entry] = corrections()
    assert entry.actor_id == trainer.id and entry.detail["days_after"] == 30
    assert entry.detail["changes"] == {
        "duration_minutes": {"old": 60, "new": 90},
        "attendees": {"old": [{"username": "clerk-a", "attended": True, "score": None}],
                      "new": [{"username": "clerk-a", "attended": True, "score": 88},
                              {"username": "clerk-b", "attended": False, "score": None}]}}


def test_after_30_days_only_a_supervisor_corrects(supervisor, trainer, clerk):
    session = log(trainer, "clerk-a", date=days_ago(31).isoformat())
    refused(lambda: services.correct_session(trainer, session, {"topic": "改"}), 403, "FORBIDDEN")
    services.correct_session(supervisor, session, {"topic": "督导更正的主题"})
    assert session.topic == "督导更正的主题" and corrections()[0].detail["days_after"] == 31


def test_the_30_days_pass_with_the_calendar(trainer, clerk):
    session = log(trainer, "clerk-a")
    with clock_at(utcnow() + timedelta(days=30)):
        services.correct_session(trainer, session, {"topic": "第30天仍可更正"})
    with clock_at(utcnow() + timedelta(days=31)):
        refused(lambda: services.correct_session(trainer, session, {"topic": "第31天不行"}), 403, "FORBIDDEN")


def test_only_its_own_trainer_or_a_supervisor(supervisor, trainer, make_user, clerk):
    session = log(trainer, "clerk-a")
    colleague = make_user("clerk", "trainer", username="trainer-c")
    roster.appoint(supervisor, {"username": "trainer-c",
                                "certified_until": (local_today() + timedelta(days=99)).isoformat()})
    for actor in (colleague, clerk):
        refused(lambda actor=actor: services.correct_session(actor, session, {"topic": "别人"}), 403, "FORBIDDEN")
    assert session.topic != "别人" and corrections() == []


def test_a_suspended_trainer_no_longer_corrects(supervisor, trainer, clerk):
    session = log(trainer, "clerk-a")
    entry = db.session.scalars(select(Trainer).where(Trainer.user_id == trainer.id)).one()
    roster.update_trainer(supervisor, entry, {"status": "suspended", "reason": "暂停"})
    refused(lambda: services.correct_session(trainer, session, {"topic": "改"}), 403, "TRAINER_NOT_ACTIVE")


def test_the_same_validation(trainer, clerk, other_clerk, draft_case):
    session = log(trainer, "clerk-a")
    for data, field in [({"date": (local_today() + timedelta(days=1)).isoformat()}, "date"), ({"topic": ""}, "topic"),
                        ({"duration_minutes": 500}, "duration_minutes"), ({"attendees": []}, "attendees"),
                        ({"attendees": ["clerk-other"]}, "attendees"), ({"cases": [draft_case.id]}, "cases"),
                        ({"kind": "x"}, "kind")]:
        error = refused(lambda data=data: services.correct_session(trainer, session, data), 400, "VALIDATION_ERROR")
        assert field in error.fields
    assert session.version == 1 and corrections() == []


def test_a_trainer_keeps_their_outlet_and_their_name(trainer, other_trainer, clerk):
    session = log(trainer, "clerk-a")
    refused(lambda: services.correct_session(trainer, session, {"outlet_code": "PT02"}), 403, "FORBIDDEN")
    refused(lambda: services.correct_session(trainer, session, {"trainer": "trainer-b"}), 403, "FORBIDDEN")
    services.correct_session(trainer, session, {"outlet_code": "PT01", "trainer": "trainer-a", "topic": "同一网点"})
    assert session.topic == "同一网点" and set(corrections()[0].detail["changes"]) == {"topic"}


def test_an_old_session_keeps_its_date_and_its_people_who_left(supervisor, trainer, clerk, clerk2):
    with clock_at(utcnow() - timedelta(days=200)):
        session = log(trainer, "clerk-a", "clerk-b")
    accounts.deactivate_user(supervisor, clerk2, "离职")
    with clock_at(utcnow() + timedelta(days=200)):  # now over a year after the session
        services.correct_session(supervisor, session, {"topic": "一年后补正主题"})
        assert session.topic == "一年后补正主题"
        error = refused(lambda: services.correct_session(
            supervisor, session, {"date": (session.held_on + timedelta(days=1)).isoformat()}), 400, "VALIDATION_ERROR")
        assert "date" in error.fields


def test_a_supervisor_moves_a_session_to_another_outlet_or_the_district(supervisor, trainer, clerk, other_clerk):
    session = log(trainer, "clerk-a")
    error = refused(lambda: services.correct_session(supervisor, session, {"outlet_code": "PT02"}),
                    400, "VALIDATION_ERROR")
    assert "attendees.0.username" in error.fields  # clerk-a is not PT02's
    services.correct_session(supervisor, session, {"outlet_code": "PT02", "attendees": ["clerk-other"]})
    assert session.outlet.code == "PT02"
    services.correct_session(supervisor, session, {"outlet_code": None, "attendees": ["clerk-other", "clerk-a"]})
    assert session.outlet_id is None and corrections()[-1].detail["changes"]["outlet_code"] == {"old": "PT02",
                                                                                                "new": None}


def test_nothing_to_change_changes_nothing(trainer, clerk):
    session = log(trainer, "clerk-a")
    for nothing in ({}, {"version": 1}, {"duration": 90}):
        refused(lambda nothing=nothing: services.correct_session(trainer, session, nothing), 400, "VALIDATION_ERROR")
    services.correct_session(trainer, session, {"topic": session.topic, "attendees": [{"username": "clerk-a"}],
                                                "unknown": "ignored"})
    assert session.version == 1 and corrections() == []


def test_a_stale_version_is_a_conflict(trainer, clerk):
    session = log(trainer, "clerk-a")
    services.correct_session(trainer, session, {"topic": "第一次", "version": 1})
    refused(lambda: services.correct_session(trainer, session, {"topic": "第二次", "version": 1}), 409, "CONFLICT")
    refused(lambda: services.correct_session(trainer, session, {"topic": "x"}, expected_version="1"), 409, "CONFLICT")
    error = refused(lambda: services.correct_session(trainer, session, {"topic": "x", "version": "v2"}),
                    400, "VALIDATION_ERROR")
    assert "version" in error.fields
    services.correct_session(trainer, session, {"topic": "第三次", "version": session.version})
    assert session.topic == "第三次" and session.version == 3


def test_changing_only_the_people_moves_the_version(trainer, clerk, clerk2):
    session = log(trainer, "clerk-a")
    services.correct_session(trainer, session, {"attendees": ["clerk-a", "clerk-b"]})
    db.session.commit()
    assert session.version == 2
