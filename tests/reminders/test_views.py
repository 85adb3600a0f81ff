"""The pages: the bell on every page, the notification list (read, read all, open), and the supervisors' rules
(enable, disable, schedule with its preview, run now with an optional date) and run history."""

from __future__ import annotations

import re

import pytest

from cardops.extensions import db
from cardops.reminders.models import ReminderRule
from tests.guards import counting_statements, flashes
from tests.reminders.conftest import made_at, notified, run


def bell_count(html: str) -> int:
    match = re.search(r'class="bell[^"]*"[^>]*data-unread="(\d+)"', html)
    assert match, "no bell in the page header"
    return int(match.group(1))


@pytest.fixture
def pt01_notified(staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    made_at("2026-11-03 09:00", "intake", staff["clerk2"], staff["supervisor"])
    run("stale_requests", "2026-11-20")
    db.session.commit()
    return staff


# --- the bell and the notifications ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/home", "/requests", "/notifications", "/review"])
def test_every_page_shows_the_bell_with_the_unread_count(web, pt01_notified, path):
    web.login("clerk-a")
    assert bell_count(web.page(path)) == 2


def test_the_bell_comes_with_the_signed_in_user_not_in_a_statement_of_its_own(web, pt01_notified):
    web.login("clerk-a")
    with counting_statements() as statements:
        html = web.page("/requests")
    about_notifications = [s for s in statements if "notifications" in s]
    assert bell_count(html) == 2
    assert len(about_notifications) == 1 and "FROM users" in about_notifications[0]


def test_no_bell_for_anonymous_pages(client):
    assert 'class="bell' not in client.get("/login").get_data(as_text=True)


def test_the_list_shows_only_ones_own_and_marks_them_read(web, pt01_notified):
    web.login("clerk-a")
    html = web.page("/notifications")
    ids = re.findall(r'data-notification="(\d+)"', html)
    assert len(ids) == 2 and html.count('class="notification unread"') == 2
    response = web.post(f"/notifications/{ids[0]}/read", csrf_page="/notifications")
    assert response.status_code == 302
    html = web.page("/notifications")
    assert bell_count(html) == 1 and html.count('class="notification unread"') == 1
    assert 'data-notification="' + ids[1] in web.page("/notifications?unread=1")
    assert 'data-notification="' + ids[0] + '"' not in web.page("/notifications?unread=1")


def test_mark_all_read(web, pt01_notified):
    web.login("clerk-a")
    response = web.post("/notifications/read-all", csrf_page="/notifications")
    html = web.follow(response)
    assert bell_count(html) == 0 and "已将 2 条通知标为已读" in flashes(html)


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(web, pt01_notified):
    web.login("clerk-a")
    note = notified("stale_requests", user_id=pt01_notified["clerk"].id)[0]
    response = web.get(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == note.link
    db.session.refresh(note)
    assert note.read_at is not None


def test_another_users_notification_cannot_be_opened_or_read(web, pt01_notified):
    note = notified("stale_requests", user_id=pt01_notified["clerk"].id)[0]
    web.login("clerk-other")
    assert web.get(f"/notifications/{note.id}/open").status_code == 404
    assert web.post(f"/notifications/{note.id}/read", csrf_page="/notifications").status_code == 404
    db.session.refresh(note)
    assert note.read_at is None


def test_a_post_without_csrf_changes_nothing(client, auth, pt01_notified):
    auth.login("clerk-a")
    note = notified("stale_requests", user_id=pt01_notified["clerk"].id)[0]
    client.post(f"/notifications/{note.id}/read")
    client.post("/notifications/read-all")
    db.session.refresh(note)
    assert note.read_at is None


def test_notifications_need_a_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code in (302, 401)


# --- rules and runs (supervisors) --------------------------------------------------------------------------------


def test_the_rules_page_lists_every_rule_with_schedule_and_the_scheduler(web, staff):
    web.login("supervisor")
    html = web.page("/reminders")
    for key in ("stale_requests", "uncollected_30", "uncollected_180", "no_warning_education",
                "certification_expiring", "weekly_digest"):
        assert f'data-rule="{key}"' in html
    assert "30 8 * * 1-5" in html and "每个工作日 08:30" in html
    assert "没有正在运行的调度程序" in html


@pytest.mark.parametrize("user, status", [("clerk-a", 403), ("trainer-a", 403), ("admin-x", 403)])
def test_rules_pages_are_for_supervisors(web, staff, user, status):
    web.login(user)
    for path in ("/reminders", "/reminders/rules/stale_requests", "/reminders/runs"):
        assert web.get(path).status_code == status


def test_disable_and_enable_a_rule(web, staff):
    web.login("supervisor")
    response = web.post("/reminders/rules/weekly_digest/toggle", csrf_page="/reminders")
    html = web.follow(response)
    assert 'data-rule="weekly_digest" data-enabled="false"' in html
    assert db.session.get(ReminderRule, "weekly_digest").enabled is False
    web.post("/reminders/rules/weekly_digest/toggle", csrf_page="/reminders")
    assert db.session.get(ReminderRule, "weekly_digest").enabled is True


def test_preview_shows_the_next_runs_without_saving(web, staff):
    web.login("supervisor")
    html = web.post("/reminders/rules/stale_requests", {"schedule": "0 7 * * 6", "enabled": "y",
                                                         "preview": "预览"},
                    csrf_page="/reminders/rules/stale_requests").get_data(as_text=True)
    assert "每周六 07:00" in html and "07:00 星期六" in html
    assert db.session.get(ReminderRule, "stale_requests") is None  # nothing saved


def test_save_a_schedule(web, staff):
    web.login("supervisor")
    response = web.post("/reminders/rules/stale_requests", {"schedule": "15 8 * * 1-5", "enabled": "y",
                                                             "save": "保存"},
                        csrf_page="/reminders/rules/stale_requests")
    html = web.follow(response)
    assert "已保存" in flashes(html)
    row = db.session.get(ReminderRule, "stale_requests")
    assert (row.schedule, row.enabled) == ("15 8 * * 1-5", True)


@pytest.mark.parametrize("button", ["save", "preview"])
def test_an_invalid_schedule_is_shown_on_the_form(web, staff, button):
    web.login("supervisor")
    response = web.post("/reminders/rules/stale_requests", {"schedule": "99 8 * * *", "enabled": "y",
                                                             button: "x"},
                        csrf_page="/reminders/rules/stale_requests")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "分钟应在 0–59 之间" in html and 'aria-invalid="true"' in html
    assert db.session.get(ReminderRule, "stale_requests") is None


def test_run_now_with_a_date_shows_the_run(web, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    web.login("supervisor")
    response = web.post("/reminders/rules/stale_requests/run", {"as_of": "2026-11-20"},
                        csrf_page="/reminders/rules/stale_requests")
    html = web.follow(response)
    assert "新发通知 3 条" in flashes(html)
    assert "clerk-a" in html and "clerk-b" in html and "trainer-a" in html
    assert "2026-11-20 09:00" in html


def test_run_now_with_a_bad_date_is_refused(web, staff):
    web.login("supervisor")
    response = web.post("/reminders/rules/stale_requests/run", {"as_of": "2026-02-31"},
                        csrf_page="/reminders/rules/stale_requests")
    html = web.follow(response)
    assert "未能运行" in flashes(html)


def test_the_run_history_filters_by_rule(web, staff):
    run("stale_requests", "2026-11-20")
    run("weekly_digest", "2026-11-30")
    db.session.commit()
    web.login("supervisor")
    html = web.page("/reminders/runs?rule=weekly_digest")
    assert html.count("data-run=") == 1
    assert web.page("/reminders/runs").count("data-run=") == 2
    assert web.page("/reminders/runs?rule=bogus").count("data-run=") == 2  # an unknown filter shows all
    assert web.get("/reminders/runs/999999").status_code == 404


def test_a_failed_run_shows_its_error(web, staff, monkeypatch):
    from cardops.reminders.registry import RULES

    def broken(self, ctx):
        raise RuntimeError("training tables unreachable")

    monkeypatch.setattr(type(RULES.get("no_warning_education")), "subjects", broken)
    record = run("no_warning_education", "2026-11-20")
    db.session.commit()
    web.login("supervisor")
    html = web.page(f"/reminders/runs/{record.id}")
    assert 'data-status="failed"' in html and "training tables unreachable" in html
