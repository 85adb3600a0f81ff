"""The counter as clerks and supervisors use it: search by full ID number without it reaching a URL, overdue in
working days, the next step first, supervisors' buttons, the daily handover sheet, English system text."""

from __future__ import annotations

from datetime import timedelta

from cardops.core.timeutil import clock_at, utcnow
from cardops.extensions import db
from tests.guards import assert_error, flashes, text
from tests.reissue.helpers import make_id, person
from tests.reissue.workflow_support import agent_id, applicant_id, new_request, request_in

# --- search by full ID number ---------------------------------------------------------------------------------

def test_a_full_id_number_is_searched_by_post_and_never_lands_in_the_url(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    other = request_in("submitted", clerk, clerk2)
    db.session.commit()
    full = applicant_id(r)
    web.login("clerk-a")
    response = web.post("/requests/search", {"q": full.lower(), "queue": ""}, csrf_page="/requests")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert full not in location and full.lower() not in location and "who=" in location
    page = web.follow(response)
    assert r.number in page and other.number not in page
    assert full not in page and r.applicant_id_masked in page  # the masked form says what was searched


def test_the_agents_number_finds_the_request_too(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    page = web.follow(web.post("/requests/search", {"q": agent_id(r)}, csrf_page="/requests"))
    assert r.number in page


def test_another_outlets_request_is_not_found_by_its_id(web, clerk, clerk2, other_clerk):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    web.login("clerk-other")
    page = web.follow(web.post("/requests/search", {"q": applicant_id(r)}, csrf_page="/requests"))
    assert r.number not in page and "没有符合条件的申请" in page


def test_a_wrong_id_number_is_said_without_repeating_it(web, clerk):
    web.login("clerk-a")
    good = make_id()
    wrong = good[:17] + ("1" if good[17] != "1" else "2")  # the check character is wrong
    page = web.follow(web.post("/requests/search", {"q": wrong}, csrf_page="/requests"))
    assert "身份证号码有误" in flashes(page) and wrong not in page


def test_an_id_number_typed_into_the_address_bar_is_taken_out_of_it(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    web.login("clerk-a")
    response = web.get(f"/requests?q={applicant_id(r)}&status=submitted")
    assert response.status_code == 302 and applicant_id(r) not in response.headers["Location"]
    assert "status=submitted" in response.headers["Location"]
    assert r.number in web.follow(response)


def test_an_expired_search_key_says_so(web, clerk):
    web.login("clerk-a")
    assert "身份证号码查询已失效" in flashes(web.page("/requests?who=nothing-here"))


def test_the_api_searches_by_post_and_refuses_the_number_in_a_url(as_, clerk, clerk2, other_clerk):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    found = as_(clerk).post("/api/v1/requests/search", json={"id_number": applicant_id(r), "per_page": 5})
    assert found.status_code == 200 and [i["number"] for i in found.get_json()["items"]] == [r.number]
    nothing = as_(other_clerk).post("/api/v1/requests/search", json={"id_number": applicant_id(r)})
    assert nothing.get_json()["total"] == 0
    assert_error(as_(clerk).post("/api/v1/requests/search", json={"id_number": "12345"}), 400, "VALIDATION_ERROR")
    assert_error(as_(clerk).post("/api/v1/requests/search", json={"status": ["x"]}), 400, "VALIDATION_ERROR")
    assert_error(as_(clerk).post("/api/v1/requests/search"), 400, "VALIDATION_ERROR")  # the number is what it is for
    refused = as_(clerk).get(f"/api/v1/requests?q={applicant_id(r)}")
    assert assert_error(refused, 400, "VALIDATION_ERROR")["fields"]["q"].startswith("完整身份证号码不能放在网址中")


# --- overdue, next step, buttons -------------------------------------------------------------------------------

def test_overdue_says_by_how_many_working_days(web, clerk, clerk2):
    with clock_at(utcnow() - timedelta(days=9)):
        stale = new_request(clerk)
    db.session.commit()
    web.login("clerk-a")
    queue = web.page("/requests")
    assert 'data-overdue="stale"' in queue and "已超时" in queue and "个工作日" in queue
    assert 'data-overdue="stale"' in web.page(f"/requests/{stale.number}")


def test_after_submit_the_primary_button_prints_the_receipt(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    page = web.login("clerk-a").page(f"/requests/{r.number}")
    assert 'class="btn btn-primary btn-large" href="/requests/' in page and 'data-action="receipt"' in page
    assert 'btn btn-primary btn-block" data-action="arrive"' not in page


def test_a_supervisor_is_offered_no_card_desk_and_no_intake_button(web, clerk, clerk2, supervisor):
    ready = request_in("ready", clerk, clerk2)
    db.session.commit()
    web.login("supervisor")
    page = web.page(f"/requests/{ready.number}")
    assert 'data-action="collect"' not in page and "/pickup" not in page
    assert 'href="/requests/new"' not in web.page("/requests")
    web.logout()
    web.login("clerk-a")
    assert 'href="/requests/new"' in web.page("/requests")
    assert 'data-action="collect"' in web.page(f"/requests/{ready.number}")


def test_the_review_page_shows_what_the_clerk_saw(web, clerk, clerk2):
    body = {"agent": person(name="李四", relation="子女", reason="申请人住院")}
    r = request_in("pending_review", clerk, clerk2, note="申请人行动不便，由女儿代办", **body)
    db.session.commit()
    page = web.login("clerk-b").page(f"/requests/{r.number}/review")
    assert "申请人行动不便，由女儿代办" in page and "申请人住院" in page and "data-relation" in page
    assert "PROXY_APPLICATION" in page and "代办申请，须由第二人复核" in page
    assert 'class="nav-active"' not in page and 'href="/review" class="active"' in page


# --- the daily handover sheet ------------------------------------------------------------------------------------

def test_the_handover_sheet_of_an_outlet_and_of_one_clerk(web, clerk, clerk2):
    mine = request_in("submitted", clerk, clerk2)
    theirs = request_in("intake", clerk2, clerk)
    db.session.commit()
    web.login("clerk-a")
    sheet = web.page("/handover")
    assert mine.number in sheet and theirs.number in sheet and "经办人签字" in sheet
    assert 'data-count="intake">2<' in sheet and 'data-count="submitted">1<' in sheet
    own = web.page("/handover?clerk=clerk-a")
    assert mine.number in own and theirs.number not in own


def test_the_handover_sheet_is_scoped(web, clerk, other_clerk, supervisor, outlet, other_outlet):
    web.login("clerk-a")
    web.page(f"/handover?outlet={other_outlet.code}", status=404)
    web.page("/handover?clerk=clerk-other", status=404)
    web.logout()
    web.login("supervisor")
    assert "请先选择网点" in web.page("/handover")
    assert f'data-handover="{other_outlet.code}"' in web.page(f"/handover?outlet={other_outlet.code}")
    assert "日期无效" in flashes(web.page(f"/handover?outlet={outlet.code}&day=2026-13-45"))


# --- English system text ------------------------------------------------------------------------------------------

def test_risk_reasons_and_timeline_notes_are_shown_in_english(web, client, clerk, clerk2):
    r = request_in("collected", clerk, clerk2)
    flagged = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    client.get("/lang/en")
    page = web.page(f"/requests/{flagged.number}")
    assert "Proxy application: a second person must review it" in page and "代办申请" not in page
    assert "Collected by: the applicant" in web.page(f"/requests/{r.number}")
    assert flagged.flags[0].reason == "代办申请，须由第二人复核"  # stored and answered in Chinese


def test_form_errors_never_show_codes(web, clerk):
    web.login("clerk-a")
    response = web.post("/requests/new", {"channel": "in_person"}, csrf_page="/requests/new")
    body = text(response)
    assert response.status_code == 400 and "请选择业务类型" in body
    assert "lost、damaged" not in body and "可选：" not in body
