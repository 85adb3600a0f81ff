"""The reissue endpoints of the JSON API (SPEC §9): status codes, the request object, scoping and errors.

Every response of these tests passes through a LeakGuard: no body may contain a full ID number.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from cardops.reissue import pickup
from cardops.risk import watchlist
from tests.guards import GuardedApi, assert_error, counting_statements
from tests.reissue.helpers import intake_body, make_id, person
from tests.reissue.workflow_support import request_in

REQUEST_FIELDS = {"number", "outlet_code", "kind", "channel", "status", "version", "applicant", "agent", "risk",
                  "required_checks", "missing_checks", "checks", "review", "pickup_token", "created_by",
                  "created_at", "updated_at"}
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def assert_request_object(body: dict) -> dict:
    assert set(body) >= REQUEST_FIELDS, REQUEST_FIELDS - set(body)
    assert re.fullmatch(r"PT\d{2}-\d{8}-\d{4}", body["number"])
    assert isinstance(body["version"], int)
    assert set(body["applicant"]) == {"name", "id_number_masked", "phone_masked"}
    assert MASKED_ID.match(body["applicant"]["id_number_masked"])
    assert MASKED_PHONE.match(body["applicant"]["phone_masked"])
    if body["agent"] is not None:
        assert {"name", "id_number_masked", "phone_masked", "relation"} <= set(body["agent"])
        assert MASKED_ID.match(body["agent"]["id_number_masked"])
        assert MASKED_PHONE.match(body["agent"]["phone_masked"])
    assert body["risk"]["level"] in ("low", "medium", "high")
    assert all({"code", "reason"} <= set(flag) for flag in body["risk"]["flags"])
    assert set(body["missing_checks"]) <= set(body["required_checks"])
    for check in body["checks"]:
        assert {"step", "result", "detail", "score", "by", "at"} <= set(check)
        assert ISO_UTC.match(check["at"])
    assert {"required", "level", "decision", "by", "at", "reason"} <= set(body["review"])
    assert body["review"]["level"] in (None, "outlet", "district")
    assert ISO_UTC.match(body["created_at"]) and ISO_UTC.match(body["updated_at"])
    return body


def create(client, status=201, **body):
    response = client.post("/api/v1/requests", json=intake_body(**body))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def act(client, number, action, status=200, **body):
    response = client.post(f"/api/v1/requests/{number}/{action}", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def pass_checks(client, body) -> dict:
    for step in body["missing_checks"]:
        body = act(client, body["number"], "checks", step=step, result="pass")
    return body


# --- intake --------------------------------------------------------------------------------------------------

def test_a_clerk_takes_a_request_in(as_, clerk):
    applicant = person(name="王芳")
    response = as_(clerk).post("/api/v1/requests", json=intake_body(kind="damaged", applicant=applicant,
                                                                      note="卡面磨损"))
    assert response.status_code == 201
    body = assert_request_object(response.get_json())
    assert (body["outlet_code"], body["kind"], body["channel"], body["status"]) == ("PT01", "damaged", "in_person",
                                                                                    "intake")
    assert body["applicant"]["name"] == "王芳"
    assert body["applicant"]["id_number_masked"] == applicant["id_number"][:6] + "*" * 8 + applicant["id_number"][-4:]
    assert body["applicant"]["phone_masked"] == applicant["phone"][:3] + "****" + applicant["phone"][-4:]
    assert body["agent"] is None and body["note"] == "卡面磨损"
    assert body["risk"] == {"level": "low", "flags": []}
    assert body["required_checks"] == body["missing_checks"] == ["id_document", "face_match", "old_card_recovered"]
    assert body["checks"] == [] and body["pickup_token"] is None
    assert body["review"]["required"] is False and body["review"]["decision"] is None
    assert body["created_by"] == "clerk-a"


def test_a_proxy_request_shows_the_agent_masked_and_medium_risk(as_, clerk):
    agent = person(name="李四", relation="配偶")
    body = assert_request_object(create(as_(clerk), channel="proxy", agent=agent))
    assert body["agent"]["name"] == "李四" and body["agent"]["relation"] == "配偶"
    assert body["agent"]["id_number_masked"].endswith(agent["id_number"][-4:])
    assert body["risk"]["level"] == "medium"
    assert [f["code"] for f in body["risk"]["flags"]] == ["PROXY_APPLICATION"]
    assert body["review"] == {"required": True, "level": "outlet", "decision": None, "by": None, "at": None,
                              "reason": None}


def test_a_supervisor_names_the_outlet(as_, supervisor):
    error = assert_error(as_(supervisor).post("/api/v1/requests", json=intake_body()), 400, "VALIDATION_ERROR")
    assert "outlet_code" in error["fields"]
    error = assert_error(as_(supervisor).post("/api/v1/requests", json=intake_body(outlet_code="PT77")), 400,
                         "VALIDATION_ERROR")
    assert "outlet_code" in error["fields"]
    body = create(as_(supervisor), outlet_code="PT05")
    assert body["outlet_code"] == "PT05" and body["number"].startswith("PT05-") and body["created_by"] == "supervisor"


def test_a_clerk_cannot_take_a_request_in_for_another_outlet(as_, clerk):
    body = create(as_(clerk), outlet_code="PT02")
    assert body["outlet_code"] == "PT01" and body["number"].startswith("PT01-")


def test_a_second_open_request_anywhere_is_409_naming_only_the_outlet(as_, clerk, other_clerk):
    applicant = person(name="陈静")
    create(as_(clerk), applicant=applicant)
    response = as_(other_clerk).post("/api/v1/requests", json=intake_body(applicant=applicant))
    error = assert_error(response, 409, "OPEN_REQUEST_EXISTS")
    assert "PT01" in error["message"] and error["outlet_code"] == "PT01"
    text = response.get_data(as_text=True)
    for personal in ("陈静", applicant["id_number"][-4:], applicant["phone"][-4:], applicant["id_number"][:6]):
        assert personal not in text


def test_the_applicant_may_come_again_after_a_cancel(as_, clerk, other_clerk):
    applicant = person()
    first = create(as_(clerk), applicant=applicant)
    act(as_(clerk), first["number"], "cancel", reason="申请人放弃")
    assert create(as_(other_clerk), applicant=applicant)["outlet_code"] == "PT02"


def test_numbers_are_sequential(as_, clerk):
    numbers = [create(as_(clerk))["number"] for _ in range(3)]
    assert [int(n[-4:]) for n in numbers] == [1, 2, 3]
    assert len({n[:13] for n in numbers}) == 1


# --- the whole way through ------------------------------------------------------------------------------------

def test_a_low_risk_request_from_intake_to_collection(as_, clerk, supervisor):
    client = as_(clerk)
    body = create(client, kind="lost")
    number = body["number"]
    body = act(client, number, "checks", step="id_document", result="pass", detail="读卡成功")
    assert_request_object(body)
    assert body["checks"][0]["step"] == "id_document" and body["checks"][0]["by"] == "clerk-a"
    assert body["checks"][0]["detail"] == "读卡成功" and body["checks"][0]["score"] is None
    body = act(client, number, "checks", step="face_match", result="pass", score=93)
    assert body["checks"][-1]["score"] == 93
    assert body["missing_checks"] == ["loss_report"]
    body = act(client, number, "checks", step="loss_report", result="pass")
    assert body["missing_checks"] == []

    response = client.post(f"/api/v1/requests/{number}/submit")
    assert response.status_code == 200
    body = assert_request_object(response.get_json())
    assert body["status"] == "submitted" and body["pickup_token"]
    token = body["pickup_token"]
    # the supervisor sees the request but not the applicant's pickup token
    assert as_(supervisor).get(f"/api/v1/requests/{number}").get_json()["pickup_token"] is None

    body = act(client, number, "arrive", card_number="SC123456")
    assert body["status"] == "ready" and body["card_number"] == "SC123456" and body["pickup_token"] == token

    collector = {"id_number": _applicant_id(number), "name": "张三"}
    body = act(client, number, "collect", pickup_token=token, collector=collector)
    assert_request_object(body)
    assert body["status"] == "collected" and body["collector"] == {"name": "张三", "role": "applicant"}
    assert body["version"] > 1


def _applicant_id(number):
    from cardops.core.pii import decrypt
    from cardops.reissue.models import ReissueRequest

    return decrypt(db.session.scalar(select(ReissueRequest.applicant_id_enc).where(ReissueRequest.number == number)))


def test_a_medium_risk_request_goes_to_review_and_another_clerk_approves(as_, clerk, clerk2):
    body = pass_checks(as_(clerk), create(as_(clerk), channel="proxy"))
    number = body["number"]
    response = as_(clerk).post(f"/api/v1/requests/{number}/submit", json={})
    assert response.status_code == 202
    body = assert_request_object(response.get_json())
    assert body["status"] == "pending_review" and body["pickup_token"] is None

    assert_error(as_(clerk).post(f"/api/v1/requests/{number}/review", json={"decision": "approve"}), 403,
                 "SELF_REVIEW_FORBIDDEN")
    body = act(as_(clerk2), number, "review", decision="approve", reason="授权书齐全")
    assert_request_object(body)
    assert body["status"] == "submitted"
    assert body["review"]["decision"] == "approve" and body["review"]["by"] == "clerk-b"
    assert body["review"]["level"] == "outlet" and body["review"]["reason"] == "授权书齐全"
    assert ISO_UTC.match(body["review"]["at"])
    assert body["pickup_token"]  # staff of the outlet see it once submitted


def test_review_refusals(as_, clerk, clerk2, other_clerk, supervisor):
    applicant = person()
    watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "deceased"})
    db.session.commit()
    body = pass_checks(as_(clerk), create(as_(clerk), applicant=applicant))
    number = body["number"]
    assert body["risk"]["level"] == "high"
    assert as_(clerk).post(f"/api/v1/requests/{number}/submit").status_code == 202
    path = f"/api/v1/requests/{number}/review"
    assert_error(as_(other_clerk).post(path, json={"decision": "approve"}), 404, "NOT_FOUND")
    assert_error(as_(clerk2).post(path, json={"decision": "approve"}), 403, "FORBIDDEN")
    assert_error(as_(supervisor).post(path, json={"decision": "reject"}), 400, "VALIDATION_ERROR")
    assert_error(as_(supervisor).post(path, json={"decision": "maybe"}), 400, "VALIDATION_ERROR")
    act(as_(clerk), number, "checks", step="face_match", result="fail")
    error = assert_error(as_(supervisor).post(path, json={"decision": "approve"}), 422, "CHECKS_INCOMPLETE")
    assert error["missing_checks"] == ["face_match"]
    body = act(as_(supervisor), number, "review", decision="reject", reason="人证不符")
    assert body["status"] == "rejected" and body["review"]["level"] == "district"
    assert body["closed_reason"] == "人证不符"


def test_submit_with_missing_checks_is_422(as_, clerk):
    body = create(as_(clerk))
    error = assert_error(as_(clerk).post(f"/api/v1/requests/{body['number']}/submit"), 422, "CHECKS_INCOMPLETE")
    assert error["missing_checks"] == ["id_document", "face_match", "loss_report"]
    assert as_(clerk).get(f"/api/v1/requests/{body['number']}").get_json()["status"] == "intake"


def test_check_errors(as_, clerk):
    number = create(as_(clerk), kind="lost")["number"]
    path = f"/api/v1/requests/{number}/checks"
    assert_error(as_(clerk).post(path, json={"step": "old_card_recovered", "result": "pass"}), 422,
                 "CHECK_NOT_APPLICABLE")
    assert_error(as_(clerk).post(path, json={"step": "proxy_authorization", "result": "pass"}), 422,
                 "CHECK_NOT_APPLICABLE")
    error = assert_error(as_(clerk).post(path, json={"step": "retina_scan", "result": "pass"}), 400,
                         "VALIDATION_ERROR")
    assert set(error["fields"]) == {"step"}
    error = assert_error(as_(clerk).post(path, json={"step": "face_match", "result": "pass", "score": 101}), 400,
                         "VALIDATION_ERROR")
    assert set(error["fields"]) == {"score"}
    assert as_(clerk).get(f"/api/v1/requests/{number}").get_json()["checks"] == []


def test_pickup_refusals_answer_422_and_keep_the_audited_attempt(as_, clerk):
    body = pass_checks(as_(clerk), create(as_(clerk)))
    number = body["number"]
    token = act(as_(clerk), number, "submit")["pickup_token"]
    act(as_(clerk), number, "arrive")
    path = f"/api/v1/requests/{number}/collect"
    collector = {"id_number": _applicant_id(number)}
    assert_error(as_(clerk).post(path, json={"collector": collector}), 422, "PICKUP_TOKEN_INVALID")
    assert_error(as_(clerk).post(path, json={"pickup_token": token[:-3] + "abc", "collector": collector}), 422,
                 "PICKUP_TOKEN_INVALID")
    assert_error(as_(clerk).post(path, json={"pickup_token": token, "collector": {"id_number": make_id()}}), 422,
                 "COLLECTOR_MISMATCH")
    assert_error(as_(clerk).post(path, json={"pickup_token": token, "collector": {"id_number": "123"}}), 400,
                 "VALIDATION_ERROR")
    assert_error(as_(clerk).post(path, json={"pickup_token": token}), 400, "VALIDATION_ERROR")
    db.session.rollback()  # what the failed answers committed is still there
    problems = [e.detail["problem"] for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "reissue.collect_refused", AuditEntry.object_id == number))]
    assert problems == ["PICKUP_TOKEN_INVALID", "PICKUP_TOKEN_INVALID", "COLLECTOR_MISMATCH"]
    body = act(as_(clerk), number, "collect", pickup_token=f"http://intranet/r/verify/{token}", collector=collector)
    assert body["status"] == "collected"


def test_cancel_return_and_wrong_states(as_, clerk):
    client = as_(clerk)
    number = create(client)["number"]
    assert_error(client.post(f"/api/v1/requests/{number}/cancel", json={}), 400, "VALIDATION_ERROR")
    for action in ("arrive", "return"):
        assert_error(client.post(f"/api/v1/requests/{number}/{action}", json={"reason": "x"}), 409,
                     "INVALID_TRANSITION")
    assert_error(client.post(f"/api/v1/requests/{number}/review", json={"decision": "approve"}), 409,
                 "INVALID_TRANSITION")
    body = act(client, number, "cancel", reason="申请人改日再来")
    assert_request_object(body)
    assert body["status"] == "cancelled" and body["closed_reason"] == "申请人改日再来"
    assert_error(client.post(f"/api/v1/requests/{number}/cancel", json={"reason": "again"}), 409,
                 "INVALID_TRANSITION")
    assert_error(client.post(f"/api/v1/requests/{number}/checks", json={"step": "id_document", "result": "pass"}),
                 409, "INVALID_TRANSITION")

    ready = pass_checks(client, create(client, kind="expired"))["number"]
    act(client, ready, "submit")
    act(client, ready, "arrive")
    body = act(client, ready, "return", reason="逾期180天未领取")
    assert body["status"] == "returned" and body["pickup_token"] is None


def test_a_stale_version_is_409(as_, clerk):
    body = create(as_(clerk))
    number = body["number"]
    assert_error(as_(clerk).post(f"/api/v1/requests/{number}/cancel",
                                 json={"reason": "x", "version": body["version"] + 1}), 409, "CONFLICT")
    assert_error(as_(clerk).post(f"/api/v1/requests/{number}/cancel", json={"reason": "x", "version": "v1"}), 400,
                 "VALIDATION_ERROR")
    assert act(as_(clerk), number, "cancel", reason="x", version=body["version"])["status"] == "cancelled"


# --- reading -------------------------------------------------------------------------------------------------

def test_detail_is_found_by_number_in_any_case(as_, clerk):
    number = create(as_(clerk))["number"]
    response = as_(clerk).get(f"/api/v1/requests/{number.lower()}")
    assert response.status_code == 200
    assert assert_request_object(response.get_json())["number"] == number
    assert_error(as_(clerk).get("/api/v1/requests/PT01-20000101-9999"), 404, "NOT_FOUND")


@pytest.mark.parametrize("action", ["checks", "submit", "review", "arrive", "collect", "cancel", "return"])
def test_a_clerk_of_another_outlet_gets_404_for_every_action(as_, clerk, other_clerk, action):
    number = create(as_(clerk))["number"]
    assert_error(as_(other_clerk).get(f"/api/v1/requests/{number}"), 404, "NOT_FOUND")
    response = as_(other_clerk).post(f"/api/v1/requests/{number}/{action}",
                                     json={"step": "id_document", "result": "pass", "reason": "x",
                                           "decision": "approve"})
    assert_error(response, 404, "NOT_FOUND")
    assert as_(clerk).get(f"/api/v1/requests/{number}").get_json()["checks"] == []


def test_without_a_token_everything_is_401_and_an_admin_gets_403(client, api, admin, guard):
    paths = ["/api/v1/requests", "/api/v1/requests/PT01-20260101-0001"]
    for path in paths:
        assert_error(guard.watch(client.get(path)), 401, "UNAUTHENTICATED")
    assert_error(guard.watch(client.post("/api/v1/requests", json=intake_body())), 401, "UNAUTHENTICATED")
    admin_api = GuardedApi(api(admin), guard)
    assert_error(admin_api.get("/api/v1/requests"), 403, "FORBIDDEN")
    assert_error(admin_api.post("/api/v1/requests", json=intake_body()), 403, "FORBIDDEN")


@pytest.fixture
def spread(as_, clerk, other_clerk):
    """PT01: lost/intake, damaged/cancelled, expired/intake; PT02: lost/intake."""
    a = create(as_(clerk), kind="lost")
    b = create(as_(clerk), kind="damaged")
    act(as_(clerk), b["number"], "cancel", reason="x")
    c = create(as_(clerk), kind="expired")
    d = create(as_(other_clerk), kind="lost")
    return a["number"], b["number"], c["number"], d["number"]


def _listing(client, query=""):
    response = client.get(f"/api/v1/requests{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    for item in body["items"]:
        assert_request_object(item)
    return body


def test_a_clerk_lists_her_own_outlet_newest_first(as_, clerk, spread):
    a, b, c, d = spread
    body = _listing(as_(clerk))
    assert [i["number"] for i in body["items"]] == [c, b, a]
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 3)
    assert _listing(as_(clerk), "?outlet_code=PT02")["total"] == 0  # filtering cannot widen the scope


def test_list_filters(as_, clerk, supervisor, spread):
    a, b, c, d = spread
    assert [i["number"] for i in _listing(as_(clerk), "?status=intake")["items"]] == [c, a]
    assert [i["number"] for i in _listing(as_(clerk), "?kind=damaged")["items"]] == [b]
    assert [i["number"] for i in _listing(as_(clerk), "?status=intake&kind=lost")["items"]] == [a]
    assert _listing(as_(supervisor))["total"] == 4
    assert [i["number"] for i in _listing(as_(supervisor), "?outlet_code=PT02")["items"]] == [d]
    assert [i["number"] for i in _listing(as_(supervisor), "?outlet_code=pt02&kind=lost")["items"]] == [d]
    assert _listing(as_(supervisor), "?outlet_code=PT09")["total"] == 0


def test_list_pages(as_, clerk, spread):
    a, b, c, d = spread
    first = _listing(as_(clerk), "?per_page=2")
    second = _listing(as_(clerk), "?per_page=2&page=2")
    assert [i["number"] for i in first["items"]] == [c, b] and [i["number"] for i in second["items"]] == [a]
    assert first["total"] == second["total"] == 3 and second["page"] == 2
    assert _listing(as_(clerk), "?page=9")["items"] == []
    too_many = as_(clerk).get("/api/v1/requests?per_page=101")
    assert too_many.status_code == 400 and "per_page" in too_many.get_json()["error"]["fields"]  # SPEC §9
    assert _listing(as_(clerk), "?per_page=100")["per_page"] == 100
    assert as_(clerk).get("/api/v1/requests?per_page=99999999999999999999999").status_code == 400


def test_a_list_names_its_people_in_as_many_statements_for_six_rows_as_for_two(as_, clerk, clerk2, make_user):
    """A listed request's people (who took it in and checked it, who reviewed it) are read by username alone
    (``LISTED_REQUEST``): what the list shows of them must come with the page, not a statement a person. Each
    request is taken in by another clerk, and the session is expired first, so that nothing is answered from
    objects the test already holds."""
    client = as_(clerk)

    def listed():
        db.session.expire_all()
        with counting_statements() as statements:
            body = _listing(client, "?status=rejected")
        return body, len(statements)

    listed()  # the token's first use is noted once: not what is measured
    takers = [make_user("clerk", username=f"taker-{n}") for n in range(6)]
    for taker in takers[:2]:
        request_in("rejected", taker, clerk2)
    two, statements_for_two = listed()
    for taker in takers[2:]:
        request_in("rejected", taker, clerk2)
    six, statements_for_six = listed()
    assert (two["total"], six["total"]) == (2, 6)
    assert statements_for_six == statements_for_two
    for item, taker in zip(six["items"], reversed(takers), strict=True):  # newest first
        assert item["created_by"] == taker.username and item["review"]["by"] == "clerk-b"
        assert item["checks"] and {check["by"] for check in item["checks"]} == {taker.username}


@pytest.mark.parametrize("query", ["?page=0", "?page=-1", "?page=abc", "?page=1.5", "?per_page=0", "?per_page=x",
                                   "?status=lost", "?kind=stolen", "?status=INTAKE", "?page=99999999999999999999",
                                   "?page=1000001"])
def test_bad_list_parameters_are_400(as_, clerk, query):
    assert_error(as_(clerk).get(f"/api/v1/requests{query}"), 400, "VALIDATION_ERROR")


def test_the_pickup_token_is_only_for_staff_of_the_outlet_once_submitted(as_, clerk, clerk2, supervisor):
    body = pass_checks(as_(clerk), create(as_(clerk)))
    number = body["number"]
    assert body["pickup_token"] is None
    token = act(as_(clerk), number, "submit")["pickup_token"]
    assert pickup.read_token(token)[0] == number
    assert as_(clerk2).get(f"/api/v1/requests/{number}").get_json()["pickup_token"] == token
    assert as_(supervisor).get(f"/api/v1/requests/{number}").get_json()["pickup_token"] is None
    listed = {i["number"]: i for i in _listing(as_(supervisor))["items"]}
    assert listed[number]["pickup_token"] is None


def test_every_action_answers_with_the_whole_updated_request(as_, clerk, clerk2):
    answers = []

    def step(client, number, action, status=200, **body):
        response = client.post(f"/api/v1/requests/{number}/{action}", json=body)
        assert response.status_code == status, response.get_json()
        answers.append((action, assert_request_object(response.get_json())))
        assert answers[-1][1]["number"] == number
        return answers[-1][1]

    proxy = create(as_(clerk), channel="proxy")
    number = proxy["number"]
    for check in proxy["missing_checks"]:
        step(as_(clerk), number, "checks", step=check, result="pass")
    step(as_(clerk), number, "submit", status=202)
    step(as_(clerk2), number, "review", decision="approve")
    step(as_(clerk), number, "arrive")
    token = answers[-1][1]["pickup_token"]
    step(as_(clerk), number, "collect", pickup_token=token, collector={"id_number": _applicant_id(number)})

    cancelled = create(as_(clerk))["number"]
    step(as_(clerk), cancelled, "cancel", reason="申请人放弃")
    returned = pass_checks(as_(clerk), create(as_(clerk), kind="damaged"))["number"]
    step(as_(clerk), returned, "submit")
    step(as_(clerk), returned, "arrive")
    step(as_(clerk), returned, "return", reason="逾期未领取")

    assert {action for action, _ in answers} == {"checks", "submit", "review", "arrive", "collect", "cancel",
                                                 "return"}
    statuses = [(action, body["status"]) for action, body in answers if action != "checks"]
    assert statuses == [("submit", "pending_review"), ("review", "submitted"), ("arrive", "ready"),
                        ("collect", "collected"), ("cancel", "cancelled"), ("submit", "submitted"),
                        ("arrive", "ready"), ("return", "returned")]
    versions = [body["version"] for action, body in answers if body["number"] == number]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)  # every answer is the new state
