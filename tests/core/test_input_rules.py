"""Bad input is a 4xx, never a 500 (SPEC §3.6, §9, issue #13): lone surrogates, NUL and other control characters,
bidi overrides, names that are not names, bodies over the limit, unknown methods, empty API filters."""

from __future__ import annotations

import io
import json

import pytest

from cardops.core.validation import FieldErrors, person_name, text
from tests.guards import assert_error, field_errors
from tests.reissue.helpers import intake_body, person
from tests.reissue.workflow_support import request_in

SURROGATE = "\ud800"


def raw_post(client, path, body: str, token_client=None):
    headers = token_client.headers if token_client else {}
    return client.post(path, data=body.encode("utf-8", "surrogatepass"), content_type="application/json",
                       headers=headers)


def json_with(value) -> str:
    """JSON text whose strings may hold lone surrogates (written as \\ud800 escapes, as any client would)."""
    return json.dumps(value, ensure_ascii=True)


# --- lone surrogates, NUL, control characters, bidi overrides in JSON -------------------------------------------

@pytest.mark.parametrize("path_in_body", [
    ("applicant", "name"), ("note",), ("applicant", "phone"), ("applicant", "id_number"), ("kind",)])
@pytest.mark.parametrize("bad", [SURROGATE, "\x00", "a\x07b", "张\u202e三", "\udfff张"])
def test_intake_refuses_malformed_text_in_any_field(client, api, clerk, path_in_body, bad):
    body = intake_body()
    target = body
    for key in path_in_body[:-1]:
        target = target[key]
    target[path_in_body[-1]] = bad
    response = raw_post(client, "/api/v1/requests", json_with(body), api(clerk))
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert ".".join(path_in_body) in error["fields"]


def test_a_surrogate_in_a_key_is_refused_too(client, api, clerk):
    response = raw_post(client, "/api/v1/requests", '{"\\ud800": 1}', api(clerk))
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(("action", "field"), [("checks", "detail"), ("cancel", "reason"), ("review", "reason")])
def test_actions_refuse_a_lone_surrogate(client, api, clerk, clerk2, action, field):
    request = request_in("intake", clerk, clerk2)
    body = {"step": "id_document", "result": "pass", "decision": "reject", field: "说明" + SURROGATE}
    response = raw_post(client, f"/api/v1/requests/{request.number}/{action}", json_with(body), api(clerk))
    assert assert_error(response, 400, "VALIDATION_ERROR")["fields"] == {field: response.get_json()["error"]
                                                                          ["fields"][field]}


def test_watchlist_refuses_a_lone_surrogate_in_the_note(client, api, supervisor):
    body = {"id_number": person()["id_number"], "reason": "deceased", "note": SURROGATE}
    response = raw_post(client, "/api/v1/watchlist", json_with(body), api(supervisor))
    assert "note" in assert_error(response, 400, "VALIDATION_ERROR")["fields"]


def test_a_surrogate_pair_is_a_character_not_an_error(as_, clerk):
    response = as_(clerk).post("/api/v1/requests", json=intake_body(note="笑脸 \U0001F600"))
    assert response.status_code == 201 and response.get_json()["note"] == "笑脸 \U0001F600"


# --- names --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", "\u2060", "\x01\x02", "张\n三", "张\r三",
                                  "张\t三", "张\u202e三", "\u2066张三\u2069", "张三3", "张三!", "·张三", "张三·",
                                  "张··三", " ", "\u3000"])
def test_names_that_are_not_names_are_refused(as_, clerk, name):
    response = as_(clerk).post("/api/v1/requests", json=intake_body(applicant=person(name=name)))
    assert "applicant.name" in assert_error(response, 400, "VALIDATION_ERROR")["fields"]


@pytest.mark.parametrize(("typed", "stored"), [("张三", "张三"), ("阿依古丽·买买提", "阿依古丽·买买提"),
                                               ("阿依古丽 • 买买提", "阿依古丽·买买提"), ("ZHANG  SAN", "ZHANG SAN"),
                                               ("José", "José"), ("  王芳 ", "王芳")])
def test_names_are_letters_middle_dots_and_single_spaces(as_, clerk, typed, stored):
    response = as_(clerk).post("/api/v1/requests", json=intake_body(applicant=person(name=typed)))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["applicant"]["name"] == stored


def test_the_agent_and_the_collector_names_follow_the_same_rule(as_, clerk):
    body = intake_body(channel="proxy", agent=person(name="李\u202e四", relation="子女"))
    assert "agent.name" in assert_error(as_(clerk).post("/api/v1/requests", json=body), 400,
                                        "VALIDATION_ERROR")["fields"]


def test_text_rules_single_and_multi_line():
    errors = FieldErrors()
    assert text("第一行\r\n第二行", errors, "note", required=False, max_length=100, label="备注",
                multiline=True) == "第一行\n第二行"
    assert text("第一行\n第二行", errors, "topic", required=False, max_length=100, label="主题") is None
    assert "topic" in errors.fields
    errors = FieldErrors()
    assert text("\u200b \u200c", errors, "topic", required=True, max_length=10, label="主题") is None
    assert errors.fields == {"topic": "请填写主题"}
    errors = FieldErrors()
    assert person_name("欧阳\u0000娜娜", errors, "n", required=True, max_length=50, label="姓名") is None
    assert "空字符" in errors.fields["n"]


def test_a_multiline_note_keeps_its_lines(as_, clerk):
    response = as_(clerk).post("/api/v1/requests", json=intake_body(note="第一行\r\n第二行"))
    assert response.status_code == 201 and response.get_json()["note"] == "第一行\n第二行"


# --- forms, query strings, paths --------------------------------------------------------------------------------

def test_a_form_field_with_a_bidi_override_is_a_400_page(web, clerk):
    web.login("clerk-a")
    response = web.post("/requests/new", {"kind": "lost", "channel": "in_person", "applicant_name": "张\u202e三",
                                          "applicant_id_number": person()["id_number"],
                                          "applicant_phone": "13900000001"}, csrf_page="/requests/new")
    assert response.status_code == 400
    assert "applicant_name" in response.get_data(as_text=True)


def test_a_single_line_form_field_with_a_line_break_is_refused_on_the_form(web, clerk):
    web.login("clerk-a")
    response = web.post("/requests/new", {"kind": "lost", "channel": "in_person", "applicant_name": "张\n三",
                                          "applicant_id_number": person()["id_number"],
                                          "applicant_phone": "13900000001"}, csrf_page="/requests/new")
    assert response.status_code == 400
    assert "申请人姓名不能包含换行符" in field_errors(response.get_data(as_text=True))


@pytest.mark.parametrize("query", ["q=%00", "q=%E2%80%AE", "q=a%07"])
def test_query_strings_with_refused_characters(client, api, clerk, query):
    assert_error(api(clerk).get(f"/api/v1/requests?{query}"), 400, "VALIDATION_ERROR")


def test_a_nul_in_an_arrivals_csv_names_its_line(web, clerk):
    content = b"number,card_number\r\nPT01-20260101-0001,C1\r\nPT01-20260101-0002\x00,C2\r\n"
    response = web.login("clerk-a").post("/arrivals", {"mode": "batch", "file": (io.BytesIO(content), "a.csv")},
                                         content_type="multipart/form-data", csrf_page="/arrivals")
    assert response.status_code == 400
    assert "第 3 行" in response.get_data(as_text=True)


def test_a_nul_in_typed_arrival_numbers_is_refused(web, clerk):
    response = web.login("clerk-a").post("/arrivals", {"mode": "batch", "numbers": "PT01-20260101-0001\x00"},
                                         csrf_page="/arrivals")
    assert response.status_code == 400


# --- the API contract ---------------------------------------------------------------------------------------------

def test_405_carries_allow_for_the_api_and_pages(client, api, clerk):
    response = api(clerk).delete("/api/v1/requests")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    page = client.put("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


class Unread(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/public/status", "/login"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(app, client, api, clerk, path):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    headers = api(clerk).headers
    response = client.post(path, input_stream=Unread(b"{}"), content_type="application/json", headers=headers,
                           environ_overrides={"CONTENT_LENGTH": str(100 * 1024 * 1024)})
    assert response.status_code == 413
    if path.startswith("/api/"):
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_empty_filter_values_are_refused_by_the_api_not_by_the_queue_page(web, api, clerk):
    error = assert_error(api(clerk).get("/api/v1/requests?status=&kind=lost"), 400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"status"}
    assert api(clerk).get("/api/v1/requests?kind=lost").status_code == 200
    assert web.login("clerk-a").get("/requests?status=").status_code == 200


def test_the_openapi_document_says_query_strings_are_not_empty(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                    assert schema.get("minLength", 0) >= 1, (path, parameter["name"])


def test_a_huge_number_in_the_path_is_not_found(api, supervisor):
    response = api(supervisor).delete("/api/v1/watchlist/60642274741768692768540983296", json={"reason": "x"})
    assert_error(response, 404, "NOT_FOUND")
