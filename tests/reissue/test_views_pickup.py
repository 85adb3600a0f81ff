"""The pickup page (发卡): the receipt's QR or token, then the collector's ID."""

from __future__ import annotations

from cardops.reissue import pickup, services
from tests.guards import field_errors, flashes, text
from tests.reissue.helpers import make_id
from tests.reissue.workflow_support import agent_id, applicant_id, audit_of, request_in


def collect(web, r=None, *, token, id_number, name="", number=None):
    data = {"token": token, "collector_id_number": id_number, "collector_name": name}
    if number or r is not None:
        data["number"] = number or r.number
    return web.post("/pickup", data)


def test_the_request_page_leads_to_a_pickup_form_for_that_request(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    html = web.login("clerk-a").page(f"/pickup?number={r.number}")
    assert r.number in html and r.applicant_id_masked in html and f'value="{r.number}"' in html
    assert 'data-enter-next="collector_id_number"' in html


def test_a_wrong_token_is_refused_and_audited(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    forged = pickup.make_token(r.number, "0" * 32)
    response = collect(web.login("clerk-a"), r, token=forged, id_number=applicant_id(r))
    assert response.status_code == 422 and "取卡码无效或与该申请不符" in field_errors(text(response))
    assert r.status == "ready"
    assert [e.detail.get("problem") for e in audit_of(r.number)][-1] == "PICKUP_TOKEN_INVALID"


def test_garbage_without_a_request_is_an_invalid_token(web, clerk):
    response = collect(web.login("clerk-a"), token="not-a-token", id_number=make_id())
    assert response.status_code == 422 and "取卡码无效" in field_errors(text(response))


def test_a_wrong_collector_is_refused_and_the_id_is_not_echoed(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    stranger = make_id()
    response = collect(web.login("clerk-a"), r, token=pickup.request_token(r), id_number=stranger)
    html = text(response)
    assert response.status_code == 422
    assert "领取人身份与申请人（或登记的代办人）不符" in field_errors(html)
    assert stranger not in html and r.status == "ready"


def test_a_malformed_collector_id_is_a_field_error(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    response = collect(web.login("clerk-a"), r, token=pickup.request_token(r), id_number="123")
    assert response.status_code == 400 and "领取人身份证号码应为18位" in field_errors(text(response))


def test_the_applicant_collects_with_the_scanned_url_and_sees_a_confirmation(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    scanned = pickup.verification_url(r)  # what a QR scanner types into the token field
    response = collect(web.login("clerk-a"), token=scanned, id_number=applicant_id(r).lower(), name="张三")
    assert response.headers["Location"].endswith(f"/pickup?done={r.number}")
    html = web.follow(response)
    assert "发卡完成" in html and r.number in html and "申请人本人" in html
    assert r.status == "collected" and r.collector_role == "applicant"


def test_the_registered_agent_may_collect_a_proxy_request(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    services.review(clerk2, r, "approve")
    services.arrive(clerk, r)
    response = collect(web.login("clerk-a"), r, token=pickup.request_token(r), id_number=agent_id(r))
    assert response.status_code == 302 and r.collector_role == "agent"
    assert "代办人" in web.follow(response)


def test_a_card_not_yet_arrived_cannot_be_handed_over(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    response = collect(web.login("clerk-a"), token=pickup.request_token(r), id_number=applicant_id(r))
    assert response.status_code == 409 and "该申请现在不能发卡（新卡尚未到达）" in flashes(text(response))


def test_a_receipt_of_another_outlet_is_sent_back_to_its_outlet(web, clerk, other_clerk):
    r = request_in("ready", other_clerk, None)
    response = collect(web.login("clerk-a"), token=pickup.request_token(r), id_number=applicant_id(r))
    assert response.status_code == 404 and "请申请人到受理网点领取" in flashes(text(response))
    assert r.status == "ready"


def test_the_verify_page_link_fills_the_token(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    token = pickup.request_token(r)
    html = web.login("clerk-a").page(f"/pickup?token={token}")
    assert f'value="{token}"' in html
