"""The request page: masked people, risk, checks, timeline, and only the actions allowed now; the receipt."""

from __future__ import annotations

import re

import pytest

from cardops.extensions import db
from cardops.reissue import pickup
from tests.guards import field_errors, flashes, has_form, text
from tests.reissue.helpers import person
from tests.reissue.view_support import detail_path
from tests.reissue.workflow_support import agent_id, applicant_id, audit_of, new_request, record, request_in


def action_url(r, action: str) -> str:
    return f"/requests/{r.number}/{action}"


def test_the_page_shows_the_request_masked(web, clerk, clerk2):
    r = new_request(clerk, channel="proxy")
    html = web.login("clerk-b").page(detail_path(r))
    assert r.number in html and "待复核" not in html and "受理中" in html
    assert "挂失补卡" in html and "代办" in html
    assert r.applicant_id_masked in html and r.applicant_phone_masked in html and r.agent_id_masked in html
    assert applicant_id(r) not in html and agent_id(r) not in html
    assert "PROXY_APPLICATION" in html and "代办申请，须由第二人复核" in html and "中风险" in html
    assert 'data-status="intake"' in html and 'data-risk="medium"' in html


def test_another_outlets_request_is_not_found(web, clerk, other_clerk, supervisor):
    r = new_request(other_clerk)
    web.login("clerk-a")
    for path in (detail_path(r), f"{detail_path(r)}/review", f"{detail_path(r)}/receipt"):
        assert web.get(path).status_code == 404
    response = web.post(action_url(r, "cancel"), {"reason": "x", "version": r.version})
    assert response.status_code == 404 and r.status == "intake"
    web.logout().login("supervisor")
    assert r.number in web.page(detail_path(r))


def test_unknown_number_is_404(web, clerk):
    assert web.login("clerk-a").get("/requests/PT01-20260101-9999").status_code == 404


@pytest.mark.parametrize(("status", "shown", "hidden"), [
    ("intake", {"submit", "cancel"}, {"arrive", "collect", "return", "review", "receipt"}),
    ("pending_review", {"cancel"}, {"submit", "arrive", "collect", "return", "receipt"}),
    ("submitted", {"arrive", "receipt"}, {"submit", "cancel", "collect", "return"}),
    ("ready", {"collect", "return", "receipt"}, {"submit", "cancel", "arrive"}),
    ("collected", set(), {"submit", "cancel", "arrive", "collect", "return", "receipt"}),
    ("cancelled", set(), {"submit", "cancel", "arrive", "collect", "return", "receipt"}),
])
def test_only_the_actions_allowed_now_are_offered(web, clerk, clerk2, status, shown, hidden):
    r = request_in(status, clerk, clerk2)
    html = web.login("clerk-a").page(detail_path(r))
    links = {
        "submit": has_form(html, action_url(r, "submit")),
        "cancel": has_form(html, action_url(r, "cancel")),
        "arrive": has_form(html, action_url(r, "arrive")),
        "return": has_form(html, action_url(r, "return")),
        "collect": f'href="/pickup?number={r.number}"' in html,
        "review": f'href="{action_url(r, "review")}"' in html,
        "receipt": f'href="{action_url(r, "receipt")}"' in html,
    }
    assert {a for a, present in links.items() if present} == shown


def test_the_intake_clerk_gets_no_review_button_but_a_colleague_does(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    assert f'href="{action_url(r, "review")}"' not in web.login("clerk-a").page(detail_path(r))
    assert f'href="{action_url(r, "review")}"' in web.logout().login("clerk-b").page(detail_path(r))


def test_check_form_offers_only_the_applicable_steps(web, clerk):
    in_person_lost = new_request(clerk, kind="lost")
    proxy_damaged = new_request(clerk, kind="damaged", channel="proxy")
    web.login("clerk-a")

    def options(r):
        form = web.page(detail_path(r)).split('class="check-form"')[1]
        return re.findall(r'<option[^>]*value="(\w+)"', form.split("</select>")[0])

    assert options(in_person_lost) == ["id_document", "face_match", "loss_report", "phone_callback"]
    assert options(proxy_damaged) == ["id_document", "face_match", "proxy_authorization", "old_card_recovered",
                                      "phone_callback"]


def test_recording_checks_fills_the_table_and_then_submit_is_the_next_step(web, clerk):
    r = new_request(clerk)
    web.login("clerk-a")
    assert "还差 3 项" in web.page(detail_path(r))
    response = web.post(action_url(r, "checks"), {"step": "face_match", "result": "pass", "score": "91",
                                                  "detail": "设备比对", "version": r.version})
    html = web.follow(response)
    assert "已记录核验：人证比对 — 通过" in flashes(html)
    assert "分数 91" in html and "设备比对" in html and "还差 2 项" in html
    for step in ("id_document", "loss_report"):  # the one-click "通过" buttons of the table
        web.post(action_url(r, "checks"), {"step": step, "result": "pass", "version": r.version})
    html = web.page(detail_path(r))
    assert "身份核验已全部通过，可以提交制卡" in html and "btn-primary btn-large\" data-action=\"submit\"" in html


def test_a_failed_check_raises_the_risk_and_is_kept(web, clerk):
    r = new_request(clerk)
    web.login("clerk-a")
    web.post(action_url(r, "checks"), {"step": "face_match", "result": "fail", "detail": "照片与本人不符",
                                       "version": r.version})
    html = web.page(detail_path(r))
    assert r.risk_level == "high" and "FAILED_CHECK" in html and "身份核验“人证比对”曾记录为不通过" in html
    assert "电话回访" in html  # a high risk adds the call-back to the required checks
    web.post(action_url(r, "checks"), {"step": "face_match", "result": "pass", "version": r.version})
    html = web.page(detail_path(r))
    assert "全部核验记录（2 条）" in html and "照片与本人不符" in html


def test_a_bad_check_comes_back_on_the_form(web, clerk):
    r = new_request(clerk)
    response = web.login("clerk-a").post(action_url(r, "checks"), {"step": "face_match", "result": "pass",
                                                                   "score": "150", "version": r.version})
    assert response.status_code == 400
    assert "比对分数应为 0 到 100 的整数" in field_errors(text(response))
    assert not r.checks


def test_a_step_that_does_not_apply_is_refused(web, clerk):
    r = new_request(clerk, kind="lost")
    response = web.login("clerk-a").post(action_url(r, "checks"), {"step": "old_card_recovered", "result": "pass",
                                                                   "version": r.version})
    assert "不适用于此申请" in flashes(web.follow(response))
    assert not r.checks


def test_a_stale_page_is_told_to_reload(web, clerk):
    r = new_request(clerk)
    stale = r.version
    record(clerk, r, "id_document")
    db.session.commit()
    response = web.login("clerk-a").post(action_url(r, "checks"), {"step": "face_match", "result": "pass",
                                                                   "version": stale})
    assert "该申请刚被他人处理，请刷新页面后查看最新状态" in flashes(web.follow(response))
    response = web.post(action_url(r, "submit"), {"version": stale})
    assert "该申请刚被他人处理" in flashes(web.follow(response))
    assert r.status == "intake" and len(r.checks) == 1


def test_submit_with_missing_checks_names_them(web, clerk):
    r = new_request(clerk, kind="lost")
    record(clerk, r, "id_document")
    db.session.commit()
    response = web.login("clerk-a").post(action_url(r, "submit"), {"version": r.version})
    message = flashes(web.follow(response))
    assert "身份核验未完成或未通过，不能提交：人证比对、挂失确认" in message
    assert r.status == "intake"


def test_submit_in_person_goes_to_production_and_proxy_to_review(web, clerk):
    plain = new_request(clerk)
    proxy = new_request(clerk, channel="proxy")
    for r in (plain, proxy):
        for step in list(r.missing_checks):
            record(clerk, r, step)
    db.session.commit()
    web.login("clerk-a")
    html = web.follow(web.post(action_url(plain, "submit"), {"version": plain.version}))
    assert plain.status == "submitted" and "已提交制卡，请打印受理回执" in flashes(html)
    assert "打印受理回执" in html
    html = web.follow(web.post(action_url(proxy, "submit"), {"version": proxy.version}))
    assert proxy.status == "pending_review"
    assert "已转入待复核，须由本网点另一名受理员或督导复核通过后制卡" in flashes(html)


def test_cancel_needs_a_reason_and_shows_in_the_timeline(web, clerk):
    r = new_request(clerk)
    web.login("clerk-a")
    response = web.post(action_url(r, "cancel"), {"reason": "  ", "version": r.version})
    assert response.status_code == 400 and "请填写理由" in field_errors(text(response))
    assert r.status == "intake"
    html = web.follow(web.post(action_url(r, "cancel"), {"reason": "申请人未带证件原件", "version": r.version}))
    assert r.status == "cancelled" and "申请已撤销" in flashes(html)
    timeline = html.split('class="timeline"')[1]
    assert "撤销申请" in timeline and "申请人未带证件原件" in timeline and "受理员甲" in timeline


def test_arrive_and_return_from_the_request_page(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    web.login("clerk-a")
    html = web.follow(web.post(action_url(r, "arrive"), {"card_number": "CARD-0001", "version": r.version}))
    assert r.status == "ready" and r.card_number == "CARD-0001" and "已登记新卡到达" in flashes(html)
    html = web.follow(web.post(action_url(r, "return"), {"reason": "逾期180天未领取", "version": r.version}))
    assert r.status == "returned" and "已登记退回市卡中心" in flashes(html)


def test_an_action_not_allowed_now_is_refused_with_a_message(web, clerk, clerk2):
    r = request_in("collected", clerk, clerk2)
    response = web.login("clerk-a").post(action_url(r, "cancel"), {"reason": "试试", "version": r.version})
    assert "申请当前状态不允许“撤销申请”" in flashes(web.follow(response))
    assert r.status == "collected"


def test_every_action_is_audited_with_the_clerk(web, clerk):
    r = new_request(clerk)
    web.login("clerk-a").post(action_url(r, "checks"), {"step": "id_document", "result": "pass",
                                                        "version": r.version})
    assert [e.action for e in audit_of(r.number)][-1] == "reissue.check"
    assert audit_of(r.number)[-1].actor_name == "clerk-a"


# --- the receipt (受理回执) ----------------------------------------------------------------------------------

def test_receipt_has_the_qr_and_no_personal_data_in_full(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2, applicant=person(name="欧阳娜娜"))
    html = web.login("clerk-a").page(f"{detail_path(r)}/receipt")
    assert re.search(r'<svg class="qr"[^>]*viewBox=', html) or "data:image" in html
    assert r.number in html and r.outlet.name in html and "挂失补卡" in html
    assert r.applicant_id_masked in html and "欧**娜" in html and "欧阳娜娜" not in html
    assert r.expected_date.isoformat() in html
    assert pickup.verification_url(r) in html
    assert "css/receipt.css" in html and "data-print" in html
    assert applicant_id(r) not in html and " style=" not in html


def test_receipt_stylesheet_prints_on_a5(client):
    css = client.get("/static/css/receipt.css").get_data(as_text=True)
    assert "@page" in css and "A5" in css


def test_receipt_only_for_submitted_or_ready_and_only_at_its_outlet(web, clerk, clerk2, supervisor):
    draft = request_in("intake", clerk, clerk2)
    ready = request_in("ready", clerk, clerk2)
    web.login("clerk-b")
    assert web.get(f"{detail_path(draft)}/receipt").status_code == 409
    assert web.get(f"{detail_path(ready)}/receipt").status_code == 200
    web.logout().login("supervisor")
    assert web.get(f"{detail_path(ready)}/receipt").status_code == 403
    assert 'href="/requests/' + ready.number + '/receipt"' not in web.page(detail_path(ready))


def test_no_page_carries_a_full_id_number(web, clerk, clerk2, supervisor):
    """Every page of every state, as a clerk and as a supervisor; the ``web`` fixture scans each body."""
    made = [request_in(status, clerk, clerk2) for status in
            ("intake", "pending_review", "submitted", "ready", "collected", "cancelled", "rejected", "returned")]
    known_ids = {applicant_id(r) for r in made} | {agent_id(r) for r in made if r.agent_id_enc}
    web.guard.sent_ids.update(known_ids)
    for username in ("clerk-a", "supervisor"):
        web.login(username)
        for path in ("/home", "/requests", "/requests?queue=open", "/review", "/arrivals", "/pickup"):
            web.get(path)
        for r in made:
            for suffix in ("", "/review", "/receipt"):
                web.get(detail_path(r) + suffix)
            web.get(f"/pickup?number={r.number}")
            if r.pickup_nonce:
                web.get(f"/verify/{pickup.request_token(r)}")
        web.logout()
    assert len(web.guard.bodies) > 40 and not web.guard.leaks()
