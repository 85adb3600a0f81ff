"""The short pickup code (取卡码, SPEC §3.5) and the supervised reprint of a lost receipt (回执遗失补打)."""

from __future__ import annotations

import pytest

from cardops.core.errors import Forbidden, NotFound
from cardops.extensions import db
from cardops.reissue import pickup, reprints, services
from cardops.reissue.errors import (
    HolderMismatch,
    InvalidTransition,
    PickupTokenInvalid,
    ReprintPending,
    SelfReviewForbidden,
)
from tests.guards import assert_error, field_errors, flashes, text
from tests.reissue.helpers import make_id
from tests.reissue.workflow_support import agent_id, applicant_id, audit_of, request_in


def holder(r, id_number=None, reason="回执遗失，申请人本人持身份证到柜台"):
    return {"reason": reason, "id_checked": True, "holder": {"id_number": id_number or applicant_id(r)}}


# --- the code ---------------------------------------------------------------------------------------------------

def test_the_code_is_8_symbols_without_look_alikes_and_bound_to_the_receipt(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    code = pickup.request_code(r)
    assert len(code) == 8 and set(code) <= set(pickup.CODE_ALPHABET)
    assert not set("01OILU") & set(pickup.CODE_ALPHABET) and len(pickup.CODE_ALPHABET) == 30
    assert pickup.code_matches(r, code.lower()) and pickup.code_matches(r, f"{code[:4]}-{code[4:]}")
    assert pickup.code_matches(r, pickup.grouped_code(code))
    other = request_in("ready", clerk, clerk2)
    assert pickup.request_code(other) != code and not pickup.code_matches(other, code)
    assert pickup.request_code(request_in("intake", clerk, clerk2)) is None


def test_collect_by_code_with_the_applicants_id(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    services.collect(clerk, r, None, {"id_number": applicant_id(r)}, pickup_code=pickup.request_code(r))
    assert r.status == "collected" and r.collector_role == "applicant"


def test_a_wrong_code_is_refused_and_audited(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    wrong = "22222222" if pickup.request_code(r) != "22222222" else "33333333"
    with pytest.raises(PickupTokenInvalid):
        services.collect(clerk, r, None, {"id_number": applicant_id(r)}, pickup_code=wrong)
    refused = audit_of(r.number)[-1]
    assert refused.action == "reissue.collect_refused" and refused.detail == {"problem": "PICKUP_TOKEN_INVALID",
                                                                               "via": "code"}
    with pytest.raises(PickupTokenInvalid):  # neither token nor code
        services.collect(clerk, r, None, {"id_number": applicant_id(r)})
    with pytest.raises(PickupTokenInvalid):  # a right token does not excuse a wrong code
        services.collect(clerk, r, pickup.request_token(r), {"id_number": applicant_id(r)}, pickup_code=wrong)
    assert r.status == "ready"


def test_the_api_carries_the_code_for_the_outlets_staff_only(as_, clerk, clerk2, other_clerk, supervisor):
    r = request_in("ready", clerk, clerk2)
    db.session.commit()
    mine = as_(clerk2).get(f"/api/v1/requests/{r.number}").get_json()
    assert mine["pickup_code"] == pickup.request_code(r) and mine["pickup_token"]
    assert as_(supervisor).get(f"/api/v1/requests/{r.number}").get_json()["pickup_code"] is None
    assert_error(as_(other_clerk).get(f"/api/v1/requests/{r.number}"), 404, "NOT_FOUND")


def test_the_api_collects_by_code(as_, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    db.session.commit()
    body = {"pickup_code": "xxxxxxxx", "collector": {"id_number": applicant_id(r)}}
    assert_error(as_(clerk2).post(f"/api/v1/requests/{r.number}/collect", json=body), 422, "PICKUP_TOKEN_INVALID")
    code = pickup.request_code(r)
    body["pickup_code"] = f"{code[:4].lower()} {code[4:]}"
    answer = as_(clerk2).post(f"/api/v1/requests/{r.number}/collect", json=body)
    assert answer.status_code == 200 and answer.get_json()["status"] == "collected"


def test_the_pickup_page_takes_number_and_code(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    code = pickup.request_code(r)
    missing_number = web.post("/pickup", {"token": code, "collector_id_number": applicant_id(r)})
    assert missing_number.status_code == 400 and "请填写申请编号" in field_errors(text(missing_number))
    done = web.post("/pickup", {"number": r.number, "token": code.lower(), "collector_id_number": applicant_id(r)})
    assert done.status_code == 302 and f"done={r.number}" in done.headers["Location"]
    assert "发卡完成" in web.follow(done)


def test_the_receipt_prints_the_code_beside_the_qr(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    html = web.login("clerk-a").page(f"/requests/{r.number}/receipt")
    assert pickup.grouped_code(pickup.request_code(r)) in html and "svg" in html


# --- reprint of a lost receipt -------------------------------------------------------------------------------------

def test_a_reprint_voids_the_old_token_and_code(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    old_token, old_code = pickup.request_token(r), pickup.request_code(r)
    asked = reprints.request_reprint(clerk, r, holder(r))
    assert asked.status == "pending" and asked.holder_role == "applicant" and "*" in asked.holder_id_masked
    assert pickup.code_matches(r, old_code)  # still valid until approved
    reprints.decide_reprint(clerk2, r, asked, "approve")
    assert asked.status == "approved" and asked.decided_by_id == clerk2.id
    assert not pickup.code_matches(r, old_code) and not pickup.token_matches(r, old_token)
    with pytest.raises(PickupTokenInvalid):
        services.collect(clerk, r, None, {"id_number": applicant_id(r)}, pickup_code=old_code)
    services.collect(clerk, r, None, {"id_number": applicant_id(r)}, pickup_code=pickup.request_code(r))
    assert r.status == "collected"
    actions = [e.action for e in audit_of(r.number)]
    assert "reissue.reprint_requested" in actions and "reissue.reprint_approved" in actions
    assert [e.action for e in r.events if e.action == "reprint"] == ["reprint"]


def test_the_registered_agent_may_ask_and_a_supervisor_may_approve(clerk, clerk2, supervisor):
    r = request_in("pending_review", clerk, clerk2)  # a proxy application
    services.review(clerk2, r, "approve")
    asked = reprints.request_reprint(clerk, r, holder(r, agent_id(r)))
    assert asked.holder_role == "agent"
    reprints.decide_reprint(supervisor, r, asked, "approve")
    assert asked.status == "approved"


def test_never_approved_by_the_one_who_asked(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    asked = reprints.request_reprint(clerk2, r, holder(r))
    with pytest.raises(SelfReviewForbidden):
        reprints.decide_reprint(clerk2, r, asked, "approve")
    assert asked.status == "pending"


def test_someone_else_at_the_counter_is_refused_and_audited(clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    with pytest.raises(HolderMismatch):
        reprints.request_reprint(clerk, r, holder(r, make_id(birth="19770707")))
    entry = audit_of(r.number)[-1]
    assert entry.action == "reissue.reprint_refused" and entry.detail["problem"] == "HOLDER_MISMATCH"
    assert r.reprints == []


def test_refusals_of_who_and_when(clerk, clerk2, other_clerk, supervisor, make_user):
    r = request_in("ready", clerk, clerk2)
    with pytest.raises(NotFound):
        reprints.request_reprint(other_clerk, r, holder(r))
    with pytest.raises(Forbidden):  # the holder stands at the outlet's counter, not at the district
        reprints.request_reprint(supervisor, r, holder(r))
    with pytest.raises(InvalidTransition):
        reprints.request_reprint(clerk, request_in("intake", clerk, clerk2), holder(r))
    asked = reprints.request_reprint(clerk, r, holder(r))
    with pytest.raises(ReprintPending):
        reprints.request_reprint(clerk2, r, holder(r))
    with pytest.raises(NotFound):
        reprints.decide_reprint(other_clerk, r, asked, "approve")
    trainer_elsewhere = make_user("trainer", username="trainer-x")
    with pytest.raises((Forbidden, NotFound)):
        reprints.decide_reprint(trainer_elsewhere, r, asked, "approve")
    services.collect(clerk, r, pickup.request_token(r), {"id_number": applicant_id(r)})
    with pytest.raises(InvalidTransition):  # the card went out meanwhile: nothing left to reprint
        reprints.decide_reprint(clerk2, r, asked, "approve")


def test_a_reason_and_the_id_check_are_required_and_a_rejection_needs_a_reason(clerk, clerk2):
    from cardops.core.errors import ValidationError

    r = request_in("ready", clerk, clerk2)
    with pytest.raises(ValidationError) as refused:
        reprints.request_reprint(clerk, r, {"holder": {"id_number": applicant_id(r)}})
    assert set(refused.value.fields) == {"reason", "id_checked"}
    asked = reprints.request_reprint(clerk, r, holder(r))
    with pytest.raises(ValidationError):
        reprints.decide_reprint(clerk2, r, asked, "reject", "")
    token = pickup.request_token(r)
    reprints.decide_reprint(clerk2, r, asked, "reject", "持证人证件与照片不符")
    assert asked.status == "rejected" and pickup.request_token(r) == token  # the receipt stays as it was
    assert audit_of(r.number)[-1].action == "reissue.reprint_rejected"


def test_the_reprint_through_the_pages(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    old_code = pickup.request_code(r)
    db.session.commit()
    web.login("clerk-a")
    page = web.page(f"/requests/{r.number}")
    assert "回执遗失？申请补打" in page
    refused = web.post(f"/requests/{r.number}/reprints", {"holder_id_number": make_id(birth="19660606"),
                                                           "reason": "回执遗失", "id_checked": "y",
                                                           "version": r.version})
    assert refused.status_code == 422 and "持证人身份" in field_errors(text(refused))
    asked = web.post(f"/requests/{r.number}/reprints", {"holder_id_number": applicant_id(r), "reason": "回执遗失",
                                                         "id_checked": "y", "version": r.version})
    assert asked.status_code == 302
    page = web.follow(asked)
    assert "已提交回执补打申请" in flashes(page) and 'data-reprint="pending"' in page
    assert "提出补打申请的人不能自己批准" in page  # no buttons for the one who asked
    web.logout()
    web.login("clerk-b")
    assert r.number in web.page("/review")
    db.session.refresh(r)
    reprint = r.reprints[0]
    approved = web.post(f"/requests/{r.number}/reprints/{reprint.id}", {"decision": "approve",
                                                                         "version": r.version})
    assert approved.status_code == 302 and approved.headers["Location"].endswith(f"/requests/{r.number}/receipt")
    receipt = web.follow(approved)
    db.session.refresh(r)
    assert "data-reprinted" in receipt and pickup.grouped_code(pickup.request_code(r)) in receipt
    assert pickup.request_code(r) != old_code
