"""Each rule of SPEC §7 at and just inside its threshold, with who hears and what they read."""

from __future__ import annotations

from datetime import date, timedelta

from cardops.core.timeutil import clock_at
from cardops.extensions import db
from cardops.reissue import services
from cardops.reminders.runs import run_rule
from cardops.training.models import SessionKind, Trainer, TrainerStatus, TrainingSession
from tests.guards import ID_RUN
from tests.reissue.workflow_support import new_request, pass_missing_checks, record
from tests.reminders.conftest import local, made_at, notified, recipients, run

# --- stale_requests ----------------------------------------------------------------------------------------


def test_stale_intake_fires_just_after_two_working_days_not_at_them(staff):
    request = made_at("2026-11-16 09:00", "intake", staff["clerk"], staff["supervisor"])  # a Monday
    assert run_rule("stale_requests", as_of=local("2026-11-18 09:00")).notified == 0  # exactly two working days
    assert notified("stale_requests") == []
    run_ = run_rule("stale_requests", as_of=local("2026-11-18 09:01"))
    assert run_.status == "ok" and run_.notified == 3
    assert recipients("stale_requests", request.number) == {"clerk-a", "clerk-b", "trainer-a"}  # PT01's clerks
    note = notified("stale_requests")[0]
    assert note.period == "intake" and note.link == f"/requests/{request.number}"
    assert request.number in note.title and "受理中" in note.body and "2个工作日" in note.body


def test_stale_pending_review_counts_from_submission_and_tells_who_may_review(staff):
    with clock_at(local("2026-11-16 09:00")):  # Monday: intake of a proxy application (medium risk)
        request = new_request(staff["clerk"], channel="proxy")
    with clock_at(local("2026-11-18 08:00")):  # Wednesday: submitted, waits for a second person
        pass_missing_checks(staff["clerk"], request)
        assert services.submit(staff["clerk"], request)
    assert run_rule("stale_requests", as_of=local("2026-11-20 08:00")).notified == 0  # Thu + Fri: two, not more
    assert run_rule("stale_requests", as_of=local("2026-11-20 08:01")).notified == 4
    # Not the intake clerk (no self-review), not another outlet's clerk; the others of PT01 and the supervisors.
    assert recipients("stale_requests") == {"clerk-b", "trainer-a", "supervisor", "supervisor-2"}
    assert {n.period for n in notified("stale_requests")} == {"pending_review"}
    assert all("等待复核" in n.body and "中风险" in n.body for n in notified("stale_requests"))


def test_a_high_risk_request_waiting_too_long_is_told_to_supervisors_only(staff):
    with clock_at(local("2026-11-16 09:00")):
        request = new_request(staff["clerk"])
        record(staff["clerk"], request, "face_match", "fail")  # FAILED_CHECK: high risk, district review
        pass_missing_checks(staff["clerk"], request)
        assert services.submit(staff["clerk"], request) and request.risk_level == "high"
    run_rule("stale_requests", as_of=local("2026-11-19 09:00"))
    assert recipients("stale_requests", request.number) == {"supervisor", "supervisor-2"}


def test_a_stale_request_is_told_once_per_state(staff):
    with clock_at(local("2026-11-09 09:00")):
        request = new_request(staff["clerk"], channel="proxy")
    assert run("stale_requests", "2026-11-12").notified == 3  # in intake: PT01's three clerks
    assert run("stale_requests", "2026-11-13").notified == 0  # again: nobody twice
    with clock_at(local("2026-11-13 10:00")):
        pass_missing_checks(staff["clerk"], request)
        services.submit(staff["clerk"], request)
    assert run("stale_requests", "2026-11-17").notified == 0  # waiting since Friday: not yet
    assert run("stale_requests", "2026-11-18").notified == 4  # the new state is a new period
    assert {(n.period, n.subject) for n in notified("stale_requests")} == {
        ("intake", request.number), ("pending_review", request.number)}


def test_closed_and_young_requests_are_not_stale(staff):
    made_at("2026-11-02 09:00", "cancelled", staff["clerk"], staff["supervisor"])
    made_at("2026-11-02 09:00", "submitted", staff["clerk"], staff["supervisor"])
    made_at("2026-11-19 09:00", "intake", staff["clerk"], staff["supervisor"])
    assert run("stale_requests", "2026-11-20").notified == 0


# --- uncollected_30 / uncollected_180 ------------------------------------------------------------------------


def test_uncollected_30_fires_on_the_thirtieth_day(staff):
    request = made_at("2026-10-01 09:00", "ready", staff["clerk"], staff["supervisor"])
    assert run("uncollected_30", "2026-10-30").notified == 0  # 29 days
    assert run("uncollected_30", "2026-10-31").notified == 3  # 30 days
    assert recipients("uncollected_30", request.number) == {"clerk-a", "clerk-b", "trainer-a"}
    body = notified("uncollected_30")[0].body
    assert "30 天未领取" in body and "电话联系持卡人" in body
    assert run("uncollected_30", "2026-11-30").notified == 0  # once per request


def test_uncollected_180_fires_on_the_hundred_and_eightieth_day_and_proposes_return(staff):
    request = made_at("2026-03-02 09:00", "ready", staff["clerk"], staff["supervisor"])
    arrived = date(2026, 3, 2)
    assert run("uncollected_180", arrived + timedelta(days=179)).notified == 0
    assert run("uncollected_180", arrived + timedelta(days=180)).notified == 3
    note = notified("uncollected_180", subject=request.number)[0]
    assert "退回市卡中心" in note.body and note.link == f"/requests/{request.number}"


def test_collected_or_returned_cards_are_not_uncollected(staff):
    made_at("2026-01-05 09:00", "collected", staff["clerk"], staff["supervisor"])
    made_at("2026-01-05 09:00", "returned", staff["clerk"], staff["supervisor"])
    assert run("uncollected_30", "2026-11-30").notified == 0
    assert run("uncollected_180", "2026-11-30").notified == 0


def test_thresholds_come_from_configuration(app, staff):
    made_at("2026-10-01 09:00", "ready", staff["clerk"], staff["supervisor"])
    app.config["UNCOLLECTED_DAYS"] = 10
    try:
        assert run("uncollected_30", "2026-10-11").notified == 3
    finally:
        app.config["UNCOLLECTED_DAYS"] = 30


# --- no_warning_education ------------------------------------------------------------------------------------


def _session(outlet, kind, held_on: str, trainer):
    db.session.add(TrainingSession(held_on=date.fromisoformat(held_on), outlet_id=outlet.id if outlet else None,
                                   trainer_id=trainer.id, created_by_id=trainer.id, topic="培训", kind=kind,
                                   duration_minutes=60))
    db.session.flush()


def test_no_warning_education_fires_for_outlets_without_one_this_month(staff, outlet, other_outlet):
    from cardops.outlets.services import outlet_by_code

    trainer = staff["trainer"]
    _session(outlet, SessionKind.WARNING_EDUCATION, "2026-11-05", trainer)  # PT01: done this month
    _session(other_outlet, SessionKind.WARNING_EDUCATION, "2026-10-28", trainer)  # PT02: last month only
    _session(None, SessionKind.WARNING_EDUCATION, "2026-11-06", trainer)  # a district session counts for nobody
    _session(outlet_by_code("PT03"), SessionKind.BUSINESS, "2026-11-06", trainer)  # not warning education
    _session(outlet_by_code("PT04"), SessionKind.WARNING_EDUCATION, "2026-11-25", trainer)  # after as_of
    run("no_warning_education", "2026-11-20")
    subjects = {n.subject for n in notified("no_warning_education")}
    assert "PT01" not in subjects
    assert {"PT02", "PT03", "PT04", "PT10"} <= subjects
    assert {n.period for n in notified("no_warning_education")} == {"2026-11"}
    # PT02 has no trainer: the supervisors hear; PT01's trainer would hear about PT01 only.
    assert recipients("no_warning_education", "PT02") == {"supervisor", "supervisor-2"}
    pt02 = notified("no_warning_education", subject="PT02")[0]
    assert "2026-10-28" in pt02.body and "2026年11月" in pt02.body
    assert run("no_warning_education", "2026-11-27").notified == 0  # once per outlet and month
    assert run("no_warning_education", "2026-12-20").notified > 0  # a new month


def test_no_warning_education_tells_the_outlets_trainers(staff, outlet):
    run("no_warning_education", "2026-11-20")
    assert recipients("no_warning_education", "PT01") == {"trainer-a", "supervisor", "supervisor-2"}


def test_an_inactive_outlet_is_not_reminded(staff, other_outlet):
    other_outlet.active = False
    db.session.flush()
    run("no_warning_education", "2026-11-20")
    assert "PT02" not in {n.subject for n in notified("no_warning_education")}


# --- certification_expiring ----------------------------------------------------------------------------------


def _roster(user, certified_until: date, status=TrainerStatus.ACTIVE) -> Trainer:
    entry = Trainer(user_id=user.id, appointed_on=date(2024, 1, 1), certified_until=certified_until, status=status)
    db.session.add(entry)
    db.session.flush()
    return entry


def test_certification_expiring_within_thirty_days(staff, make_user):
    today = date(2026, 11, 30)
    _roster(staff["trainer"], today + timedelta(days=30))  # the last day inside the window
    _roster(make_user("clerk", "trainer", username="trainer-31"), today + timedelta(days=31))
    _roster(make_user("clerk", "trainer", username="trainer-suspended"), today + timedelta(days=5),
            TrainerStatus.SUSPENDED)
    _roster(make_user("clerk", "trainer", username="trainer-lapsed"), today - timedelta(days=1))
    run("certification_expiring", today)
    assert {n.subject for n in notified("certification_expiring")} == {"trainer-a"}
    assert recipients("certification_expiring") == {"trainer-a", "supervisor", "supervisor-2"}
    note = notified("certification_expiring")[0]
    assert note.period == "2026-12-30" and "还有 30 天到期" in note.body


def test_a_renewed_certification_is_a_new_date(staff):
    entry = _roster(staff["trainer"], date(2026, 12, 10))
    assert run("certification_expiring", "2026-11-30").notified == 3
    assert run("certification_expiring", "2026-12-07").notified == 0  # same trainer, same date
    entry.certified_until = date(2027, 1, 5)
    db.session.flush()
    assert run("certification_expiring", "2026-12-07").notified == 3


# --- weekly_digest -------------------------------------------------------------------------------------------


def test_weekly_digest_sums_up_last_week_for_supervisors(staff):
    made_at("2026-11-23 10:00", "intake", staff["clerk"], staff["supervisor"])  # Monday of week 48
    made_at("2026-11-29 20:00", "cancelled", staff["clerk"], staff["supervisor"])  # Sunday of week 48
    made_at("2026-11-30 08:00", "intake", staff["other_clerk"], staff["supervisor"])  # week 49: not counted
    run_ = run("weekly_digest", "2026-11-30")
    assert run_.notified == 2
    assert recipients("weekly_digest") == {"supervisor", "supervisor-2"}
    note = notified("weekly_digest")[0]
    assert note.subject == "district" and note.period == "2026-W48"
    assert "第48周" in note.title and "11月23日" in note.title
    pt01 = next(line for line in note.body.splitlines() if line.startswith("PT01"))
    pt02 = next(line for line in note.body.splitlines() if line.startswith("PT02"))
    assert "受理 2（" in pt01 and "撤销 1" in pt01 and "受理 0（" in pt02
    assert "全区：受理 2（" in note.body
    assert run("weekly_digest", "2026-12-02").notified == 0  # the same week, whatever day it runs
    assert run("weekly_digest", "2026-12-07").notified == 2


# --- what every message avoids -------------------------------------------------------------------------------


def test_messages_carry_no_id_number_and_a_masked_name(staff):
    request = made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"],
                      applicant={"id_number": "11010519491231002X", "name": "欧阳娜娜", "phone": "13912345678"})
    run("stale_requests", "2026-11-20")
    for note in notified("stale_requests", subject=request.number):
        text = note.title + note.body
        assert not ID_RUN.search(text) and "13912345678" not in text
        assert "欧**娜" in text and "欧阳娜娜" not in text
