"""Review (双人复核) permissions, the pickup token and the collector (SPEC §3.4, §3.5), through the services."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from cardops.core.errors import Forbidden, NotFound, ValidationError
from cardops.reissue import pickup, services
from cardops.reissue.errors import (
    ChecksIncomplete,
    CollectorMismatch,
    PickupTokenInvalid,
    SelfReviewForbidden,
)
from cardops.risk import watchlist
from tests.reissue.helpers import make_id, person
from tests.reissue.workflow_support import (
    agent_id,
    applicant_id,
    audit_of,
    events_of,
    new_request,
    pass_missing_checks,
    record,
    request_in,
)


def pending(clerk, level="medium", supervisor=None, **body):
    """A request of ``clerk`` waiting for review at the given risk level."""
    applicant = body.pop("applicant", None) or person()
    if level == "high":
        watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "police_hold"})
    request = new_request(clerk, channel="proxy", applicant=applicant, **body)
    assert request.risk_level == level
    pass_missing_checks(clerk, request)
    assert services.submit(clerk, request) is True
    return request


def assert_unreviewed(request):
    assert request.status == "pending_review"
    assert (request.review_decision, request.reviewed_by_id, request.review_level) == (None, None, None)


# --- who may review ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_intake_clerk_cannot_review_her_own_request(clerk, decision):
    request = pending(clerk)
    with pytest.raises(SelfReviewForbidden) as refused:
        services.review(clerk, request, decision, "自己复核")
    assert (refused.value.status, refused.value.code) == (403, "SELF_REVIEW_FORBIDDEN")
    assert_unreviewed(request)


@pytest.mark.parametrize("level", ["medium", "high"])
def test_a_supervisor_who_did_the_intake_cannot_review_it_either(supervisor, make_user, level):
    request = pending(supervisor, level, supervisor, outlet_code="PT01")
    with pytest.raises(SelfReviewForbidden):
        services.review(supervisor, request, "approve")
    assert_unreviewed(request)
    colleague = make_user("supervisor", username="supervisor-2")
    services.review(colleague, request, "approve")
    assert request.status == "submitted" and request.reviewed_by_id == colleague.id


def test_another_clerk_of_the_outlet_approves_a_medium_risk_request(clerk, clerk2):
    request = pending(clerk)
    services.review(clerk2, request, "approve")
    assert request.status == "submitted"
    assert (request.review_decision, request.review_level, request.reviewed_by_id) == ("approve", "outlet", clerk2.id)
    assert request.reviewed_at is not None and request.pickup_nonce is not None
    assert request.review_reason is None  # an approval needs no reason


def test_a_clerk_of_another_outlet_does_not_even_see_the_request(clerk, other_clerk):
    request = pending(clerk)
    with pytest.raises(NotFound) as refused:
        services.review(other_clerk, request, "approve")
    assert refused.value.status == 404
    assert_unreviewed(request)


def test_a_clerk_cannot_review_a_high_risk_request_but_a_supervisor_can(clerk, clerk2, supervisor):
    request = pending(clerk, "high", supervisor)
    for decision in ("approve", "reject"):
        with pytest.raises(Forbidden) as refused:
            services.review(clerk2, request, decision, "理由")
        assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN")
    assert_unreviewed(request)
    services.review(supervisor, request, "approve", "已电话核实")
    assert request.status == "submitted"
    assert (request.review_level, request.reviewed_by_id, request.review_reason) == (
        "district", supervisor.id, "已电话核实")


def test_a_supervisor_may_also_approve_a_medium_risk_request(clerk, supervisor):
    request = pending(clerk)
    services.review(supervisor, request, "approve")
    assert request.status == "submitted" and request.reviewed_by_id == supervisor.id


@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_a_reject_needs_a_reason(clerk, clerk2, reason):
    request = pending(clerk)
    with pytest.raises(ValidationError) as refused:
        services.review(clerk2, request, "reject", reason)
    assert refused.value.status == 400 and "reason" in refused.value.fields
    assert_unreviewed(request)


def test_a_reject_with_a_reason_closes_the_request(clerk, clerk2):
    request = pending(clerk)
    services.review(clerk2, request, "reject", "  授权书无签字 ")
    assert request.status == "rejected"
    assert (request.review_decision, request.review_reason, request.closed_reason) == (
        "reject", "授权书无签字", "授权书无签字")
    assert events_of(request)[-1].reason == "授权书无签字"


@pytest.mark.parametrize("decision", [None, "", "APPROVE", "ok", 1, ["approve"]])
def test_an_unknown_decision_is_a_validation_error(clerk, clerk2, decision):
    request = pending(clerk)
    with pytest.raises(ValidationError) as refused:
        services.review(clerk2, request, decision, "x")
    assert "decision" in refused.value.fields
    assert_unreviewed(request)


def test_a_failed_check_during_review_raises_the_bar_and_blocks_approval(clerk, clerk2, supervisor):
    request = pending(clerk)
    record(clerk2, request, "proxy_authorization", "fail", detail="授权书签字不一致")
    assert request.risk_level == "high" and request.status == "pending_review"
    with pytest.raises(Forbidden):
        services.review(clerk2, request, "approve")  # now a supervisor's decision
    with pytest.raises(ChecksIncomplete) as refused:
        services.review(supervisor, request, "approve")
    assert refused.value.status == 422
    assert set(refused.value.extra["missing_checks"]) == {"proxy_authorization", "phone_callback"}
    assert_unreviewed(request)  # the refused approval left nothing behind
    assert request.pickup_nonce is None and request.submitted_at is None

    record(clerk, request, "proxy_authorization")
    record(clerk, request, "phone_callback", detail="本人确认")
    services.review(supervisor, request, "approve")
    assert request.status == "submitted" and request.review_level == "district"


# --- pickup token --------------------------------------------------------------------------------------------

@pytest.fixture
def ready(clerk, clerk2):
    return request_in("ready", clerk, clerk2)


def _refused_pickup(clerk, request, token, problem="PICKUP_TOKEN_INVALID"):
    with pytest.raises(PickupTokenInvalid if problem == "PICKUP_TOKEN_INVALID" else CollectorMismatch) as refused:
        services.collect(clerk, request, token, {"id_number": applicant_id(request)})
    assert (refused.value.status, refused.value.code) == (422, problem)
    assert refused.value.persist  # the refused attempt is kept in the audit log
    assert request.status == "ready" and request.collected_at is None
    entry = audit_of(request.number)[-1]
    assert (entry.action, entry.detail["problem"]) == ("reissue.collect_refused", problem)


def test_the_genuine_token_hands_the_card_to_the_applicant(clerk, ready):
    token = pickup.request_token(ready)
    services.collect(clerk, ready, token, {"id_number": applicant_id(ready)})
    assert ready.status == "collected"
    assert (ready.collector_role, ready.collector_name) == ("applicant", ready.applicant_name)
    assert events_of(ready)[-1].reason == "领取人：申请人本人"


def test_the_verification_url_from_the_qr_code_is_accepted(clerk, ready):
    url = f"https://cardops.example/verify/{pickup.request_token(ready)}\n"
    services.collect(clerk, ready, url, {"id_number": applicant_id(ready), "name": "张三"})
    assert ready.status == "collected" and ready.collector_name == "张三"


def test_a_forged_token_is_refused(clerk, ready):
    token = pickup.request_token(ready)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _refused_pickup(clerk, ready, forged)


def test_a_token_signed_with_another_key_is_refused(clerk, ready):
    foreign = URLSafeSerializer("someone-elses-key", salt=pickup.SALT).dumps([ready.number, ready.pickup_nonce])
    _refused_pickup(clerk, ready, foreign)


def test_a_token_with_the_right_number_but_an_old_nonce_is_refused(clerk, ready):
    _refused_pickup(clerk, ready, pickup.make_token(ready.number, "0" * 32))


def test_the_token_of_another_request_is_refused(clerk, clerk2, ready):
    other = request_in("ready", clerk, clerk2)
    _refused_pickup(clerk, ready, pickup.request_token(other))
    services.collect(clerk, other, pickup.request_token(other), {"id_number": applicant_id(other)})
    assert other.status == "collected"


@pytest.mark.parametrize("token", [None, "", "   ", "not-a-token", 12345, ["x"], "x" * 5000])
def test_a_missing_or_malformed_token_is_refused(clerk, ready, token):
    _refused_pickup(clerk, ready, token)


# --- collector -----------------------------------------------------------------------------------------------

def _id_ending_in_x() -> str:
    return next(candidate for seq in range(1000)
                if (candidate := make_id(birth="19750303", seq=seq)).endswith("X"))


def test_the_applicant_collects_even_with_a_lowercase_x_and_spaces(clerk, clerk2):
    id_number = _id_ending_in_x()
    request = request_in("ready", clerk, clerk2, applicant=person(id_number=id_number))
    spaced = f" {id_number[:6]} {id_number[6:14]} {id_number[14:].lower()} "
    services.collect(clerk, request, pickup.request_token(request), {"id_number": spaced})
    assert request.status == "collected" and request.collector_role == "applicant"


def test_the_registered_agent_collects_a_proxy_request(clerk, clerk2):
    request = request_in("pending_review", clerk, clerk2)
    services.review(clerk2, request, "approve")
    services.arrive(clerk, request)
    services.collect(clerk, request, pickup.request_token(request), {"id_number": agent_id(request)})
    assert (request.status, request.collector_role, request.collector_name) == ("collected", "agent", "李四")


def test_an_agent_id_does_not_collect_an_in_person_request(clerk, clerk2, ready):
    proxy = new_request(clerk, channel="proxy")  # someone who is an agent elsewhere
    with pytest.raises(CollectorMismatch) as refused:
        services.collect(clerk, ready, pickup.request_token(ready), {"id_number": agent_id(proxy)})
    assert (refused.value.status, refused.value.code) == (422, "COLLECTOR_MISMATCH")
    assert ready.status == "ready"
    entry = audit_of(ready.number)[-1]
    assert entry.action == "reissue.collect_refused"
    assert entry.detail["collector"] == proxy.agent_id_masked and agent_id(proxy) not in str(entry.detail)


def test_another_person_does_not_collect_a_proxy_request(clerk, clerk2, supervisor):
    request = request_in("pending_review", clerk, clerk2)
    services.review(supervisor, request, "approve")
    services.arrive(clerk, request)
    with pytest.raises(CollectorMismatch):
        services.collect(clerk, request, pickup.request_token(request), {"id_number": make_id(birth="19911111")})
    assert request.status == "ready"


@pytest.mark.parametrize("collector", [
    None, "310107198001010011", [], {}, {"id_number": None}, {"id_number": 310107198001010011},
    {"id_number": "31010719800101001"}, {"id_number": "310107198013010017"},
    {"id_number": make_id()[:-1] + "Y"}, {"id_number": make_id(), "name": "名" * 51},
])
def test_a_malformed_collector_is_a_validation_error_not_a_mismatch(clerk, ready, collector):
    with pytest.raises(ValidationError) as refused:
        services.collect(clerk, ready, pickup.request_token(ready), collector)
    assert refused.value.status == 400 and refused.value.code == "VALIDATION_ERROR"
    assert ready.status == "ready"
