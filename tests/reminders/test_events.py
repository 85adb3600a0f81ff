"""Event notifications on the same channel: the intake clerk hears the review's outcome, the supervisors hear when
a high-risk request starts waiting for them."""

from __future__ import annotations

from cardops.auth import services as accounts
from cardops.extensions import db
from cardops.reissue import services
from tests.reissue.workflow_support import new_request, pass_missing_checks, record
from tests.reminders.conftest import notified, recipients


def _pending(clerk, **body):
    request = new_request(clerk, channel="proxy", **body)
    pass_missing_checks(clerk, request)
    assert services.submit(clerk, request)
    return request


def test_the_intake_clerk_hears_an_approval(staff):
    request = _pending(staff["clerk"])
    services.review(staff["clerk2"], request, "approve")
    [note] = notified("request_reviewed")
    assert note.user_id == staff["clerk"].id and note.subject == request.number and note.period == "approve"
    assert "复核通过" in note.title and "受理员乙" in note.body and note.link == f"/requests/{request.number}"


def test_the_intake_clerk_hears_a_rejection_and_its_reason(staff):
    request = _pending(staff["clerk"])
    services.review(staff["supervisor"], request, "reject", "授权委托书签字与身份证不符")
    [note] = notified("request_reviewed")
    assert note.user_id == staff["clerk"].id and note.period == "reject"
    assert "驳回" in note.title and "授权委托书签字与身份证不符" in note.body


def test_a_deactivated_intake_clerk_is_not_notified(staff, admin):
    request = _pending(staff["clerk"])
    accounts.deactivate_user(admin, staff["clerk"], "调离")
    services.review(staff["clerk2"], request, "approve")
    assert notified("request_reviewed") == []


def test_supervisors_hear_when_a_high_risk_request_starts_waiting(staff):
    request = new_request(staff["clerk"])
    record(staff["clerk"], request, "face_match", "fail")
    pass_missing_checks(staff["clerk"], request)
    assert services.submit(staff["clerk"], request) and request.risk_level == "high"
    assert recipients("request_awaits_review", request.number) == {"supervisor", "supervisor-2"}
    note = notified("request_awaits_review")[0]
    assert "高风险" in note.title and "曾记录为不通过" in note.body  # the flag's reason
    assert note.link == f"/requests/{request.number}/review"


def test_a_medium_risk_request_does_not_call_the_supervisors(staff):
    _pending(staff["clerk"])
    assert notified("request_awaits_review") == []


def test_supervisors_hear_when_a_waiting_request_becomes_high_risk(staff):
    request = _pending(staff["clerk"])
    assert notified("request_awaits_review") == []
    record(staff["clerk"], request, "face_match", "fail")  # recorded while it waits: now high risk
    assert request.risk_level == "high"
    assert recipients("request_awaits_review", request.number) == {"supervisor", "supervisor-2"}
    record(staff["clerk"], request, "phone_callback", "pass")  # the level stays high: nobody is told twice
    assert len(notified("request_awaits_review")) == 2


def test_a_review_through_the_api_notifies_in_the_same_transaction(as_, staff):
    request = _pending(staff["clerk"])
    db.session.commit()
    response = as_(staff["clerk2"]).post(f"/api/v1/requests/{request.number}/review", json={"decision": "approve"})
    assert response.status_code == 200
    page = as_(staff["clerk"]).get("/api/v1/notifications").get_json()
    assert page["unread"] == 1 and page["items"][0]["rule"] == "request_reviewed"


def test_a_refused_review_notifies_nobody(as_, staff):
    request = _pending(staff["clerk"])
    db.session.commit()
    response = as_(staff["clerk"]).post(f"/api/v1/requests/{request.number}/review", json={"decision": "approve"})
    assert response.status_code == 403  # self-review
    assert notified("request_reviewed") == []
