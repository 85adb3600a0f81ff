"""The case pages: the library with its search and tabs, writing and editing (the personal-data refusal shown at
its field), the case page with only the actions allowed now, the sessions that used a case, the navigation and the
home panel."""

from __future__ import annotations

from datetime import date

import pytest

from cardops.extensions import db
from cardops.training.models import TrainingSession
from tests.cases.support import NARRATIVE, case_body
from tests.guards import field_errors, flashes, has_form
from tests.reissue.workflow_support import new_request


def form_of(case=None, **overrides) -> dict:
    body = case_body(**overrides)
    data = {k: v for k, v in body.items() if v is not None}
    if case is not None:
        data["version"] = str(case.version)
    return data


# --- the library ---------------------------------------------------------------------------------------------

def test_the_library_lists_what_the_reader_may_see(web, case_in, other_trainer, make_user, other_outlet):
    mine = case_in("draft", title="本网点草稿")
    shared = case_in("accepted", title="入库案例")
    theirs = case_in("draft", author=other_trainer, title="他网点草稿")
    html = web.login("trainer-a").page("/cases")
    assert mine.title in html and shared.title in html and theirs.title not in html
    assert 'data-action="new-case"' in html
    make_user("clerk", outlet_=other_outlet, username="reader")
    html = web.logout().login("reader").page("/cases")
    assert shared.title in html and mine.title not in html and theirs.title in html
    assert 'data-action="new-case"' not in html  # a clerk reads, trainers and supervisors write


def test_search_filters_and_tabs(web, case_in, supervisor):
    case_in("accepted", title="上门办理换卡", category="service")
    case_in("submitted", title="待审的案例")
    web.login("supervisor")
    html = web.page("/cases?q=上门")
    assert "上门办理换卡" in html and "待审的案例" not in html
    html = web.page("/cases?status=submitted")
    assert "待审的案例" in html and "上门办理换卡" not in html
    assert 'data-tab="to-review"' in html and '<span class="count">1</span>' in html
    html = web.page("/cases?category=bogus&year=abc")
    assert "筛选条件无效" in flashes(html) and "上门办理换卡" in html


# --- writing -------------------------------------------------------------------------------------------------

def test_a_trainer_writes_a_case_through_the_form(web, trainer):
    web.login("trainer-a")
    assert "不写个人信息" in web.page("/cases/new")
    response = web.post("/cases/new", form_of(title="网页上写的案例"), csrf_page="/cases/new")
    html = web.follow(response)
    assert "网页上写的案例" in html and "已保存为草稿" in flashes(html)
    assert 'data-action="submit"' in html and 'data-action="edit"' in html


def test_personal_data_is_refused_at_its_field(web, trainer):
    web.login("trainer-a")
    response = web.post("/cases/new", form_of(narrative=NARRATIVE + "老人电话139-1234-5678。"), csrf_page="/cases/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "案例经过中含有手机号码" in field_errors(html) and "印制成册" in field_errors(html)
    assert "139-1234-5678" in html  # the author's text comes back to be corrected, not lost


def test_clerks_cannot_open_the_form(web, clerk):
    assert web.login("clerk-a").get("/cases/new").status_code == 403


def test_a_supervisor_picks_the_outlet(web, supervisor):
    web.login("supervisor")
    assert 'name="outlet_code"' in web.page("/cases/new")
    response = web.post("/cases/new", form_of(), csrf_page="/cases/new")
    assert response.status_code == 400 and "所属网点" in field_errors(response.get_data(as_text=True))
    html = web.follow(web.post("/cases/new", form_of(outlet_code="PT04"), csrf_page="/cases/new"))
    assert "PT04" in html


def test_editing_keeps_the_version_and_refuses_a_stale_page(web, case_in):
    case = case_in("returned")
    web.login("trainer-a")
    html = web.page(f"/cases/{case.id}/edit")
    assert case.title in html and "退回意见" in html
    stale = form_of(case, title="旧页面的修改")
    web.follow(web.post(f"/cases/{case.id}/edit", form_of(case, title="改好的标题"), csrf_page="/cases"))
    assert case.title == "改好的标题"
    response = web.post(f"/cases/{case.id}/edit", stale, csrf_page="/cases")
    assert response.status_code == 409 and case.title == "改好的标题"


def test_the_edit_page_says_why_it_is_closed(web, case_in, trainer2):
    case = case_in("submitted")
    html = web.login("trainer-a").follow(web.get(f"/cases/{case.id}/edit"))
    assert "不允许" in flashes(html)
    html = web.logout().login("trainer-b").follow(web.get(f"/cases/{case.id}/edit"))
    assert "只有案例撰写人" in flashes(html)


# --- the case page -------------------------------------------------------------------------------------------

def action_forms(html: str, case) -> set[str]:
    return {a for a in ("submit", "accept", "return", "nominate") if has_form(html, f"/cases/{case.id}/{a}")}


@pytest.mark.parametrize(("status", "author_sees", "supervisor_sees"), [
    ("draft", {"submit"}, set()),
    ("returned", {"submit"}, set()),
    ("submitted", set(), {"accept", "return"}),
    ("accepted", set(), {"nominate"}),
    ("nominated", set(), set()),
])
def test_only_the_actions_allowed_now_are_offered(web, case_in, status, author_sees, supervisor_sees, trainer2):
    case = case_in(status)
    assert action_forms(web.login("trainer-a").page(f"/cases/{case.id}"), case) == author_sees
    assert action_forms(web.logout().login("supervisor").page(f"/cases/{case.id}"), case) == supervisor_sees
    assert action_forms(web.logout().login("trainer-b").page(f"/cases/{case.id}"), case) == set()


def test_the_flow_through_the_page_buttons(web, case_in):
    case = case_in("draft")
    web.login("trainer-a")
    html = web.follow(web.post(f"/cases/{case.id}/submit", {"version": case.version}, csrf_page="/cases"))
    assert "已提交审核" in flashes(html) and case.status == "submitted"
    web.logout().login("supervisor")
    response = web.post(f"/cases/{case.id}/return", {"version": case.version, "reason": ""}, csrf_page="/cases")
    assert response.status_code == 400 and "请填写理由" in field_errors(response.get_data(as_text=True))
    html = web.follow(web.post(f"/cases/{case.id}/return", {"version": case.version, "reason": "请写明处置结果"},
                               csrf_page="/cases"))
    assert case.status == "returned" and "请写明处置结果" in html
    web.logout().login("trainer-a")
    assert "请写明处置结果" in web.page(f"/cases/{case.id}")  # the author reads why
    web.post(f"/cases/{case.id}/submit", {"version": case.version}, csrf_page="/cases")
    web.logout().login("supervisor")
    web.post(f"/cases/{case.id}/accept", {"version": case.version, "reason": ""}, csrf_page="/cases")
    html = web.follow(web.post(f"/cases/{case.id}/nominate", {"version": case.version,
                                                              "year": str(case.occurred_on.year)},
                               csrf_page="/cases"))
    assert case.status == "nominated" and "已提名参加" in flashes(html)
    assert [e for e in ("create", "submit", "return", "accept", "nominate") if f'data-event="{e}"' in html] == [
        "create", "submit", "return", "accept", "nominate"]


def test_a_refused_action_is_flashed(web, case_in):
    case = case_in("submitted")
    web.login("supervisor")
    html = web.follow(web.post(f"/cases/{case.id}/nominate", {"version": case.version, "year": "2026"},
                               csrf_page="/cases"))
    assert "不允许" in flashes(html) and case.status == "submitted"
    response = web.post(f"/cases/{case.id}/accept", {"version": case.version + 5}, csrf_page="/cases")
    assert "刚被他人修改" in flashes(web.follow(response)) and case.status == "submitted"


def test_another_outlets_case_in_the_works_is_404(web, case_in, other_trainer):
    case = case_in("submitted")
    web.login("trainer-other")
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/edit"):
        assert web.get(path).status_code == 404
    assert web.post(f"/cases/{case.id}/submit", {"version": case.version}, csrf_page="/cases").status_code == 404


def test_the_library_case_page_shows_the_request_but_not_the_outlets_workings(web, case_in, clerk, other_trainer):
    request = new_request(clerk)
    case = case_in("accepted", request_number=request.number)
    html = web.login("trainer-other").page(f"/cases/{case.id}")
    assert request.number in html and "挂失补卡" in html and request.applicant_name not in html
    assert 'data-event=' not in html  # the history (returns and their reasons) stays with PT01 and the district
    assert request.number in web.logout().login("trainer-a").page(f"/cases/{case.id}")


def test_the_sessions_that_used_a_case(web, case_in, trainer, outlet, other_outlet, supervisor):
    case = case_in("accepted")
    for held_on, where, topic in ((date(2026, 3, 2), outlet, "三月警示教育"), (date(2026, 4, 8), None, "全区警示教育"),
                                  (date(2026, 5, 6), other_outlet, "外网点警示教育")):
        session = TrainingSession(held_on=held_on, outlet_id=where.id if where else None, trainer_id=trainer.id,
                                  topic=topic, kind="warning_education", duration_minutes=60,
                                  created_by_id=trainer.id)
        session.cases.append(case)
        db.session.add(session)
    db.session.commit()
    html = web.login("trainer-a").page(f"/cases/{case.id}")
    assert "三月警示教育" in html and "全区警示教育" in html and "外网点警示教育" not in html
    assert "另有 1 次其他网点的培训使用了本案例" in html
    html = web.logout().login("supervisor").page(f"/cases/{case.id}")
    assert "外网点警示教育" in html and "另有" not in html


# --- navigation and home -------------------------------------------------------------------------------------

def test_navigation_and_home_panel(web, case_in, trainer, supervisor, clerk):
    case_in("returned")
    html = web.login("trainer-a").page("/home")
    assert 'href="/cases"' in html and 'href="/selections"' not in html
    assert 'data-home="returned"' in html
    html = web.logout().login("supervisor").page("/home")
    assert 'href="/selections"' in html and 'data-home="to-review"' in html
    html = web.logout().login("clerk-a").page("/home")
    assert 'data-panel="cases"' in html and 'href="/cases/new"' not in html
