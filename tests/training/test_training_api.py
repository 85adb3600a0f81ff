"""The training endpoints of the API (SPEC §5): every endpoint's success and error answers, the objects' shapes,
outlet scoping (another outlet's session is 404), and bad input of every kind answered with a 4xx, never a 500.

Every response passes through the leak guard."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training.models import Trainer, TrainingSession
from tests.guards import assert_error
from tests.training.support import days_ago, session_body

TRAINER_FIELDS = {"id", "username", "name", "outlet_code", "appointed_on", "certified_until", "specialties",
                  "status", "status_reason", "sessions_this_year"}
SESSION_FIELDS = {"id", "date", "outlet_code", "trainer", "topic", "kind", "duration_minutes", "attendees",
                  "materials", "cases", "created_at", "updated_at"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    assert response.mimetype == "application/json"
    return response.get_json()


def assert_trainer(body: dict) -> dict:
    assert set(body) >= TRAINER_FIELDS, TRAINER_FIELDS - set(body)
    assert ISO_DATE.match(body["appointed_on"]) and ISO_DATE.match(body["certified_until"])
    assert body["status"] in ("active", "suspended") and isinstance(body["specialties"], list)
    assert isinstance(body["sessions_this_year"], int)
    return body


def assert_session(body: dict) -> dict:
    assert set(body) >= SESSION_FIELDS, SESSION_FIELDS - set(body)
    assert ISO_DATE.match(body["date"]) and set(body["trainer"]) == {"username", "name"}
    assert body["kind"] in ("business", "warning_education", "onboarding")
    for attendee in body["attendees"]:
        assert set(attendee) == {"username", "name", "outlet_code", "attended", "score"}
    for case in body["cases"]:
        assert set(case) == {"id", "title"}
    assert ISO_UTC.match(body["created_at"]) and ISO_UTC.match(body["updated_at"])
    return body


def sessions_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TrainingSession))


def entry_id(user) -> int:
    return db.session.scalar(select(Trainer.id).where(Trainer.user_id == user.id))


# --- the roster ------------------------------------------------------------------------------------------------

def test_every_signed_in_user_reads_the_roster(as_, trainer, other_trainer, clerk, admin):
    for user in (clerk, trainer, admin):
        body = ok(as_(user).get("/api/v1/trainers"))
        assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 2
        assert [assert_trainer(t)["username"] for t in body["items"]] == ["trainer-a", "trainer-b"]
    pt02 = ok(as_(clerk).get("/api/v1/trainers?outlet_code=pt02"))
    assert [t["username"] for t in pt02["items"]] == ["trainer-b"] and pt02["items"][0]["outlet_code"] == "PT02"
    assert ok(as_(clerk).get("/api/v1/trainers?status=suspended"))["total"] == 0
    assert ok(as_(clerk).get("/api/v1/trainers?outlet_code=PT99"))["total"] == 0
    paged = ok(as_(clerk).get("/api/v1/trainers?per_page=1&page=2"))
    assert (paged["page"], paged["per_page"], paged["total"], len(paged["items"])) == (2, 1, 2, 1)


def test_roster_entry_counts_this_years_sessions(as_, trainer, clerk):
    ok(as_(trainer).post("/api/v1/training-sessions", json=session_body("clerk-a")), 201)
    body = ok(as_(clerk).get(f"/api/v1/trainers/{entry_id(trainer)}"))
    assert assert_trainer(body)["sessions_this_year"] == 1 and body["certification"] == "valid"


@pytest.mark.parametrize("query", ["status=retired", "per_page=101", "per_page=0", "page=0", "page=x",
                                   "outlet_code=" + "X" * 30])
def test_bad_roster_queries_are_400(as_, clerk, query):
    assert_error(as_(clerk).get(f"/api/v1/trainers?{query}"), 400, "VALIDATION_ERROR")


def test_the_roster_needs_a_token(client):
    assert_error(client.get("/api/v1/trainers"), 401, "UNAUTHENTICATED")
    assert_error(client.post("/api/v1/trainers", json={}), 401, "UNAUTHENTICATED")


def test_a_supervisor_appoints(as_, supervisor, clerk):
    until = (local_today() + timedelta(days=365)).isoformat()
    body = ok(as_(supervisor).post("/api/v1/trainers", json={
        "username": "clerk-a", "appointed_on": local_today().isoformat(), "certified_until": until,
        "specialties": ["防冒补核验"]}), 201)
    assert assert_trainer(body)["username"] == "clerk-a" and body["name"] == "受理员甲"
    assert (body["outlet_code"], body["certified_until"], body["specialties"], body["status"]) == (
        "PT01", until, ["防冒补核验"], "active")
    assert body["status_reason"] is None and body["sessions_this_year"] == 0
    assert clerk.has_role("trainer")
    me = ok(as_(clerk).get("/api/v1/me"))
    assert "trainer" in me["roles"]
    again = as_(supervisor).post("/api/v1/trainers", json={"username": "clerk-a", "certified_until": until})
    assert_error(again, 409, "ALREADY_ON_ROSTER")


def test_appointing_refusals(as_, supervisor, trainer, clerk):
    until = (local_today() + timedelta(days=365)).isoformat()
    assert_error(as_(trainer).post("/api/v1/trainers", json={"username": "clerk-a", "certified_until": until}),
                 403, "FORBIDDEN")
    error = assert_error(as_(supervisor).post("/api/v1/trainers", json={"username": "ghost",
                                                                         "certified_until": until}),
                         400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"username"}
    error = assert_error(as_(supervisor).post("/api/v1/trainers", json={
        "username": "clerk-a", "appointed_on": until, "certified_until": local_today().isoformat()}),
        400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"certified_until"}
    error = assert_error(as_(supervisor).post("/api/v1/trainers", json={"username": "supervisor",
                                                                         "certified_until": until}),
                         400, "VALIDATION_ERROR")
    assert "username" in error["fields"]
    assert not clerk.has_role("trainer")


def test_a_supervisor_updates_an_entry(as_, supervisor, trainer, clerk):
    tid = entry_id(trainer)
    later = (local_today() + timedelta(days=900)).isoformat()
    body = ok(as_(supervisor).patch(f"/api/v1/trainers/{tid}", json={"certified_until": later,
                                                                      "specialties": ["案例分析"]}))
    assert (body["certified_until"], body["specialties"]) == (later, ["案例分析"])
    error = assert_error(as_(supervisor).patch(f"/api/v1/trainers/{tid}", json={"status": "suspended"}),
                         400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"reason"}
    body = ok(as_(supervisor).patch(f"/api/v1/trainers/{tid}", json={"status": "suspended", "reason": "调查期间"}))
    assert (body["status"], body["status_reason"], body["may_log_today"]) == ("suspended", "调查期间", False)
    assert_error(as_(trainer).post("/api/v1/training-sessions", json=session_body("clerk-a")),
                 403, "TRAINER_NOT_ACTIVE")
    assert_error(as_(trainer).patch(f"/api/v1/trainers/{tid}", json={"status": "active", "reason": "x"}),
                 403, "FORBIDDEN")
    assert_error(as_(supervisor).patch("/api/v1/trainers/999999", json={"specialties": []}), 404, "NOT_FOUND")
    assert_error(as_(supervisor).patch(f"/api/v1/trainers/{tid}", json={}), 400, "VALIDATION_ERROR")


def test_roster_entry_not_found_and_methods(as_, supervisor, trainer):
    for path in ("/api/v1/trainers/0", "/api/v1/trainers/999999", "/api/v1/trainers/abc",
                 f"/api/v1/trainers/{2**63}", f"/api/v1/trainers/{10**30}"):
        assert_error(as_(supervisor).get(path), 404, "NOT_FOUND")
    response = as_(supervisor).delete(f"/api/v1/trainers/{entry_id(trainer)}")
    assert response.status_code == 405 and "PATCH" in response.headers["Allow"]


# --- sessions -------------------------------------------------------------------------------------------------

def test_a_trainer_logs_and_reads_a_session(as_, trainer, clerk, clerk2, library_case):
    body = ok(as_(trainer).post("/api/v1/training-sessions", json=session_body(
        {"username": "clerk-a", "score": 92}, {"username": "clerk-b", "attended": False},
        materials="课件", cases=[library_case.id])), 201)
    assert_session(body)
    assert (body["outlet_code"], body["trainer"], body["kind"], body["duration_minutes"]) == (
        "PT01", {"username": "trainer-a", "name": "小教员甲"}, "warning_education", 60)
    assert body["attendees"] == [
        {"username": "clerk-a", "name": "受理员甲", "outlet_code": "PT01", "attended": True, "score": 92},
        {"username": "clerk-b", "name": "受理员乙", "outlet_code": "PT01", "attended": False, "score": None}]
    assert body["cases"] == [{"id": library_case.id, "title": library_case.title}]
    assert body["date"] == local_today().isoformat() and body["materials"] == "课件"
    assert ok(as_(clerk).get(f"/api/v1/training-sessions/{body['id']}")) == body


def test_logging_refusals(as_, supervisor, trainer, clerk, other_clerk):
    assert_error(as_(trainer).post("/api/v1/training-sessions", json=session_body("clerk-other",
                                                                                 outlet_code="PT02")),
                 403, "FORBIDDEN")
    assert_error(as_(clerk).post("/api/v1/training-sessions", json=session_body("clerk-a")), 403, "FORBIDDEN")
    error = assert_error(as_(trainer).post("/api/v1/training-sessions", json=session_body(
        "clerk-other", date=(local_today() + timedelta(days=1)).isoformat(), duration_minutes=10, topic="")),
        400, "VALIDATION_ERROR")
    assert {"date", "duration_minutes", "topic", "attendees"} <= set(error["fields"])
    assert sessions_count() == 0


def test_a_supervisor_logs_a_district_session(as_, supervisor, clerk, other_clerk):
    body = ok(as_(supervisor).post("/api/v1/training-sessions", json=session_body(
        "clerk-a", "clerk-other", outlet_code=None)), 201)
    assert body["outlet_code"] is None and body["trainer"]["username"] == "supervisor"
    assert [a["outlet_code"] for a in body["attendees"]] == ["PT01", "PT02"]


@pytest.fixture
def logged(as_, supervisor, trainer, other_trainer, clerk, clerk2, other_clerk):
    here = ok(as_(trainer).post("/api/v1/training-sessions", json=session_body(
        "clerk-a", date=days_ago(3).isoformat(), kind="business")), 201)
    there = ok(as_(other_trainer).post("/api/v1/training-sessions", json=session_body("clerk-other")), 201)
    district = ok(as_(supervisor).post("/api/v1/training-sessions", json=session_body(
        "clerk-a", outlet_code=None, date=days_ago(1).isoformat())), 201)
    return here, there, district


def test_the_list_is_scoped_paginated_and_newest_first(as_, logged, supervisor, clerk, clerk2, other_clerk):
    here, there, district = logged
    body = ok(as_(clerk).get("/api/v1/training-sessions"))
    assert set(body) == {"items", "page", "per_page", "total"}
    assert [s["id"] for s in body["items"]] == [district["id"], here["id"]] and body["total"] == 2
    assert [s["id"] for s in ok(as_(clerk2).get("/api/v1/training-sessions"))["items"]] == [here["id"]]
    everything = ok(as_(supervisor).get("/api/v1/training-sessions?per_page=2"))
    assert everything["total"] == 3 and [s["id"] for s in everything["items"]] == [there["id"], district["id"]]
    for s in everything["items"]:
        assert_session(s)
    assert_error(as_(clerk).get(f"/api/v1/training-sessions/{there['id']}"), 404, "NOT_FOUND")
    assert_error(as_(clerk2).get(f"/api/v1/training-sessions/{district['id']}"), 404, "NOT_FOUND")
    assert_error(as_(clerk).get("/api/v1/training-sessions?outlet_code=PT02"), 404, "NOT_FOUND")


def test_list_filters(as_, logged, supervisor, clerk):
    here, there, district = logged
    by = {
        "outlet_code=PT01": [here["id"]], "outlet_code=district": [district["id"]], "kind=business": [here["id"]],
        "trainer=trainer-b": [there["id"]], f"from={days_ago(2)}": [there["id"], district["id"]],
        f"to={days_ago(2)}": [here["id"]], f"from={days_ago(3)}&to={days_ago(3)}": [here["id"]],
    }
    for query, expected in by.items():
        assert [s["id"] for s in ok(as_(supervisor).get(f"/api/v1/training-sessions?{query}"))["items"]] == expected


@pytest.mark.parametrize("query", ["kind=x", "from=2026-02-30", "to=x", "from=2026-05-02&to=2026-05-01",
                                   "outlet_code=PT99", "per_page=101", "page=-1"])
def test_bad_list_queries_are_400(as_, supervisor, query):
    assert_error(as_(supervisor).get(f"/api/v1/training-sessions?{query}"), 400, "VALIDATION_ERROR")


def test_sessions_need_a_staff_role(as_, admin, client):
    assert_error(as_(admin).get("/api/v1/training-sessions"), 403, "FORBIDDEN")
    assert_error(client.get("/api/v1/training-sessions"), 401, "UNAUTHENTICATED")


def test_corrections_over_the_api(as_, logged, supervisor, trainer, other_trainer, clerk):
    here, there, district = logged
    body = ok(as_(trainer).patch(f"/api/v1/training-sessions/{here['id']}", json={"topic": "更正后的主题",
                                                                                 "version": here["version"]}))
    assert body["topic"] == "更正后的主题" and body["version"] == here["version"] + 1
    assert_error(as_(trainer).patch(f"/api/v1/training-sessions/{here['id']}", json={
        "topic": "过期页面", "version": here["version"]}), 409, "CONFLICT")
    error = assert_error(as_(trainer).patch(f"/api/v1/training-sessions/{here['id']}", json={"duration_minutes": 5}),
                         400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"duration_minutes"}
    assert_error(as_(clerk).patch(f"/api/v1/training-sessions/{here['id']}", json={"topic": "x"}), 403, "FORBIDDEN")
    assert_error(as_(trainer).patch(f"/api/v1/training-sessions/{there['id']}", json={"topic": "x"}),
                 404, "NOT_FOUND")
    assert_error(as_(trainer).patch(f"/api/v1/training-sessions/{district['id']}", json={"topic": "x"}),
                 404, "NOT_FOUND")
    assert ok(as_(supervisor).patch(f"/api/v1/training-sessions/{there['id']}", json={"kind": "business"}))[
        "kind"] == "business"
    assert_error(as_(supervisor).patch("/api/v1/training-sessions/999999", json={"topic": "x"}), 404, "NOT_FOUND")


def test_session_methods_and_ids(as_, supervisor):
    response = as_(supervisor).delete("/api/v1/training-sessions/1")
    assert response.status_code == 405 and "PATCH" in response.headers["Allow"]
    for path in ("/api/v1/training-sessions/0", "/api/v1/training-sessions/x", f"/api/v1/training-sessions/{10**30}"):
        assert_error(as_(supervisor).get(path), 404, "NOT_FOUND")


# --- bad input of every kind: 4xx, never 500 ---------------------------------------------------------------------

RAW_BODIES = [
    b"{", b"[]", b"42", b'"text"', b"null", b'{"date": "2026-01-01",}', b"[" * 5000 + b"]" * 5000,
    b'{"topic": "\\ud800"}', b'{"topic": "a\\u0000b"}', b"\xff\xfe", b'{"attendees": {"username": "clerk-a"}}',
    b'{"duration_minutes": 1e400}', b'{"duration_minutes": 100000000000000000000000000}',
    b'{"cases": [1e3]}', b'{"attendees": [[["clerk-a"]]]}', b'{"date": ["2026-01-01"]}', b'{"kind": {"a": 1}}',
]


@pytest.mark.parametrize("raw", RAW_BODIES)
@pytest.mark.parametrize("method", ["post", "patch"])
def test_malformed_bodies_are_4xx(as_, supervisor, trainer, clerk, raw, method):
    api = as_(supervisor)
    created = ok(api.post("/api/v1/training-sessions", json=session_body("clerk-a", outlet_code="PT01")), 201)
    path = "/api/v1/training-sessions" if method == "post" else f"/api/v1/training-sessions/{created['id']}"
    response = getattr(api._inner._client, method)(path, data=raw, content_type="application/json",
                                                    headers=api._inner.headers)
    assert 400 <= response.status_code < 500, (raw[:40], response.status_code, response.get_data(as_text=True)[:300])
    assert response.get_json()["error"]["code"]
    trainer_path = f"/api/v1/trainers/{entry_id(trainer)}" if method == "patch" else "/api/v1/trainers"
    response = getattr(api._inner._client, method)(trainer_path, data=raw, content_type="application/json",
                                                    headers=api._inner.headers)
    assert 400 <= response.status_code < 500, (raw[:40], response.status_code)


@pytest.mark.parametrize("value", [None, True, 0, -1, 2**63, "x", "", [], {}, 1.5, "2026-11-26" * 50, "\u202e"])
@pytest.mark.parametrize("field", ["date", "outlet_code", "trainer", "topic", "kind", "duration_minutes",
                                   "attendees", "materials", "cases"])
def test_odd_values_in_every_field_are_answered_not_crashed(as_, supervisor, clerk, field, value):
    response = as_(supervisor).post("/api/v1/training-sessions",
                                    json=session_body("clerk-a", **{"outlet_code": "PT01", field: value}))
    assert response.status_code in (201, 400), (field, value, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("value", [None, True, 0, 2**63, "x", "", [], {}, "\u202e", ["x"] * 20])
@pytest.mark.parametrize("field", ["username", "appointed_on", "certified_until", "specialties"])
def test_odd_appointments_are_answered_not_crashed(as_, supervisor, clerk, field, value):
    data = {"username": "clerk-a", "certified_until": (local_today() + timedelta(days=9)).isoformat(), field: value}
    response = as_(supervisor).post("/api/v1/trainers", json=data)
    assert response.status_code in (201, 400), (field, value, response.get_data(as_text=True)[:300])


# --- the summary ----------------------------------------------------------------------------------------------

def test_the_summary(as_, logged, supervisor, clerk, other_clerk):
    body = ok(as_(supervisor).get("/api/v1/training/summary"))
    assert set(body) >= {"year", "clerks", "outlets", "trainers"} and body["year"] == local_today().year
    people = {p["username"]: p for p in body["clerks"]}
    assert set(people["clerk-a"]) >= {"username", "name", "outlet_code", "hours"}
    assert people["clerk-a"]["hours"] == 2.0 and people["clerk-b"]["hours"] == 0
    outlets = {o["outlet_code"]: o for o in body["outlets"]}
    assert set(outlets["PT02"]) >= {"outlet_code", "sessions_by_quarter", "last_warning_education"}
    assert outlets["PT02"]["last_warning_education"] == local_today().isoformat()
    assert outlets["PT01"]["last_warning_education"] is None  # its session was business training
    trainers = {t["username"]: t for t in body["trainers"]}
    assert set(trainers["trainer-a"]) >= {"username", "name", "outlet_code", "sessions", "attendees"}
    assert (trainers["trainer-a"]["sessions"], trainers["trainer-a"]["attendees"]) == (1, 1)
    mine = ok(as_(clerk).get(f"/api/v1/training/summary?year={local_today().year}"))
    assert {o["outlet_code"] for o in mine["outlets"]} == {"PT01"}
    assert {p["outlet_code"] for p in mine["clerks"]} == {"PT01"}
    assert ok(as_(clerk).get(f"/api/v1/training/summary?year={local_today().year - 3}"))["clerks"][0]["hours"] == 0


@pytest.mark.parametrize("year", ["1999", "abc", "2026.5", "", "99999999999999999999"])
def test_a_bad_year_is_400(as_, clerk, year):
    # An empty value too: an empty query parameter is refused by the API as a whole (SPEC §9).
    assert_error(as_(clerk).get(f"/api/v1/training/summary?year={year}"), 400, "VALIDATION_ERROR")


def test_the_openapi_document_describes_the_training_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, methods in {"/api/v1/trainers": {"get", "post"}, "/api/v1/trainers/{trainer_id}": {"get", "patch"},
                          "/api/v1/training-sessions": {"get", "post"},
                          "/api/v1/training-sessions/{session_id}": {"get", "patch"},
                          "/api/v1/training/summary": {"get"}}.items():
        assert methods <= set(doc["paths"][path]), path
    assert {"Trainer", "TrainingSession", "TrainingSummary"} <= set(doc["components"]["schemas"])
    json.dumps(doc)
