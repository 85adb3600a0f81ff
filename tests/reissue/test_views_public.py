"""Pages without sign-in: receipt verification (/verify/<token>) and the status look-up (/status)."""

from __future__ import annotations

from cardops.reissue import pickup
from tests.guards import field_errors, text
from tests.reissue.workflow_support import request_in


def test_a_genuine_receipt_shows_number_status_and_outlet_only(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    html = web.page(f"/verify/{pickup.request_token(r)}")
    assert "回执真实有效" in html and r.number in html and "制卡中" in html and r.outlet.name in html
    for personal in (r.applicant_name, r.applicant_id_masked, r.applicant_phone_masked, r.applicant_id_last4):
        assert personal not in html
    assert "在本网点发卡" not in html  # nobody is signed in


def test_a_forged_or_altered_receipt_is_not_genuine(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    for token in ("forged", pickup.make_token(r.number, "0" * 32), pickup.request_token(r)[:-2] + "xx"):
        response = web.get(f"/verify/{token}")
        assert response.status_code == 404
        html = text(response)
        assert "无法验证此回执" in html and r.number not in html


def test_staff_of_its_outlet_get_a_pickup_link_with_the_token(web, clerk, clerk2, other_clerk):
    r = request_in("ready", clerk, clerk2)
    token = pickup.request_token(r)
    html = web.login("clerk-b").page(f"/verify/{token}")
    assert "在本网点发卡" in html and f'href="/pickup?token={token}"' in html
    html = web.logout().login("clerk-other").page(f"/verify/{token}")
    assert "回执真实有效" in html and "在本网点发卡" not in html


def test_status_found_with_number_and_last_four(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    html = web.page("/status")
    assert 'name="number"' in html and 'name="id_last4"' in html
    html = text(web.post("/status", {"number": r.number.lower(), "id_last4": r.applicant_id_last4},
                         csrf_page="/status"))
    assert 'data-found="yes"' in html and r.number in html and "待领取" in html and r.outlet.name in html
    assert r.applicant_name not in html and r.applicant_id_masked not in html


def test_any_mismatch_is_a_plain_not_found(web, clerk, clerk2, other_clerk):
    r = request_in("ready", clerk, clerk2)
    wrong_last4 = "0000" if r.applicant_id_last4 != "0000" else "1111"
    for number, last4 in ((r.number, wrong_last4), ("PT01-20200101-0001", r.applicant_id_last4)):
        html = text(web.post("/status", {"number": number, "id_last4": last4}, csrf_page="/status"))
        assert 'data-found="no"' in html and "未找到" in html and r.outlet.name not in html


def test_status_form_errors(web):
    response = web.post("/status", {"number": "", "id_last4": "12"}, csrf_page="/status")
    errors = field_errors(text(response))
    assert "请填写申请编号" in errors and "请填写身份证号码的最后4位" in errors


def test_status_is_rate_limited_with_the_apis_budget(web, client, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    for _ in range(5):  # the API and the page share one budget per address
        assert client.get(f"/api/v1/public/status?number={r.number}&id_last4=0000").status_code == 404
    for _ in range(5):
        assert web.post("/status", {"number": r.number, "id_last4": "0000"}, csrf_page="/status").status_code == 200
    response = web.post("/status", {"number": r.number, "id_last4": r.applicant_id_last4}, csrf_page="/status")
    assert response.status_code == 429
    html = text(response)
    assert "查询过于频繁，请稍后再试" in html and "data-rate-limited" in html and 'name="number"' in html
    assert r.outlet.name not in html
    assert client.get(f"/api/v1/public/status?number={r.number}&id_last4=0000").status_code == 429
    assert web.get("/status").status_code == 200  # the empty form is not a look-up


def test_ten_page_lookups_then_429(web, clerk, clerk2):
    r = request_in("ready", clerk, clerk2)
    statuses = [web.post("/status", {"number": r.number, "id_last4": r.applicant_id_last4},
                         csrf_page="/status").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
