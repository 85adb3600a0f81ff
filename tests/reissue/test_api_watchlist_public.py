"""The watchlist endpoints (supervisors only) and the public status look-up (no login, rate-limited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from tests.guards import assert_error
from tests.reissue.helpers import intake_body, make_id, person

ENTRY_FIELDS = {"id", "id_number_masked", "reason", "note", "created_by", "created_at"}


@pytest.fixture
def public(client, guard):
    """Anonymous GETs of the public status endpoint, watched by the guard."""

    def lookup(number, id_last4, address="127.0.0.1"):
        return guard.watch(client.get("/api/v1/public/status", query_string={"number": number, "id_last4": id_last4},
                                      environ_base={"REMOTE_ADDR": address}))

    return lookup


def add(client, id_number, reason="deceased", note=None, status=201):
    response = client.post("/api/v1/watchlist", json={"id_number": id_number, "reason": reason, "note": note})
    assert response.status_code == status, response.get_json()
    return response.get_json()


# --- watchlist -----------------------------------------------------------------------------------------------

def test_a_supervisor_adds_an_entry_shown_masked(as_, supervisor):
    id_number = make_id()
    entry = add(as_(supervisor), id_number.lower(), "identity_theft", "派出所协查函")
    assert set(entry) == ENTRY_FIELDS
    assert entry["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    assert (entry["reason"], entry["note"], entry["created_by"]) == ("identity_theft", "派出所协查函", "supervisor")
    assert entry["created_at"].endswith("Z")
    [audited] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "watchlist.add"))
    assert audited.actor_name == "supervisor" and audited.object_id == str(entry["id"])


def test_the_list_is_paginated_masked_and_leaves_out_removed_entries(as_, supervisor):
    client = as_(supervisor)
    entries = [add(client, make_id(), "other") for _ in range(3)]
    assert client.delete(f"/api/v1/watchlist/{entries[0]['id']}", json={"reason": "误报"}).status_code == 200
    body = client.get("/api/v1/watchlist").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["total"] == 2 and [e["id"] for e in body["items"]] == [entries[2]["id"], entries[1]["id"]]
    assert all(set(e) == ENTRY_FIELDS and "*" in e["id_number_masked"] for e in body["items"])
    page2 = client.get("/api/v1/watchlist?per_page=1&page=2").get_json()
    assert [e["id"] for e in page2["items"]] == [entries[1]["id"]] and page2["per_page"] == 1
    too_many = client.get("/api/v1/watchlist?per_page=1000")
    assert too_many.status_code == 400 and too_many.get_json()["error"]["fields"]["per_page"]
    assert_error(client.get("/api/v1/watchlist?page=0"), 400, "VALIDATION_ERROR")


def test_removal_needs_a_reason_and_is_audited(as_, supervisor):
    client = as_(supervisor)
    entry = add(client, make_id())
    path = f"/api/v1/watchlist/{entry['id']}"
    assert_error(client.delete(path), 400, "VALIDATION_ERROR")
    assert_error(client.delete(path, json={"reason": "  "}), 400, "VALIDATION_ERROR")
    response = client.delete(path, json={"reason": "家属持死亡证明更正"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == entry["id"] and body["removed_reason"] == "家属持死亡证明更正"
    assert_error(client.delete(path, json={"reason": "again"}), 404, "NOT_FOUND")
    [audited] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "watchlist.remove"))
    assert audited.detail["reason"] == "家属持死亡证明更正" and audited.actor_name == "supervisor"


@pytest.mark.parametrize("path", ["/api/v1/watchlist/999999", "/api/v1/watchlist/abc", "/api/v1/watchlist/-1"])
def test_removing_an_unknown_entry_is_404(as_, supervisor, path):
    assert_error(as_(supervisor).delete(path, json={"reason": "x"}), 404, "NOT_FOUND")


@pytest.mark.parametrize("body", [
    {}, {"id_number": "123", "reason": "deceased"}, {"id_number": "VALID", "reason": "dead"},
    {"id_number": "VALID"}, {"id_number": "VALID", "reason": ["deceased"]}, {"id_number": ["VALID"], "reason": "other"},
    {"id_number": "VALID", "reason": "other", "note": "长" * 100_000}, {"id_number": "VALID", "reason": "other",
                                                                         "note": {"x": 1}},
])
def test_bad_entries_are_400(as_, supervisor, body):
    body = {k: (make_id() if v == "VALID" else [make_id()] if v == ["VALID"] else v) for k, v in body.items()}
    assert_error(as_(supervisor).post("/api/v1/watchlist", json=body), 400, "VALIDATION_ERROR")
    assert as_(supervisor).get("/api/v1/watchlist").get_json()["total"] == 0


def test_a_person_already_listed_is_409(as_, supervisor):
    id_number = make_id()
    add(as_(supervisor), id_number)
    response = as_(supervisor).post("/api/v1/watchlist", json={"id_number": id_number, "reason": "other"})
    assert_error(response, 409, "CONFLICT")


def test_the_watchlist_is_for_supervisors_only(as_, client, clerk, supervisor, guard):
    entry = add(as_(supervisor), make_id())
    clerk_api = as_(clerk)
    assert_error(clerk_api.get("/api/v1/watchlist"), 403, "FORBIDDEN")
    assert_error(clerk_api.post("/api/v1/watchlist", json={"id_number": make_id(), "reason": "other"}), 403,
                 "FORBIDDEN")
    assert_error(clerk_api.delete(f"/api/v1/watchlist/{entry['id']}", json={"reason": "x"}), 403, "FORBIDDEN")
    assert_error(guard.watch(client.get("/api/v1/watchlist")), 401, "UNAUTHENTICATED")
    assert as_(supervisor).get("/api/v1/watchlist").get_json()["total"] == 1


def test_a_listing_made_through_the_api_flags_the_next_intake(as_, clerk, supervisor):
    applicant = person()
    entry = add(as_(supervisor), applicant["id_number"], "deceased")
    created = as_(clerk).post("/api/v1/requests", json=intake_body(applicant=applicant)).get_json()
    assert created["risk"]["level"] == "high"
    assert {"code": "WATCHLIST", "level": "high", "reason": "申请人在预警名单上（已故）"} in created["risk"]["flags"]
    assert "phone_callback" in created["required_checks"]
    as_(clerk).post(f"/api/v1/requests/{created['number']}/cancel", json={"reason": "转公安处理"})
    as_(supervisor).delete(f"/api/v1/watchlist/{entry['id']}", json={"reason": "误报"})
    again = as_(clerk).post("/api/v1/requests", json=intake_body(applicant=applicant)).get_json()
    assert again["risk"] == {"level": "low", "flags": []}


# --- public status -------------------------------------------------------------------------------------------

PUBLIC_FIELDS = {"number", "status", "status_label", "outlet_code", "outlet_name"}


@pytest.fixture
def known(as_, clerk):
    applicant = person(name="吴桂英")
    body = as_(clerk).post("/api/v1/requests", json=intake_body(applicant=applicant)).get_json()
    return body["number"], applicant


def test_status_by_number_and_last_four_shows_status_and_outlet_only(public, known):
    number, applicant = known
    response = public(number, applicant["id_number"][-4:])
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) <= PUBLIC_FIELDS
    assert (body["number"], body["status"], body["outlet_code"]) == (number, "intake", "PT01")
    text = response.get_data(as_text=True)
    for personal in ("吴桂英", applicant["phone"][-4:], applicant["id_number"][:6], "*"):
        assert personal not in text


def test_the_number_is_accepted_in_any_case_with_spaces(public, known):
    number, applicant = known
    assert public(f" {number.lower()} ", applicant["id_number"][-4:].lower()).status_code == 200


def test_any_mismatch_is_a_plain_not_found(public, known):
    number, applicant = known
    last4 = applicant["id_number"][-4:]
    wrong = ("0000" if last4 != "0000" else "1111")
    answers = [public(number, wrong), public(number[:-1] + "9", last4), public("PT01-20000101-0001", last4),
               public(number, last4[:3]), public(number, last4 + "1"), public("x" * 40, last4)]
    errors = [assert_error(r, 404, "NOT_FOUND") for r in answers]
    assert len({e["message"] for e in errors}) == 1  # nothing tells which part was wrong


def test_missing_parameters_are_400(client, guard):
    for query in ({}, {"number": "PT01-20260101-0001"}, {"id_last4": "123X"}, {"number": " ", "id_last4": " "}):
        assert_error(guard.watch(client.get("/api/v1/public/status", query_string=query)), 400, "VALIDATION_ERROR")


def test_ten_look_ups_a_minute_per_address_then_429(public, known):
    number, applicant = known
    last4 = applicant["id_number"][-4:]
    answers = [public(number, last4 if n % 2 else "0000").status_code for n in range(10)]
    assert set(answers) <= {200, 404} and 200 in answers
    error = assert_error(public(number, last4), 429, "RATE_LIMITED")
    assert error["message"]
    assert public(number, last4, address="192.0.2.44").status_code == 200  # another counter's address


def test_the_public_look_up_needs_no_token_but_a_token_does_not_hurt(as_, clerk, known):
    number, applicant = known
    response = as_(clerk).get(f"/api/v1/public/status?number={number}&id_last4={applicant['id_number'][-4:]}")
    assert response.status_code == 200 and response.get_json()["status"] == "intake"
