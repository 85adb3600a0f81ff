"""The training pages: the roster (supervisors appoint and edit; everyone reads), the sessions list and its log
form (the staff checklist, errors on their rows), corrections, a person's record, the summaries (the same figures
as the API), navigation and home panels, and another outlet's session as a 404 on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training import roster, services
from cardops.training.models import Trainer, TrainingSession
from tests.guards import field_errors, flashes, text
from tests.training.support import days_ago, session_body


def nav(html: str) -> str:
    return re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)


def form_data(**fields) -> dict:
    data = {"date": local_today().isoformat(), "topic": "冒用已故人员身份补卡的识别", "kind": "warning_education",
            "duration_minutes": "60", "materials": ""}
    data.update(fields)
    return data


def sessions() -> list[TrainingSession]:
    return list(db.session.scalars(select(TrainingSession).order_by(TrainingSession.id)))


# --- navigation and home ----------------------------------------------------------------------------------------

def test_each_role_gets_its_menu_and_home_panel(web, supervisor, trainer, clerk):
    html = web.login("supervisor").page("/home")
    assert all(label in nav(html) for label in ("培训记录", "培训统计", "小教员名册")) and "我的培训" not in nav(html)
    assert 'data-panel="training-supervisor"' in html and "/training/trainers" in html
    html = web.logout().login("trainer-a").page("/home")
    assert all(label in nav(html) for label in ("培训记录", "培训统计", "我的培训")) and "小教员名册" not in nav(html)
    assert 'data-panel="training-trainer"' in html and 'href="/training/sessions/new"' in html
    assert 'data-panel="training-clerk"' in html
    html = web.logout().login("clerk-a").page("/home")
    assert "我的培训" in nav(html) and "培训记录" not in nav(html) and "training-trainer" not in html
    assert 'data-panel="training-clerk"' in html and 'href="/training/record"' in html


def test_the_highlighted_entry_follows_the_page(web, trainer, clerk):
    web.login("trainer-a")
    session = services.log_session(trainer, session_body("clerk-a"))
    db.session.commit()
    for path, label in [("/training/sessions/new", "培训记录"), (f"/training/sessions/{session.id}", "培训记录"),
                        ("/training/summary/trainers", "培训统计"), ("/training/record", "我的培训")]:
        active = re.search(r'<a href="[^"]*" class="active">([^<]+)</a>', nav(web.page(path))).group(1)
        assert active == label, path


def test_a_suspended_trainers_home_offers_no_logging(web, supervisor, trainer):
    entry = db.session.scalars(select(Trainer)).one()
    roster.update_trainer(supervisor, entry, {"status": "suspended", "reason": "暂停"})
    db.session.commit()
    html = web.login("trainer-a").page("/home")
    assert "暂停" in html and 'href="/training/sessions/new"' not in html


# --- the roster -----------------------------------------------------------------------------------------------

def test_a_supervisor_appoints_from_the_roster_page(web, supervisor, clerk):
    html = web.login("supervisor").page("/training/trainers")
    assert "任命小教员" in html and 'value="clerk-a"' in html
    until = (local_today() + timedelta(days=365)).isoformat()
    response = web.post("/training/trainers", {"username": "clerk-a", "appointed_on": local_today().isoformat(),
                                               "certified_until": until, "specialties": "防冒补核验、代办业务"},
                        csrf_page="/training/trainers")
    html = web.follow(response)
    assert "已任命 受理员甲 为小教员" in flashes(html)
    entry = db.session.scalars(select(Trainer)).one()
    assert entry.specialties == ["防冒补核验", "代办业务"] and clerk.has_role("trainer")


def test_appointment_errors_come_back_on_the_form(web, supervisor, clerk):
    web.login("supervisor")
    response = web.post("/training/trainers", {"username": "clerk-a", "appointed_on": local_today().isoformat(),
                                               "certified_until": days_ago(1).isoformat()},
                        csrf_page="/training/trainers")
    assert response.status_code == 400
    assert "资格有效期不能早于任命日期" in field_errors(text(response))
    response = web.post("/training/trainers", {"username": ""}, csrf_page="/training/trainers")
    assert response.status_code == 400 and "请填写" in field_errors(text(response))
    assert db.session.scalars(select(Trainer)).all() == []


def test_clerks_read_the_roster_but_cannot_change_it(web, trainer, clerk):
    entry = db.session.scalars(select(Trainer)).one()
    html = web.login("clerk-a").page("/training/trainers")
    assert 'data-trainer="trainer-a"' in html and "任命小教员" not in html
    html = web.page(f"/training/trainers/{entry.id}")
    assert "小教员甲" in html and "续期" not in html
    response = web.post("/training/trainers", {"username": "clerk-a"}, csrf_page="/training/trainers")
    assert response.status_code == 403 and db.session.query(Trainer).count() == 1
    response = web.post(f"/training/trainers/{entry.id}", {"status": "suspended", "reason": "x"},
                        csrf_page="/training/trainers")
    assert response.status_code == 403 and entry.status == "active"


def test_a_supervisor_suspends_with_a_reason_on_the_trainer_page(web, supervisor, trainer):
    entry = db.session.scalars(select(Trainer)).one()
    page = f"/training/trainers/{entry.id}"
    web.login("supervisor")
    response = web.post(page, {"certified_until": entry.certified_until.isoformat(), "specialties": "",
                               "status": "suspended", "reason": ""}, csrf_page=page)
    assert response.status_code == 400 and "请填写理由" in field_errors(text(response))
    response = web.post(page, {"certified_until": entry.certified_until.isoformat(), "specialties": "案例分析",
                               "status": "suspended", "reason": "长期病假"}, csrf_page=page)
    html = web.follow(response)
    assert "名册已更新" in flashes(html) and "已暂停：长期病假" in html
    assert (entry.status, entry.specialties) == ("suspended", ["案例分析"])


def test_roster_filters_and_the_certification_badges(web, supervisor, trainer, other_trainer, make_user):
    from tests.training.conftest import appoint

    appoint(supervisor, make_user("clerk", username="soon"), until_days=10)
    appoint(supervisor, make_user("clerk", username="lapsed"), until_days=-1)
    html = web.login("supervisor").page("/training/trainers")
    assert re.search(r'data-trainer="soon"[^>]*data-certification="expiring"', html)
    assert re.search(r'data-trainer="lapsed"[^>]*data-certification="lapsed"', html)
    html = web.page("/training/trainers?outlet_code=PT02")
    assert 'data-trainer="trainer-b"' in html and 'data-trainer="trainer-a"' not in html
    html = web.page("/training/trainers?status=nonsense")
    assert "筛选条件无效" in flashes(html) and 'data-trainer="trainer-a"' in html


# --- logging on the page ---------------------------------------------------------------------------------------

def test_the_log_form_lists_the_outlets_staff_as_a_checklist(web, trainer, clerk, clerk2, other_clerk):
    html = web.login("trainer-a").page("/training/sessions/new")
    rows = re.findall(r'<tr data-user="([^"]+)"', html)
    assert rows == ["clerk-a", "clerk-b"]  # their outlet's staff, not themself, nobody elsewhere
    assert f'name="attendance-{clerk.id}" value="present"' in html and f'name="score-{clerk.id}"' in html


def test_a_trainer_logs_a_session_with_attendance_and_scores(web, trainer, clerk, clerk2, make_user):
    make_user("clerk", username="clerk-c")
    web.login("trainer-a")
    data = form_data(**{f"attendance-{clerk.id}": "present", f"score-{clerk.id}": "95",
                        f"attendance-{clerk2.id}": "absent", f"score-{clerk2.id}": "60"})
    response = web.post("/training/sessions/new", data, csrf_page="/training/sessions/new")
    [session] = sessions()
    html = web.follow(response)
    assert "培训已登记" in flashes(html) and "（2人）" in flashes(html)
    assert [(a.user_id, a.attended, a.score) for a in session.attendances] == [(clerk.id, True, 95),
                                                                                 (clerk2.id, False, None)]
    assert 'data-attendee="clerk-a" data-attended="yes"' in html
    assert 'data-attendee="clerk-b" data-attended="no"' in html


def test_errors_land_on_the_fields_and_the_rows(web, trainer, clerk, clerk2):
    web.login("trainer-a")
    data = form_data(topic="", duration_minutes="9", **{f"attendance-{clerk.id}": "present",
                                                        f"score-{clerk.id}": "120"})
    response = web.post("/training/sessions/new", data, csrf_page="/training/sessions/new")
    assert response.status_code == 400 and sessions() == []
    html = text(response)
    errors = field_errors(html)
    assert "请填写培训主题" in errors and "15–480" in errors
    row = html.split('data-user="clerk-a"')[1].split("</tr>")[0]
    assert "成绩应为 0–100 之间的整数" in row and 'value="120"' in row and "checked" in row.split("缺席")[0]
    response = web.post("/training/sessions/new", form_data(), csrf_page="/training/sessions/new")
    assert response.status_code == 400 and "请至少登记一名参加人员" in text(response)


def test_a_supervisor_logs_a_district_session_on_the_page(web, supervisor, clerk, other_clerk, trainer):
    web.login("supervisor")
    html = web.page("/training/sessions/new")
    assert {"clerk-a", "clerk-other", "trainer-a"} <= set(re.findall(r'<tr data-user="([^"]+)"', html))
    response = web.post("/training/sessions/new", form_data(outlet_code=""), csrf_page="/training/sessions/new")
    assert response.status_code == 400 and "请选择培训网点" in field_errors(text(response))
    response = web.post("/training/sessions/new", form_data(
        outlet_code="district", trainer="trainer-a", **{f"attendance-{clerk.id}": "present",
                                                        f"attendance-{other_clerk.id}": "present"}),
        csrf_page="/training/sessions/new")
    [session] = sessions()
    assert web.follow(response) and session.outlet_id is None and session.trainer_id == trainer.id
    response = web.post("/training/sessions/new", form_data(
        outlet_code="PT02", **{f"attendance-{clerk.id}": "present"}), csrf_page="/training/sessions/new")
    assert response.status_code == 400 and "不是 PT02 的工作人员" in text(response)


def test_a_clerk_has_no_log_form_and_a_suspended_trainer_is_told_why(web, supervisor, trainer, clerk):
    web.login("clerk-a")
    assert web.get("/training/sessions/new").status_code == 403
    assert web.post("/training/sessions/new", form_data(), csrf_page="/home").status_code == 403
    entry = db.session.scalars(select(Trainer)).one()
    roster.update_trainer(supervisor, entry, {"status": "suspended", "reason": "暂停"})
    db.session.commit()
    web.logout().login("trainer-a")
    html = web.page("/training/sessions/new")
    assert 'data-refusal="TRAINER_NOT_ACTIVE"' in html and "data-session-form" not in html
    response = web.post("/training/sessions/new", form_data(**{f"attendance-{clerk.id}": "present"}),
                        csrf_page="/home")
    assert response.status_code == 403 and sessions() == []


def test_correcting_on_the_page(web, trainer, clerk, clerk2):
    session = services.log_session(trainer, session_body("clerk-a", duration_minutes=60))
    db.session.commit()
    web.login("trainer-a")
    html = web.page(f"/training/sessions/{session.id}")
    assert 'data-action="correct"' in html
    edit = f"/training/sessions/{session.id}/edit"
    html = web.page(edit)
    assert f'name="attendance-{clerk.id}" value="present" checked' in html and 'value="60"' in html
    response = web.post(edit, form_data(duration_minutes="90", version=str(session.version),
                                        **{f"attendance-{clerk.id}": "present", f"attendance-{clerk2.id}": "present"}),
                        csrf_page=edit)
    assert "培训记录已更正" in flashes(web.follow(response))
    assert session.duration_minutes == 90 and len(session.attendances) == 2
    response = web.post(edit, form_data(version="1", **{f"attendance-{clerk.id}": "present"}), csrf_page=edit)
    assert response.status_code == 409 and "已被他人修改" in text(response)


def test_old_sessions_are_not_offered_for_correction_to_their_trainer(web, trainer, clerk):
    session = services.log_session(trainer, session_body("clerk-a", date=days_ago(31).isoformat()))
    db.session.commit()
    web.login("trainer-a")
    assert 'data-action="correct"' not in web.page(f"/training/sessions/{session.id}")
    assert web.get(f"/training/sessions/{session.id}/edit").status_code == 403


# --- scoping on every page ---------------------------------------------------------------------------------------

def test_another_outlets_session_is_404_on_every_page(web, other_trainer, other_clerk, trainer, clerk):
    there = services.log_session(other_trainer, session_body("clerk-other"))
    db.session.commit()
    web.login("trainer-a")
    for path in (f"/training/sessions/{there.id}", f"/training/sessions/{there.id}/edit",
                 "/training/sessions?outlet_code=PT02", "/training/record/clerk-other"):
        assert web.get(path).status_code == 404, path
    response = web.post(f"/training/sessions/{there.id}/edit", form_data(), csrf_page="/home")
    assert response.status_code == 404
    assert f'data-session="{there.id}"' not in web.page("/training/sessions")
    assert web.get("/training/sessions/999999").status_code == 404


def test_the_sessions_list_with_filters(web, supervisor, trainer, other_trainer, clerk, other_clerk):
    here = services.log_session(trainer, session_body("clerk-a", kind="business"))
    there = services.log_session(other_trainer, session_body("clerk-other"))
    db.session.commit()
    html = web.login("supervisor").page("/training/sessions")
    assert f'data-session="{here.id}"' in html and f'data-session="{there.id}"' in html
    html = web.page("/training/sessions?kind=business")
    assert f'data-session="{here.id}"' in html and f'data-session="{there.id}"' not in html
    html = web.page("/training/sessions?trainer=trainer-b&outlet_code=PT02")
    assert f'data-session="{there.id}"' in html and f'data-session="{here.id}"' not in html
    html = web.page("/training/sessions?from=2026-99-01")
    assert "筛选条件无效" in flashes(html)
    today = local_today()
    month = f"from={today.replace(day=1).isoformat()}&amp;to={today.isoformat()}"
    assert month in html  # the quick periods: this month …
    html = web.page(f"/training/sessions?from={today.replace(day=1).isoformat()}&to={today.isoformat()}")
    assert 'class="active" aria-current="true">本月<' in html and f'data-session="{here.id}"' in html


# --- records and summaries ----------------------------------------------------------------------------------

def test_a_clerk_sees_their_own_record(web, trainer, clerk, clerk2):
    services.log_session(trainer, session_body({"username": "clerk-a", "score": 90}, duration_minutes=90))
    services.log_session(trainer, session_body({"username": "clerk-a", "attended": False}, kind="business"))
    db.session.commit()
    html = web.login("clerk-a").page("/training/record")
    assert re.search(r'data-figure="hours"><div class="value">1.5<', html)
    assert re.search(r'data-figure="sessions"><div class="value">1<', html)
    assert re.search(r'data-figure="absences"><div class="value">1<', html)
    assert local_today().isoformat() in html.split('data-figure="last-warning-education"')[1][:200]
    assert web.get("/training/record/clerk-b").status_code == 403  # a colleague's record is not theirs
    web.logout().login("trainer-a")
    assert "受理员乙 的培训" in web.page("/training/record/clerk-b")  # their trainer may look
    assert web.get("/training/record/nobody").status_code == 404


def test_the_summary_pages_show_the_apis_figures(web, as_, supervisor, trainer, clerk, clerk2):
    services.log_session(trainer, session_body("clerk-a", duration_minutes=45))
    db.session.commit()
    api = as_(supervisor).get("/api/v1/training/summary").get_json()
    web.login("supervisor")
    html = web.page("/training/summary")
    for outlet in api["outlets"]:
        row = html.split(f'data-outlet="{outlet["outlet_code"]}"')[1].split("</tr>")[0]
        assert [int(n) for n in re.findall(r'data-quarter="\d">(\d+)<', row)] == outlet["sessions_by_quarter"]
        assert (outlet["last_warning_education"] or "从未开展") in row
    assert 'class="row-overdue"' in html  # the outlets without any warning education
    html = web.page("/training/summary/staff")
    for person in api["clerks"]:
        row = html.split(f'data-person="{person["username"]}"')[1].split("</tr>")[0]
        assert f'data-hours="{person["hours"]}"' in row
    html = web.page("/training/summary/trainers")
    row = html.split('data-trainer="trainer-a"')[1].split("</tr>")[0]
    assert re.findall(r'class="num">(?:<a [^>]+>)?(\d+)', row) == ["1", "1"]
    assert web.page("/training/summary?year=abc")  # a bad year shows this year


@pytest.mark.parametrize("path", ["/training/summary", "/training/summary/staff", "/training/summary/trainers"])
def test_a_clerk_sees_their_outlets_summary(web, clerk, other_clerk, path):
    html = web.login("clerk-a").page(path)
    assert "PT02" not in html.split("</header>")[1].split("<footer")[0]
