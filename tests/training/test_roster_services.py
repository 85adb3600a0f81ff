"""The roster (SPEC §5.1) through its services: appoint, re-certify, suspend and reinstate; every rule allowed and
refused; every change audited; suspension and lapse keep the user and the role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth import services as accounts
from cardops.core.errors import DomainError
from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training import roster
from cardops.training.models import Trainer
from tests.training.conftest import appoint


def refused(operation, status: int, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        operation()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.to_dict()
    return caught.value


def audit_actions(object_type: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == object_type)
                                   .order_by(AuditEntry.seq)))


def body(username: str, **overrides) -> dict:
    today = local_today()
    data = {"username": username, "appointed_on": today.isoformat(),
            "certified_until": (today + timedelta(days=730)).isoformat(), "specialties": ["防冒补核验", "代办业务"]}
    data.update(overrides)
    return data


def test_appointing_puts_a_clerk_on_the_roster_and_gives_the_trainer_role(supervisor, clerk):
    assert not clerk.has_role("trainer")
    entry = roster.appoint(supervisor, body("CLERK-A", specialties=[" 防冒补核验 ", "防冒补核验", "新人带教"]))
    assert entry.user_id == clerk.id and entry.status == "active" and entry.appointed_by_id == supervisor.id
    assert entry.specialties == ["防冒补核验", "新人带教"]
    assert clerk.roles == {"clerk", "trainer"}
    [granted] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.role_granted"))
    assert (granted.object_id, granted.detail["role"], granted.actor_id) == (str(clerk.id), "trainer", supervisor.id)
    [appointed] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "training.trainer_appointed"))
    assert appointed.detail["username"] == "clerk-a" and appointed.detail["outlet"] == "PT01"
    assert appointed.actor_id == supervisor.id and appointed.outlet_id == clerk.outlet_id


def test_appointed_on_defaults_to_today_and_a_trainer_role_held_already_is_kept(supervisor, make_user):
    user = make_user("clerk", "trainer", username="already-trainer")
    entry = roster.appoint(supervisor, {"username": "already-trainer",
                                        "certified_until": (local_today() + timedelta(days=30)).isoformat()})
    assert entry.appointed_on == local_today() and entry.specialties == []
    assert user.roles == {"clerk", "trainer"}
    granted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.role_granted")).all()
    assert granted == []


def test_already_on_the_roster_is_409_even_when_suspended(supervisor, trainer):
    refused(lambda: roster.appoint(supervisor, body("trainer-a")), 409, "ALREADY_ON_ROSTER")
    entry = db.session.scalars(select(Trainer)).one()
    roster.update_trainer(supervisor, entry, {"status": "suspended", "reason": "调岗"})
    refused(lambda: roster.appoint(supervisor, {"username": "trainer-a"}), 409, "ALREADY_ON_ROSTER")
    assert db.session.query(Trainer).count() == 1


@pytest.mark.parametrize(("username", "problem"), [
    ("nobody", "不存在"), ("", "请填写"), (None, "请填写"), (17, "请填写"), ("x" * 65, "无效"),
])
def test_unknown_or_missing_user_names_the_username(supervisor, username, problem):
    error = refused(lambda: roster.appoint(supervisor, body(username)), 400, "VALIDATION_ERROR")
    assert problem in error.fields["username"]


def test_inactive_and_outletless_users_cannot_be_appointed(supervisor, make_user):
    gone = make_user("clerk", username="gone")
    accounts.deactivate_user(supervisor, gone, "离职")
    error = refused(lambda: roster.appoint(supervisor, body("gone")), 400, "VALIDATION_ERROR")
    assert "已停用" in error.fields["username"]
    make_user("supervisor", username="sup-b")
    error = refused(lambda: roster.appoint(supervisor, body("sup-b")), 400, "VALIDATION_ERROR")
    assert "网点" in error.fields["username"]
    assert db.session.query(Trainer).count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"certified_until": None}, "certified_until"),
    ({"certified_until": "2026-13-01"}, "certified_until"),
    ({"certified_until": "next year"}, "certified_until"),
    ({"certified_until": 20271231}, "certified_until"),
    ({"appointed_on": "2026/01/01"}, "appointed_on"),
    ({"appointed_on": "1999-12-31"}, "appointed_on"),
    ({"specialties": "防冒补"}, "specialties"),
    ({"specialties": [""]}, "specialties"),
    ({"specialties": [1]}, "specialties"),
    ({"specialties": ["长" * 31]}, "specialties"),
    ({"specialties": [f"专长{n}" for n in range(11)]}, "specialties"),
    ({"specialties": ["防冒补\u202e"]}, "specialties"),
])
def test_bad_appointment_input_names_the_field(supervisor, clerk, overrides, field):
    error = refused(lambda: roster.appoint(supervisor, body("clerk-a", **overrides)), 400, "VALIDATION_ERROR")
    assert field in error.fields
    assert not clerk.has_role("trainer") and db.session.query(Trainer).count() == 0


def test_certification_cannot_end_before_the_appointment(supervisor, clerk):
    today = local_today()
    error = refused(lambda: roster.appoint(supervisor, body(
        "clerk-a", appointed_on=today.isoformat(), certified_until=(today - timedelta(days=1)).isoformat())),
        400, "VALIDATION_ERROR")
    assert set(error.fields) == {"certified_until"}
    entry = roster.appoint(supervisor, body("clerk-a", certified_until=today.isoformat()))  # the same day: fine
    assert entry.certified_until == today


def test_an_appointment_more_than_a_year_ahead_is_a_typo(supervisor, clerk):
    ahead = local_today() + timedelta(days=400)
    error = refused(lambda: roster.appoint(supervisor, body(
        "clerk-a", appointed_on=ahead.isoformat(), certified_until=(ahead + timedelta(days=10)).isoformat())),
        400, "VALIDATION_ERROR")
    assert "appointed_on" in error.fields


def test_only_supervisors_keep_the_roster(trainer, clerk, admin):
    entry = db.session.scalars(select(Trainer)).one()
    for actor in (trainer, clerk, admin):
        refused(lambda actor=actor: roster.appoint(actor, body("clerk-a")), 403, "FORBIDDEN")
        refused(lambda actor=actor: roster.update_trainer(actor, entry, {"specialties": []}), 403, "FORBIDDEN")


def test_recertify_and_change_specialties_audited_with_old_and_new(supervisor, trainer):
    entry = db.session.scalars(select(Trainer)).one()
    old_until = entry.certified_until
    new_until = old_until + timedelta(days=365)
    roster.update_trainer(supervisor, entry, {"certified_until": new_until.isoformat(), "specialties": ["案例分析"]})
    assert entry.certified_until == new_until and entry.specialties == ["案例分析"]
    [updated] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "training.trainer_updated"))
    assert updated.detail["changes"] == {
        "certified_until": {"old": old_until.isoformat(), "new": new_until.isoformat()},
        "specialties": {"old": [], "new": ["案例分析"]}}


def test_suspension_needs_a_reason_and_keeps_the_user_and_role(supervisor, trainer):
    entry = db.session.scalars(select(Trainer)).one()
    for reason in (None, "", "   "):
        error = refused(lambda reason=reason: roster.update_trainer(
            supervisor, entry, {"status": "suspended", "reason": reason}), 400, "VALIDATION_ERROR")
        assert "reason" in error.fields
    assert entry.status == "active"
    roster.update_trainer(supervisor, entry, {"status": "suspended", "reason": "长期病假"})
    assert (entry.status, entry.status_reason) == ("suspended", "长期病假")
    assert trainer.active and trainer.has_role("trainer")
    roster.update_trainer(supervisor, entry, {"status": "active", "reason": "复核合格，恢复"})
    assert (entry.status, entry.status_reason) == ("active", "复核合格，恢复")
    details = [a.detail for a in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "training.trainer_updated").order_by(AuditEntry.seq))]
    assert [d["changes"]["status"] for d in details] == [{"old": "active", "new": "suspended"},
                                                          {"old": "suspended", "new": "active"}]
    assert [d["reason"] for d in details] == ["长期病假", "复核合格，恢复"]


def test_same_status_needs_no_reason_and_changes_nothing(supervisor, trainer):
    entry = db.session.scalars(select(Trainer)).one()
    roster.update_trainer(supervisor, entry, {"status": "active", "specialties": []})
    assert audit_actions("trainer") == ["training.trainer_appointed"]


@pytest.mark.parametrize(("data", "field"), [
    ({}, None), ({"reason": "x"}, None), ({"status": "retired", "reason": "x"}, "status"),
    ({"status": None}, "status"), ({"certified_until": None}, "certified_until"),
    ({"certified_until": "2000-01-01"}, "certified_until"), ({"specialties": {"a": 1}}, "specialties"),
])
def test_bad_updates_are_refused_and_change_nothing(supervisor, trainer, data, field):
    entry = db.session.scalars(select(Trainer)).one()
    before = (entry.certified_until, list(entry.specialties), entry.status)
    error = refused(lambda: roster.update_trainer(supervisor, entry, data), 400, "VALIDATION_ERROR")
    if field:
        assert field in error.fields
    assert (entry.certified_until, list(entry.specialties), entry.status) == before


def test_the_appoint_helper_of_these_tests_makes_active_entries(supervisor, make_user):
    user = make_user("clerk", username="helper")
    entry = appoint(supervisor, user, until_days=10)
    assert entry.may_train_on(local_today() + timedelta(days=10))
    assert not entry.may_train_on(local_today() + timedelta(days=11))
