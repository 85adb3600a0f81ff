"""Logging sessions (SPEC §5.2) through the service: who may log what, every validation rule allowed and refused
(naming the field), the lapsed certification, the supervisor's district sessions and the leader they name, and
nothing half-written after a refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.auth import services as accounts
from cardops.core.errors import DomainError
from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training import roster, services
from cardops.training.models import Attendance, Trainer, TrainingSession
from tests.training.conftest import appoint
from tests.training.support import days_ago, session_body


def refused(operation, status: int, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        operation()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.to_dict()
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    return caught.value


def fields_of(operation) -> dict:
    return refused(operation, 400, "VALIDATION_ERROR").fields


def entry_of(user) -> Trainer:
    return db.session.scalars(select(Trainer).where(Trainer.user_id == user.id)).one()


# --- who may log ------------------------------------------------------------------------------------------

def test_a_trainer_logs_a_session_of_their_outlet(trainer, clerk, clerk2, outlet, library_case):
    session = services.log_session(trainer, session_body(
        "clerk-a", {"username": "CLERK-B", "attended": False}, cases=[library_case.id, library_case.id],
        materials="课件：防冒补手册\r\n第二行"))
    assert session.outlet_id == outlet.id and session.trainer_id == trainer.id and session.created_by_id == trainer.id
    assert [(a.user_id, a.attended, a.score) for a in session.attendances] == [(clerk.id, True, None),
                                                                                 (clerk2.id, False, None)]
    assert session.cases == [library_case] and session.materials == "课件：防冒补手册\n第二行"
    assert session.held_on == local_today() and session.version == 1
    [logged] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "training.session_logged"))
    assert logged.detail["attendees"] == [{"username": "clerk-a", "attended": True, "score": None},
                                          {"username": "clerk-b", "attended": False, "score": None}]
    assert logged.outlet_id == outlet.id and logged.object_id == str(session.id)


def test_a_trainer_may_name_their_own_outlet_or_themself(trainer, clerk):
    session = services.log_session(trainer, session_body("clerk-a", outlet_code="pt01", trainer="trainer-a"))
    assert session.outlet.code == "PT01" and session.trainer_id == trainer.id


def test_another_outlet_or_a_district_session_is_forbidden_to_a_trainer(trainer, clerk, other_clerk):
    refused(lambda: services.log_session(trainer, session_body("clerk-other", outlet_code="PT02")), 403, "FORBIDDEN")
    refused(lambda: services.log_session(trainer, session_body("clerk-a", outlet_code=None)), 403, "FORBIDDEN")
    refused(lambda: services.log_session(trainer, session_body("clerk-a", outlet_code="NOPE")), 403, "FORBIDDEN")


def test_a_trainer_cannot_log_a_session_someone_else_led(trainer, other_trainer, clerk):
    refused(lambda: services.log_session(trainer, session_body("clerk-a", trainer="trainer-b")), 403, "FORBIDDEN")


def test_clerks_and_admins_do_not_log(clerk, clerk2, admin):
    refused(lambda: services.log_session(clerk, session_body("clerk-b")), 403, "FORBIDDEN")
    refused(lambda: services.log_session(admin, session_body("clerk-b")), 403, "FORBIDDEN")


def test_a_suspended_trainer_is_not_active(supervisor, trainer, clerk):
    roster.update_trainer(supervisor, entry_of(trainer), {"status": "suspended", "reason": "调查期间"})
    refused(lambda: services.log_session(trainer, session_body("clerk-a")), 403, "TRAINER_NOT_ACTIVE")
    refused(lambda: services.log_session(trainer, session_body("clerk-a", date=days_ago(100).isoformat())),
            403, "TRAINER_NOT_ACTIVE")


def test_a_lapsed_certification_stops_logging_like_a_suspension(supervisor, make_user, clerk):
    user = make_user("clerk", "trainer", username="lapsed")
    entry = appoint(supervisor, user, until_days=-10)
    refused(lambda: services.log_session(user, session_body("clerk-a")), 403, "TRAINER_NOT_ACTIVE")
    refused(lambda: services.log_session(user, session_body("clerk-a", date=days_ago(9).isoformat())),
            403, "TRAINER_NOT_ACTIVE")
    # A session held while still certified may still be logged (the rule is about the session's date) …
    held = services.log_session(user, session_body("clerk-a", date=days_ago(10).isoformat()))
    assert held.held_on == entry.certified_until
    # … and re-certification opens logging again.
    roster.update_trainer(supervisor, entry, {"certified_until": (local_today() + timedelta(days=365)).isoformat()})
    assert services.log_session(user, session_body("clerk-a")).held_on == local_today()


def test_a_trainer_role_without_a_roster_entry_is_not_active(make_user, clerk):
    user = make_user("clerk", "trainer", username="unlisted")
    refused(lambda: services.log_session(user, session_body("clerk-a")), 403, "TRAINER_NOT_ACTIVE")


def test_a_supervisor_logs_for_any_outlet(supervisor, other_clerk, other_outlet):
    session = services.log_session(supervisor, session_body("clerk-other", outlet_code="PT02"))
    assert session.outlet_id == other_outlet.id and session.trainer_id == supervisor.id


def test_a_supervisor_logs_a_district_session_with_staff_of_every_outlet(supervisor, clerk, other_clerk, trainer):
    for outlet_code in ({"outlet_code": None}, {}):
        session = services.log_session(supervisor, session_body("clerk-a", "clerk-other", "trainer-a", **outlet_code))
        assert session.outlet_id is None and len(session.attendances) == 3


def test_district_attendees_must_be_outlet_staff(supervisor, clerk, make_user):
    make_user("supervisor", username="sup-b")
    fields = fields_of(lambda: services.log_session(supervisor, session_body("clerk-a", "sup-b")))
    assert "attendees.1.username" in fields and "attendees" in fields


def test_a_supervisor_may_name_who_led_it(supervisor, trainer, other_trainer, clerk, make_user):
    session = services.log_session(supervisor, session_body("clerk-a", outlet_code="PT01", trainer="trainer-a"))
    assert session.trainer_id == trainer.id and session.created_by_id == supervisor.id
    other_supervisor = make_user("supervisor", username="sup-b")
    session = services.log_session(supervisor, session_body("clerk-a", outlet_code="PT01",
                                                            trainer={"username": "sup-b"}))
    assert session.trainer_id == other_supervisor.id


def test_the_leader_a_supervisor_names_must_be_able_to_train(supervisor, trainer, clerk, make_user):
    db.session.query(TrainingSession).delete()
    make_user("clerk", username="not-a-trainer")
    for leader in ("not-a-trainer", "nobody"):
        fields = fields_of(lambda leader=leader: services.log_session(
            supervisor, session_body("clerk-a", outlet_code="PT01", trainer=leader)))
        assert "trainer" in fields
    roster.update_trainer(supervisor, entry_of(trainer), {"status": "suspended", "reason": "暂停"})
    fields = fields_of(lambda: services.log_session(supervisor, session_body("clerk-a", outlet_code="PT01",
                                                                             trainer="trainer-a")))
    assert "trainer" in fields


def test_a_supervisor_naming_an_unknown_or_closed_outlet(supervisor, clerk, other_outlet):
    assert "outlet_code" in fields_of(lambda: services.log_session(supervisor, session_body("clerk-a",
                                                                                            outlet_code="PT99")))
    assert "outlet_code" in fields_of(lambda: services.log_session(supervisor, session_body("clerk-a",
                                                                                            outlet_code=5)))
    other_outlet.active = False
    assert "outlet_code" in fields_of(lambda: services.log_session(supervisor, session_body("clerk-a",
                                                                                            outlet_code="PT02")))


# --- the validation of SPEC §5.2 --------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field"), [
    ({"date": None}, "date"), ({"date": ""}, "date"), ({"date": "2026-02-30"}, "date"), ({"date": "昨天"}, "date"),
    ({"date": 20261126}, "date"), ({"date": "2026-11-26T09:00:00"}, "date"),
    ({"topic": ""}, "topic"), ({"topic": "   "}, "topic"), ({"topic": "题" * 101}, "topic"), ({"topic": 5}, "topic"),
    ({"topic": "警示\n教育"}, "topic"), ({"topic": "警示\u202e教育"}, "topic"), ({"topic": "警示\x07"}, "topic"),
    ({"topic": "警示\ud800"}, "topic"),
    ({"kind": None}, "kind"), ({"kind": "lecture"}, "kind"), ({"kind": ["business"]}, "kind"),
    ({"duration_minutes": 14}, "duration_minutes"), ({"duration_minutes": 481}, "duration_minutes"),
    ({"duration_minutes": 0}, "duration_minutes"), ({"duration_minutes": -60}, "duration_minutes"),
    ({"duration_minutes": "60"}, "duration_minutes"), ({"duration_minutes": 60.5}, "duration_minutes"),
    ({"duration_minutes": True}, "duration_minutes"), ({"duration_minutes": None}, "duration_minutes"),
    ({"materials": "m" * 2001}, "materials"), ({"materials": ["a"]}, "materials"),
    ({"materials": "第一行\x1b[31m"}, "materials"),
    ({"attendees": []}, "attendees"), ({"attendees": None}, "attendees"), ({"attendees": "clerk-a"}, "attendees"),
    ({"attendees": [{"username": "clerk-a"}] * 301}, "attendees"),
    ({"cases": "1"}, "cases"), ({"cases": [0]}, "cases"), ({"cases": [True]}, "cases"), ({"cases": ["x"]}, "cases"),
    ({"cases": [2**40]}, "cases"), ({"cases": [999999]}, "cases"),
])
def test_each_rule_names_its_field(trainer, clerk, overrides, field):
    fields = fields_of(lambda: services.log_session(trainer, session_body("clerk-a", **overrides)))
    assert field in fields, fields


def test_the_date_window_tomorrow_and_beyond_366_days_back(trainer, clerk):
    tomorrow = local_today() + timedelta(days=1)
    assert "date" in fields_of(lambda: services.log_session(trainer, session_body("clerk-a",
                                                                                  date=tomorrow.isoformat())))
    assert "date" in fields_of(lambda: services.log_session(trainer, session_body("clerk-a",
                                                                                  date=days_ago(367).isoformat())))
    assert services.log_session(trainer, session_body("clerk-a", date=days_ago(366).isoformat())).id


@pytest.mark.parametrize(("topic", "minutes"), [("题", 15), ("题" * 100, 480)])
def test_the_edges_that_are_allowed(trainer, clerk, topic, minutes):
    session = services.log_session(trainer, session_body("clerk-a", topic=f"  {topic} ", duration_minutes=minutes))
    assert (session.topic, session.duration_minutes) == (topic, minutes)


@pytest.mark.parametrize("attendee", [
    {"username": "clerk-a", "score": -1}, {"username": "clerk-a", "score": 101}, {"username": "clerk-a", "score": "90"},
    {"username": "clerk-a", "score": 89.5}, {"username": "clerk-a", "score": True},
    {"username": "clerk-a", "attended": False, "score": 80}, {"username": "clerk-a", "attended": "yes"},
    {"username": ""}, {"username": 7}, {"name": "受理员甲"}, 42,
])
def test_attendee_problems_name_the_attendee(trainer, clerk, attendee):
    fields = fields_of(lambda: services.log_session(trainer, session_body(attendee)))
    assert "attendees" in fields and any(name.startswith("attendees.0.") for name in fields), fields


def test_scores_0_and_100_are_allowed(trainer, clerk, clerk2):
    session = services.log_session(trainer, session_body({"username": "clerk-a", "score": 0},
                                                         {"username": "clerk-b", "score": 100}))
    assert [a.score for a in session.attendances] == [0, 100]


def test_an_attendee_twice_unknown_inactive_or_of_another_outlet(supervisor, trainer, clerk, clerk2, other_clerk):
    accounts.deactivate_user(supervisor, clerk2, "离职")
    fields = fields_of(lambda: services.log_session(trainer, session_body(
        "clerk-a", "CLERK-A", "nobody", "clerk-b", "clerk-other")))
    assert {"attendees.1.username", "attendees.2.username", "attendees.3.username",
            "attendees.4.username"} <= set(fields)
    assert "attendees.0.username" not in fields
    assert "重复" in fields["attendees.1.username"] and "不存在" in fields["attendees.2.username"]
    assert "停用" in fields["attendees.3.username"] and "PT01" in fields["attendees.4.username"]


def test_a_case_must_be_in_the_library(trainer, clerk, draft_case, library_case):
    fields = fields_of(lambda: services.log_session(trainer, session_body("clerk-a",
                                                                          cases=[library_case.id, draft_case.id])))
    assert str(draft_case.id) in fields["cases"] and str(library_case.id) not in fields["cases"]
    for status in ("nominated", "selected"):
        draft_case.status = status
        session = services.log_session(trainer, session_body("clerk-a", cases=[{"id": draft_case.id}]))
        assert session.cases == [draft_case]


def test_every_problem_is_named_in_one_answer(trainer):
    fields = fields_of(lambda: services.log_session(trainer, {"date": "x", "topic": "", "kind": "x",
                                                              "duration_minutes": 1, "attendees": [], "cases": "x"}))
    assert {"date", "topic", "kind", "duration_minutes", "attendees", "cases"} <= set(fields)
