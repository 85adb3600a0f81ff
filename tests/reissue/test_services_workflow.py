"""The reissue state machine through the services (SPEC §3.2, §3.3): every transition from every state,
identity checks, submit, request numbers, one open request per applicant, the timeline and the audit chain."""

from __future__ import annotations

import re

import pytest

from cardops.audit.services import verify_chain
from cardops.core.errors import NotFound, ValidationError
from cardops.core.timeutil import local_today
from cardops.reissue import services
from cardops.reissue.errors import (
    CheckNotApplicable,
    ChecksIncomplete,
    ConcurrentUpdate,
    InvalidTransition,
    OpenRequestExists,
)
from cardops.reissue.workflow import CHECKABLE_STATUSES, OPEN_STATUSES, TRANSITIONS, Status
from cardops.risk import watchlist
from tests.guards import ID_RUN
from tests.reissue.helpers import make_id, person
from tests.reissue.workflow_support import (
    applicant_id,
    audit_of,
    collect_as_applicant,
    events_of,
    new_request,
    pass_missing_checks,
    perform,
    record,
    request_in,
)

ALLOWED = [(action, source) for action, t in TRANSITIONS.items() for source in sorted(t.sources)]
REFUSED = [(action, status) for action, t in TRANSITIONS.items() for status in Status if status not in t.sources]


@pytest.fixture
def staff(clerk, clerk2, other_clerk, supervisor):
    class Staff:
        pass

    s = Staff()
    s.clerk, s.clerk2, s.other_clerk, s.supervisor = clerk, clerk2, other_clerk, supervisor
    return s


# --- transitions ---------------------------------------------------------------------------------------------

def test_the_matrix_covers_every_state_and_action():
    assert {s for _, s in ALLOWED} | {s for _, s in REFUSED} == set(Status)
    assert len(ALLOWED) + len(REFUSED) == len(TRANSITIONS) * len(Status)


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_transition_is_allowed_from_each_of_its_sources(staff, action, source):
    request = request_in(source, staff.clerk, staff.clerk2)
    # A review needs a second person; anything else is done by the intake clerk herself.
    actor = staff.clerk2 if action in ("approve", "reject") else staff.clerk
    if action == "submit":
        pass_missing_checks(actor, request)
    version = request.version
    perform(action, actor, request)
    assert request.status == TRANSITIONS[action].target
    assert request.version > version
    last = events_of(request)[-1]
    assert (last.action, last.from_status, last.to_status, last.actor_id) == (
        action, source, TRANSITIONS[action].target, actor.id)
    entry = audit_of(request.number)[-1]
    assert (entry.action, entry.actor_id, entry.detail["from"], entry.detail["to"]) == (
        f"reissue.{action}", actor.id, source, TRANSITIONS[action].target)
    assert entry.detail.get("reason") == last.reason


@pytest.mark.parametrize("status", sorted(Status))
def test_from_each_state_every_other_action_is_refused_and_every_action_is_hidden_from_other_outlets(staff, status):
    """One request per state (built once), then every action of workflow.TRANSITIONS tried on it."""
    request = request_in(status, staff.clerk, staff.clerk2)
    events_before, audited_before, version = len(events_of(request)), len(audit_of(request.number)), request.version
    refused_here = [action for action, s in REFUSED if s == status]
    assert refused_here == [a for a, t in TRANSITIONS.items() if status not in t.sources]
    for action in refused_here:
        # A supervisor who did not take the request in may do anything the state allows: only the state refuses.
        with pytest.raises(InvalidTransition) as refused:
            perform(action, staff.supervisor, request)
        assert (refused.value.status, refused.value.code) == (409, "INVALID_TRANSITION"), action
    for action in TRANSITIONS:
        with pytest.raises(NotFound):  # outlet scoping comes before the state machine
            perform(action, staff.other_clerk, request)
    with pytest.raises(NotFound):
        record(staff.other_clerk, request, "id_document")
    assert request.status == status and request.version == version
    assert len(events_of(request)) == events_before and len(audit_of(request.number)) == audited_before

    if status in CHECKABLE_STATUSES:
        record(staff.clerk, request, "id_document")
        assert request.checks[-1].step == "id_document"
    else:
        with pytest.raises(InvalidTransition):
            record(staff.clerk, request, "id_document")


def test_cancel_and_return_need_a_reason(staff):
    request = new_request(staff.clerk)
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError) as refused:
            services.cancel(staff.clerk, request, reason)
        assert "reason" in refused.value.fields
    ready = request_in("ready", staff.clerk, staff.clerk2)
    with pytest.raises(ValidationError):
        services.return_card(staff.clerk, ready, "")
    assert request.status == "intake" and ready.status == "ready"
    services.cancel(staff.clerk, request, "申请人放弃办理")
    assert (request.status, request.closed_reason) == ("cancelled", "申请人放弃办理")
    assert request.closed_at is not None


def test_a_stale_version_is_refused_with_409(staff):
    request = new_request(staff.clerk)
    with pytest.raises(ConcurrentUpdate) as refused:
        services.cancel(staff.clerk, request, "重复受理", expected_version=request.version + 1)
    assert (refused.value.status, refused.value.code) == (409, "CONFLICT")
    with pytest.raises(ValidationError):
        services.cancel(staff.clerk, request, "重复受理", expected_version="abc")
    services.cancel(staff.clerk, request, "重复受理", expected_version=str(request.version))
    assert request.status == "cancelled"


# --- required checks -----------------------------------------------------------------------------------------

def _expected_checks(kind: str, channel: str, high: bool) -> list[str]:
    """SPEC §3.3, written out independently of workflow.required_steps."""
    steps = ["id_document", "face_match"]
    if channel == "proxy":
        steps.append("proxy_authorization")
    steps.append("loss_report" if kind == "lost" else "old_card_recovered")
    if high:
        steps.append("phone_callback")
    return steps


@pytest.mark.parametrize("high", [False, True], ids=["not-high", "high"])
@pytest.mark.parametrize("channel", ["in_person", "proxy"])
@pytest.mark.parametrize("kind", ["lost", "damaged", "expired", "info_change"])
def test_required_checks_for_every_kind_channel_and_risk(clerk, supervisor, kind, channel, high):
    applicant = person()
    if high:
        watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "identity_theft"})
    request = new_request(clerk, kind=kind, channel=channel, applicant=applicant)
    assert (request.risk_level == "high") is high
    expected = _expected_checks(kind, channel, high)
    assert [str(s) for s in request.required_checks] == expected
    assert [str(s) for s in request.missing_checks] == expected
    pass_missing_checks(clerk, request)
    assert request.missing_checks == []
    assert sorted({c.step for c in request.checks}) == sorted(expected)


@pytest.mark.parametrize(("kind", "channel", "step"), [
    ("lost", "in_person", "proxy_authorization"),
    ("damaged", "in_person", "proxy_authorization"),
    ("damaged", "in_person", "loss_report"),
    ("expired", "proxy", "loss_report"),
    ("info_change", "in_person", "loss_report"),
    ("lost", "in_person", "old_card_recovered"),
    ("lost", "proxy", "old_card_recovered"),
])
def test_a_step_not_applicable_to_the_request_is_422(clerk, kind, channel, step):
    request = new_request(clerk, kind=kind, channel=channel)
    with pytest.raises(CheckNotApplicable) as refused:
        record(clerk, request, step)
    assert (refused.value.status, refused.value.code) == (422, "CHECK_NOT_APPLICABLE")
    assert request.checks == []


def test_a_phone_callback_may_be_recorded_even_when_not_required(clerk):
    request = new_request(clerk, kind="damaged")
    record(clerk, request, "phone_callback")
    assert request.risk_level == "low" and "phone_callback" not in request.required_checks


@pytest.mark.parametrize("step", ["fingerprint", "", None, "ID_DOCUMENT", 3, ["id_document"]])
def test_an_unknown_step_is_a_validation_error(clerk, step):
    request = new_request(clerk)
    with pytest.raises(ValidationError) as refused:
        services.record_check(clerk, request, {"step": step, "result": "pass"})
    assert refused.value.status == 400 and "step" in refused.value.fields
    assert request.checks == []


@pytest.mark.parametrize(("result", "score"), [("ok", None), (None, None), (True, None), ("pass", 101),
                                               ("pass", -1), ("pass", True), ("pass", "98.5"), ("pass", 98.5),
                                               ("pass", "abc"), ("pass", [90])])
def test_bad_result_or_score_is_a_validation_error(clerk, result, score):
    request = new_request(clerk)
    with pytest.raises(ValidationError):
        services.record_check(clerk, request, {"step": "face_match", "result": result, "score": score})
    assert request.checks == []


def test_a_check_keeps_step_result_detail_score_who_and_when(clerk):
    request = new_request(clerk)
    record(clerk, request, "face_match", detail="设备比对", score="87")
    check = request.checks[-1]
    assert (check.step, check.result, check.detail, check.score, check.by_id) == (
        "face_match", "pass", "设备比对", 87, clerk.id)
    assert check.at is not None
    record(clerk, request, "face_match", score=0)
    record(clerk, request, "face_match", score=100)
    assert [c.score for c in request.checks] == [87, 0, 100]


def test_the_latest_result_counts_but_a_fail_is_never_forgotten(clerk):
    request = new_request(clerk, kind="damaged")
    assert request.risk_level == "low"
    record(clerk, request, "face_match", "fail", detail="比对不一致")
    assert "face_match" in request.missing_checks
    assert request.risk_level == "high"
    assert [f.code for f in request.flags] == ["FAILED_CHECK"]
    assert "人证比对" in request.flags[0].reason

    record(clerk, request, "face_match", "pass")
    assert "face_match" not in request.missing_checks  # the repeat counts for completeness …
    assert request.risk_level == "high"  # … but the fail stays on the record
    assert [f.code for f in request.flags] == ["FAILED_CHECK"]
    assert "phone_callback" in request.required_checks and "phone_callback" in request.missing_checks


def test_a_pass_followed_by_a_fail_is_missing_again(clerk):
    request = new_request(clerk, kind="expired")
    pass_missing_checks(clerk, request)
    assert request.missing_checks == []
    record(clerk, request, "old_card_recovered", "fail")
    assert [str(s) for s in request.missing_checks] == ["old_card_recovered", "phone_callback"]
    with pytest.raises(ChecksIncomplete):
        services.submit(clerk, request)


# --- submit --------------------------------------------------------------------------------------------------

def test_submit_refuses_while_a_required_check_is_missing(clerk):
    request = new_request(clerk)  # lost, in person
    record(clerk, request, "id_document")
    record(clerk, request, "face_match")
    with pytest.raises(ChecksIncomplete) as refused:
        services.submit(clerk, request)
    assert (refused.value.status, refused.value.code) == (422, "CHECKS_INCOMPLETE")
    assert refused.value.extra["missing_checks"] == ["loss_report"]
    assert request.status == "intake" and request.pickup_nonce is None
    record(clerk, request, "loss_report")
    assert services.submit(clerk, request) is False
    assert request.status == "submitted"


def test_submit_of_a_low_risk_request_goes_straight_to_production(clerk, app):
    request = new_request(clerk, kind="damaged")
    pass_missing_checks(clerk, request)
    assert services.submit(clerk, request) is False
    assert request.status == "submitted"
    assert request.pickup_nonce and request.submitted_at is not None
    assert (request.expected_date - local_today()).days == app.config["CARD_PRODUCTION_DAYS"]


@pytest.mark.parametrize("level", ["medium", "high"])
def test_submit_of_a_medium_or_high_risk_request_waits_for_review(clerk, supervisor, level):
    applicant = person()
    if level == "high":
        watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "deceased"})
    request = new_request(clerk, channel="proxy", applicant=applicant)
    assert request.risk_level == level
    pass_missing_checks(clerk, request)
    assert services.submit(clerk, request) is True
    assert request.status == "pending_review"
    assert request.pickup_nonce is None and request.submitted_at is None


# --- request numbers -----------------------------------------------------------------------------------------

def test_numbers_carry_outlet_and_date_and_count_up_per_outlet(clerk, other_clerk, supervisor):
    day = f"{local_today():%Y%m%d}"
    first, second = new_request(clerk), new_request(clerk)
    elsewhere = new_request(other_clerk)
    by_supervisor = new_request(supervisor, outlet_code="PT01")
    assert re.fullmatch(r"PT01-\d{8}-\d{4}", first.number)
    assert [first.number, second.number, by_supervisor.number] == [f"PT01-{day}-0001", f"PT01-{day}-0002",
                                                                  f"PT01-{day}-0003"]
    assert elsewhere.number == f"PT02-{day}-0001"


def test_a_refused_intake_uses_no_number(clerk):
    applicant = person()
    first = new_request(clerk, applicant=applicant)
    with pytest.raises(OpenRequestExists):
        new_request(clerk, applicant=applicant)
    with pytest.raises(ValidationError):
        new_request(clerk, applicant=person(phone="12345"))
    following = new_request(clerk)
    assert int(following.number[-4:]) == int(first.number[-4:]) + 1


def test_supervisor_intake_needs_an_active_outlet_code(supervisor):
    for code in (None, "", "PT99", "pt01x"):
        with pytest.raises(ValidationError) as refused:
            new_request(supervisor, outlet_code=code)
        assert "outlet_code" in refused.value.fields
    request = new_request(supervisor, outlet_code="pt03")
    assert request.outlet.code == "PT03" and request.number.startswith("PT03-")


def test_a_deactivated_outlet_takes_no_new_requests(clerk, supervisor, outlet):
    from cardops.core.errors import Forbidden

    outlet.active = False
    with pytest.raises(Forbidden):
        new_request(clerk)
    with pytest.raises(ValidationError):
        new_request(supervisor, outlet_code="PT01")


def test_only_clerks_and_supervisors_take_requests_in(make_user):
    from cardops.core.errors import Forbidden

    for roles in (("trainer",), ("admin",)):
        with pytest.raises(Forbidden):
            new_request(make_user(*roles))


# --- one open request per applicant --------------------------------------------------------------------------

@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_a_second_intake_is_refused_while_one_is_open_anywhere(staff, status):
    applicant = person(name="王小明")
    request_in(status, staff.clerk, staff.clerk2, applicant=applicant)
    with pytest.raises(OpenRequestExists) as refused:
        new_request(staff.other_clerk, applicant=person(id_number=applicant["id_number"].lower(), name="王小明"))
    error = refused.value
    assert (error.status, error.code) == (409, "OPEN_REQUEST_EXISTS")
    assert "PT01" in error.message and error.extra["outlet_code"] == "PT01"
    text = str(error.to_dict())
    for personal in (applicant["id_number"], applicant["id_number"][-4:], "王小明", applicant["phone"][-4:]):
        assert personal not in text


@pytest.mark.parametrize("status", ["cancelled", "collected", "rejected", "returned"])
def test_an_applicant_may_come_again_once_the_request_is_closed(staff, status):
    applicant = person()
    request_in(status, staff.clerk, staff.clerk2, applicant=applicant)
    again = new_request(staff.other_clerk, applicant=applicant)
    assert again.status == "intake" and again.outlet.code == "PT02"


# --- timeline and audit --------------------------------------------------------------------------------------

def test_every_step_of_a_reviewed_request_is_on_the_timeline_and_in_the_audit_chain(staff):
    clerk, clerk2 = staff.clerk, staff.clerk2
    request = new_request(clerk, channel="proxy")
    pass_missing_checks(clerk, request)
    services.submit(clerk, request)
    services.review(clerk2, request, "approve", "材料齐全")
    services.arrive(clerk, request, "  C0001  ")
    collect_as_applicant(clerk2, request)
    assert request.status == "collected" and request.card_number == "C0001"

    timeline = [(e.action, e.from_status, e.to_status, e.actor_id) for e in events_of(request)]
    assert timeline == [
        ("intake", None, "intake", clerk.id),
        ("submit", "intake", "pending_review", clerk.id),
        ("approve", "pending_review", "submitted", clerk2.id),
        ("arrive", "submitted", "ready", clerk.id),
        ("collect", "ready", "collected", clerk2.id),
    ]
    assert events_of(request)[2].reason == "材料齐全"

    entries = audit_of(request.number)
    assert [e.action for e in entries] == ["reissue.intake"] + ["reissue.check"] * 4 + [
        "reissue.submit", "reissue.approve", "reissue.arrive", "reissue.collect"]
    assert [e.actor_name for e in entries] == ["clerk-a"] * 6 + ["clerk-b", "clerk-a", "clerk-b"]
    assert all(e.outlet_id == request.outlet_id for e in entries)
    approve = entries[6].detail
    assert (approve["from"], approve["to"], approve["reason"]) == ("pending_review", "submitted", "材料齐全")
    assert {e.detail["step"] for e in entries if e.action == "reissue.check"} == {
        "id_document", "face_match", "proxy_authorization", "loss_report"}
    assert entries[0].detail["applicant"] == request.applicant_id_masked
    report = verify_chain()
    assert report.ok, report.describe()


@pytest.mark.parametrize(("status", "action", "reason"), [
    ("intake", "cancel", "申请人放弃办理"),
    ("pending_review", "cancel", "申请人放弃办理"),
    ("pending_review", "reject", "复核意见"),
    ("ready", "return", "逾期未领取"),
])
def test_closing_actions_record_actor_and_reason(staff, status, action, reason):
    request = request_in(status, staff.clerk, staff.clerk2)
    actor = staff.supervisor
    perform(action, actor, request)
    assert request.closed_reason == reason and request.closed_at is not None
    event = events_of(request)[-1]
    assert (event.action, event.actor_id, event.reason) == (action, actor.id, reason)
    entry = audit_of(request.number)[-1]
    assert (entry.action, entry.actor_name, entry.detail["reason"]) == (f"reissue.{action}", "supervisor", reason)
    assert entry.detail["from"] == status


def test_no_audit_entry_carries_a_full_id_number(staff):
    applicant = person(id_number=make_id(birth="19700505"))
    request = request_in("collected", staff.clerk, staff.clerk2, applicant=applicant)
    entries = audit_of(request.number)
    assert len(entries) >= 6
    for entry in entries:
        text = str(entry.detail)
        assert applicant["id_number"] not in text and not ID_RUN.search(text)
    assert applicant_id(request) == applicant["id_number"]  # the ciphertext holds it; nothing else does
