"""The API of SPEC §7: reminder rules and runs (supervisors), notifications (each user their own), scheduler."""

from __future__ import annotations

import pytest

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from cardops.reminders.registry import RULES
from tests.guards import assert_error
from tests.reminders.conftest import made_at, run

SPEC_RULES = {"stale_requests": "30 8 * * 1-5", "uncollected_30": "0 9 * * 1-5", "uncollected_180": "0 9 * * 1-5",
              "no_warning_education": "0 9 20 * *", "certification_expiring": "0 9 * * 1",
              "weekly_digest": "0 8 * * 1"}


# --- rules -----------------------------------------------------------------------------------------------------


def test_rules_list_the_six_rules_with_their_defaults(as_, staff):
    response = as_(staff["supervisor"]).get("/api/v1/reminder-rules")
    assert response.status_code == 200
    rules = response.get_json()
    assert {r["key"]: r["schedule"] for r in rules} == SPEC_RULES
    for rule in rules:
        assert set(rule) >= {"key", "name", "enabled", "schedule", "last_run"}
        assert rule["enabled"] is True and rule["last_run"] is None and rule["name"]


@pytest.mark.parametrize("who", ["clerk", "trainer", "admin"])
def test_rules_are_for_supervisors(as_, staff, who):
    assert_error(as_(staff[who]).get("/api/v1/reminder-rules"), 403, "FORBIDDEN")
    assert_error(as_(staff[who]).patch("/api/v1/reminder-rules/stale_requests", {"enabled": False}),
                 403, "FORBIDDEN")
    assert_error(as_(staff[who]).post("/api/v1/reminder-rules/stale_requests/run", json={}), 403, "FORBIDDEN")
    assert_error(as_(staff[who]).get("/api/v1/reminder-runs"), 403, "FORBIDDEN")


def test_without_a_token_it_is_401(client):
    for path in ("/api/v1/reminder-rules", "/api/v1/reminder-runs", "/api/v1/notifications", "/api/v1/scheduler"):
        assert_error(client.get(path), 401, "UNAUTHENTICATED")


def test_patch_changes_schedule_and_enabled_and_is_audited(as_, staff):
    api = as_(staff["supervisor"])
    response = api.patch("/api/v1/reminder-rules/weekly_digest", {"schedule": "0  7 * * 1", "enabled": False})
    assert response.status_code == 200
    body = response.get_json()
    assert body["key"] == "weekly_digest" and body["schedule"] == "0 7 * * 1" and body["enabled"] is False
    listed = {r["key"]: r for r in api.get("/api/v1/reminder-rules").get_json()}
    assert listed["weekly_digest"]["enabled"] is False and listed["weekly_digest"]["schedule"] == "0 7 * * 1"
    entry = db.session.query(AuditEntry).filter_by(action="reminders.rule_updated").one()
    assert entry.detail["before"] == {"enabled": True, "schedule": "0 8 * * 1"}
    assert entry.detail["after"] == {"enabled": False, "schedule": "0 7 * * 1"}
    assert api.patch("/api/v1/reminder-rules/weekly_digest", {"enabled": True}).get_json()["enabled"] is True


@pytest.mark.parametrize("schedule", ["", "every monday", "0 9 * *", "61 9 * * *", "0 9 20 * 1", 5, None])
def test_an_invalid_schedule_is_400_naming_the_field(as_, staff, schedule):
    response = as_(staff["supervisor"]).patch("/api/v1/reminder-rules/stale_requests", {"schedule": schedule})
    assert_error(response, 400, "VALIDATION_ERROR")
    assert "schedule" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("body, field", [({"enabled": "no"}, "enabled"), ({"enabled": 1}, "enabled"),
                                         ({"key": "x"}, "key")])
def test_other_bad_changes_are_400(as_, staff, body, field):
    response = as_(staff["supervisor"]).patch("/api/v1/reminder-rules/stale_requests", body)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert field in response.get_json()["error"]["fields"]


def test_malformed_json_is_400(as_, api, client, staff):
    headers = api(staff["supervisor"]).headers
    response = client.patch("/api/v1/reminder-rules/stale_requests", data=b"{nope", content_type="application/json",
                            headers=headers)
    assert_error(response, 400, "VALIDATION_ERROR")
    ran = as_(staff["supervisor"]).post_raw("/api/v1/reminder-rules/stale_requests/run", b"[1, 2]")
    assert_error(ran, 400, "VALIDATION_ERROR")


def test_an_unknown_rule_is_404(as_, staff):
    api = as_(staff["supervisor"])
    assert_error(api.patch("/api/v1/reminder-rules/nope", {"enabled": False}), 404, "NOT_FOUND")
    assert_error(api.post("/api/v1/reminder-rules/nope/run", json={}), 404, "NOT_FOUND")


# --- run now ---------------------------------------------------------------------------------------------------


def test_run_now_answers_the_run_record_and_shows_as_last_run(as_, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    api = as_(staff["supervisor"])
    response = api.post("/api/v1/reminder-rules/stale_requests/run", json={"as_of": "2026-11-20"})
    assert response.status_code == 200
    record = response.get_json()
    assert record["rule"] == "stale_requests" and record["status"] == "ok" and record["notified"] == 3
    assert record["as_of"] == "2026-11-20T01:00:00Z" and record["error"] is None
    assert record["started_at"] and record["finished_at"] and record["triggered_by"] == "supervisor"
    again = api.post("/api/v1/reminder-rules/stale_requests/run", json={"as_of": "2026-11-20"}).get_json()
    assert again["notified"] == 0
    listed = {r["key"]: r for r in api.get("/api/v1/reminder-rules").get_json()}
    assert listed["stale_requests"]["last_run"]["id"] == again["id"]
    assert db.session.query(AuditEntry).filter_by(action="reminders.run").count() == 2


def test_run_now_without_a_body_evaluates_now(as_, staff):
    response = as_(staff["supervisor"]).post("/api/v1/reminder-rules/weekly_digest/run")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


@pytest.mark.parametrize("as_of", ["2026-02-30", "20261120", "next week", 5, ["2026-11-20"]])
def test_run_now_with_a_bad_date_is_400(as_, staff, as_of):
    response = as_(staff["supervisor"]).post("/api/v1/reminder-rules/stale_requests/run", json={"as_of": as_of})
    assert_error(response, 400, "VALIDATION_ERROR")
    assert "as_of" in response.get_json()["error"]["fields"]


# --- run history -----------------------------------------------------------------------------------------------


def test_runs_are_listed_newest_first_and_filtered_by_rule(as_, staff):
    for key in ("stale_requests", "weekly_digest", "stale_requests"):
        run(key, "2026-11-30")
    api = as_(staff["supervisor"])
    page = api.get("/api/v1/reminder-runs?per_page=2").get_json()
    assert page["total"] == 3 and page["page"] == 1 and page["per_page"] == 2 and len(page["items"]) == 2
    assert page["items"][0]["id"] > page["items"][1]["id"]
    only = api.get("/api/v1/reminder-runs?rule=stale_requests").get_json()
    assert only["total"] == 2 and {r["rule"] for r in only["items"]} == {"stale_requests"}
    detail = api.get(f"/api/v1/reminder-runs/{only['items'][0]['id']}").get_json()
    assert detail["notifications"] == []
    assert_error(api.get("/api/v1/reminder-runs/999999"), 404, "NOT_FOUND")


@pytest.mark.parametrize("query, field", [("rule=nope", "rule"), ("per_page=101", "per_page"), ("page=0", "page")])
def test_bad_run_list_arguments_are_400(as_, staff, query, field):
    response = as_(staff["supervisor"]).get(f"/api/v1/reminder-runs?{query}")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert field in response.get_json()["error"]["fields"]


def test_a_run_detail_lists_what_it_notified(as_, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    record = run("stale_requests", "2026-11-20")
    detail = as_(staff["supervisor"]).get(f"/api/v1/reminder-runs/{record.id}").get_json()
    assert {n["username"] for n in detail["notifications"]} == {"clerk-a", "clerk-b", "trainer-a"}


# --- notifications ---------------------------------------------------------------------------------------------


def _notify_pt01():
    return run("stale_requests", "2026-11-20")


def test_notifications_are_the_callers_own_newest_first_with_the_unread_count(as_, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    made_at("2026-11-03 09:00", "intake", staff["clerk2"], staff["supervisor"])
    _notify_pt01()
    page = as_(staff["clerk"]).get("/api/v1/notifications").get_json()
    assert set(page) == {"items", "page", "per_page", "total", "unread"}
    assert page["total"] == 2 and page["unread"] == 2 and len(page["items"]) == 2
    item = page["items"][0]
    assert set(item) == {"id", "rule", "title", "body", "link", "created_at", "read_at"}
    assert item["rule"] == "stale_requests" and item["read_at"] is None and item["link"].startswith("/requests/")
    assert as_(staff["other_clerk"]).get("/api/v1/notifications").get_json()["total"] == 0
    assert as_(staff["supervisor"]).get("/api/v1/notifications").get_json()["total"] == 0


def test_read_one_then_all(as_, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    made_at("2026-11-03 09:00", "intake", staff["clerk2"], staff["supervisor"])
    _notify_pt01()
    api = as_(staff["clerk"])
    first = api.get("/api/v1/notifications").get_json()["items"][0]
    read = api.post(f"/api/v1/notifications/{first['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"] is not None and read.get_json()["id"] == first["id"]
    assert api.post(f"/api/v1/notifications/{first['id']}/read").status_code == 200  # reading twice is fine
    unread = api.get("/api/v1/notifications?unread=true").get_json()
    assert unread["total"] == 1 and unread["unread"] == 1 and unread["items"][0]["id"] != first["id"]
    all_read = api.post("/api/v1/notifications/read-all")
    assert all_read.status_code == 200 and all_read.get_json() == {"unread": 0}
    assert api.get("/api/v1/notifications").get_json()["unread"] == 0
    assert as_(staff["clerk2"]).get("/api/v1/notifications").get_json()["unread"] == 2  # others untouched


def test_another_users_notification_is_404(as_, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    _notify_pt01()
    mine = as_(staff["clerk"]).get("/api/v1/notifications").get_json()["items"][0]["id"]
    for user in ("other_clerk", "supervisor", "admin"):
        assert_error(as_(staff[user]).post(f"/api/v1/notifications/{mine}/read"), 404, "NOT_FOUND")
    assert_error(as_(staff["clerk"]).post("/api/v1/notifications/99999999/read"), 404, "NOT_FOUND")
    assert as_(staff["clerk"]).get("/api/v1/notifications?unread=true").get_json()["unread"] == 1


@pytest.mark.parametrize("query, field", [("unread=maybe", "unread"), ("per_page=0", "per_page"),
                                          ("page=x", "page")])
def test_bad_notification_list_arguments_are_400(as_, staff, query, field):
    response = as_(staff["clerk"]).get(f"/api/v1/notifications?{query}")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert field in response.get_json()["error"]["fields"]


# --- scheduler -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_scheduler_status_without_a_leader(as_, staff, who):
    response = as_(staff[who]).get("/api/v1/scheduler")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"leader", "since", "heartbeat_at", "jobs"}
    assert body["leader"] is None
    keys = {job["key"] for job in body["jobs"]}
    assert set(RULES.rule_keys()) <= keys and "mail_outbox" in keys
    assert all(job["next_run_at"] is None for job in body["jobs"])


def test_scheduler_status_is_not_for_clerks(as_, staff):
    assert_error(as_(staff["clerk"]).get("/api/v1/scheduler"), 403, "FORBIDDEN")


def test_a_disabled_rule_is_not_among_the_jobs(as_, staff):
    as_(staff["supervisor"]).patch("/api/v1/reminder-rules/weekly_digest", {"enabled": False})
    keys = {job["key"] for job in as_(staff["admin"]).get("/api/v1/scheduler").get_json()["jobs"]}
    assert "weekly_digest" not in keys and "stale_requests" in keys
