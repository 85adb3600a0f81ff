"""Bad input of every kind on the reissue API answers 4xx in the SPEC §9 error format — never a 500 — and no
answer, good or bad, carries a full ID number."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.guards import GuardedApi, LeakGuard, assert_error
from tests.reissue.helpers import intake_body, make_id, person

HUGE = "长" * 100_000
fuzz = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def clerk_api(api, clerk, guard):
    return GuardedApi(api(clerk), guard)


@pytest.fixture
def number(clerk_api):
    response = clerk_api.post("/api/v1/requests", json=intake_body(kind="lost"))
    assert response.status_code == 201
    return response.get_json()["number"]


def _with(body: dict, path: str, value):
    """``body`` with the dotted ``path`` set to ``value`` (or removed when value is ...)."""
    body = json.loads(json.dumps(body))
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is ...:
        target.pop(leaf, None)
    else:
        target[leaf] = value
    return body


def test_the_guard_would_see_a_leaked_id():
    guard = LeakGuard()
    id_number = make_id()

    class Echo:
        def get_data(self, as_text=False):
            return json.dumps({"error": {"message": f"{id_number[:9]} {id_number[9:]}"}})

    guard.watch(Echo())
    assert guard.leaks()
    clean = LeakGuard()
    clean.sent({"applicant": {"id_number": id_number}})
    assert clean.sent_ids == {id_number}
    clean.watch(type("Masked", (), {"get_data": lambda self, as_text=False: id_number[:6] + "********"})())
    assert not clean.leaks()


# --- intake --------------------------------------------------------------------------------------------------

INTAKE_CASES = [
    ("applicant", "张三"), ("applicant", 310107198001010011), ("applicant", ["张三"]), ("applicant", None),
    ("applicant", {}), ("applicant", True), ("applicant", ...), ("kind", ...), ("channel", ...),
    ("kind", "stolen"), ("kind", 5), ("kind", ["lost"]), ("kind", {"lost": 1}), ("kind", True), ("kind", "LOST"),
    ("channel", "by_post"), ("channel", None), ("channel", 0),
    ("applicant.id_number", ...), ("applicant.id_number", 310107198001010011), ("applicant.id_number", ["x"]),
    ("applicant.id_number", "310107198001010012"), ("applicant.id_number", "31010719800101001"),
    ("applicant.id_number", "310107209901010018"), ("applicant.id_number", "３１０１０７１９８００１０１００１１"),
    ("applicant.id_number", HUGE), ("applicant.id_number", "3101071980010100111"),
    ("applicant.name", ...), ("applicant.name", ""), ("applicant.name", "   "), ("applicant.name", HUGE),
    ("applicant.name", "名" * 51), ("applicant.name", 12), ("applicant.name", {"a": 1}),
    ("applicant.phone", ...), ("applicant.phone", "12345678901"), ("applicant.phone", "1391234567"),
    ("applicant.phone", 13912345678), ("applicant.phone", HUGE), ("applicant.phone", "139１２３４５６７８"),
    ("note", HUGE), ("note", ["备注"]), ("note", 5), ("outlet_code", HUGE), ("outlet_code", ["PT01"]),
    ("agent", person(name="李四", relation="子女")),
]


@pytest.mark.parametrize(("path", "value"), INTAKE_CASES)
def test_bad_intake_fields_are_400(clerk_api, path, value):
    response = clerk_api.post("/api/v1/requests", json=_with(intake_body(), path, value))
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["fields"]
    assert HUGE not in response.get_data(as_text=True)


PROXY_CASES = [
    ("agent", ...), ("agent", None), ("agent", "李四"), ("agent", []), ("agent.relation", ...),
    ("agent.relation", "朋友"), ("agent.relation", 1), ("agent.id_number", "123"), ("agent.name", HUGE),
    ("agent.phone", "abc"),
]


@pytest.mark.parametrize(("path", "value"), PROXY_CASES)
def test_bad_agent_fields_are_400(clerk_api, path, value):
    response = clerk_api.post("/api/v1/requests", json=_with(intake_body(channel="proxy"), path, value))
    assert_error(response, 400, "VALIDATION_ERROR")


def test_the_agent_must_not_be_the_applicant(clerk_api):
    applicant = person()
    body = intake_body(channel="proxy", applicant=applicant,
                       agent={**applicant, "id_number": applicant["id_number"].lower(), "relation": "其他"})
    error = assert_error(clerk_api.post("/api/v1/requests", json=body), 400, "VALIDATION_ERROR")
    assert "agent.id_number" in error["fields"]


def test_every_field_error_is_reported_at_once_in_chinese(clerk_api):
    body = {"kind": "x", "channel": "y", "applicant": {"id_number": "1", "name": "", "phone": "2"}}
    error = assert_error(clerk_api.post("/api/v1/requests", json=body), 400, "VALIDATION_ERROR")
    assert set(error["fields"]) == {"kind", "channel", "applicant.id_number", "applicant.name", "applicant.phone"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in error["fields"].values())


@pytest.mark.parametrize("raw", [
    b'{"kind": "lost", ', b"not json", b"[]", b'["kind", "lost"]', b'"lost"', b"123", b"true",
    b"\xff\xfe\x00", b"{" * 5000, b"[" * 100_000 + b"]" * 100_000, b'{"kind": "lost"}' * 10_000,
    json.dumps({"kind": "lost", "note": HUGE}).encode(),
])
def test_a_body_that_is_not_one_json_object_is_400(clerk_api, raw):
    response = clerk_api.post_raw("/api/v1/requests", raw)
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_sent_as_something_else_is_never_a_500(clerk_api, content_type):
    response = clerk_api.post_raw("/api/v1/requests", json.dumps(intake_body()), content_type=content_type)
    assert response.status_code < 500


def test_an_empty_or_null_body_is_a_validation_error(clerk_api):
    for raw in (b"", b"null", b"{}"):
        assert_error(clerk_api.post_raw("/api/v1/requests", raw), 400, "VALIDATION_ERROR")


# --- actions -------------------------------------------------------------------------------------------------

BAD_CHECKS = [
    {"step": "id_document"}, {"result": "pass"}, {"step": "id_document", "result": "PASS"},
    {"step": "id_document", "result": True}, {"step": "unknown_step", "result": "pass"},
    {"step": ["id_document"], "result": "pass"}, {"step": {"a": 1}, "result": "pass"},
    {"step": "face_match", "result": "pass", "score": 101}, {"step": "face_match", "result": "pass", "score": -1},
    {"step": "face_match", "result": "pass", "score": True}, {"step": "face_match", "result": "pass", "score": 9.5},
    {"step": "face_match", "result": "pass", "score": "98.5"}, {"step": "face_match", "result": "pass", "score": "x"},
    {"step": "face_match", "result": "pass", "score": [90]}, {"step": "face_match", "result": "pass", "score": 10**40},
    {"step": "face_match", "result": "pass", "detail": HUGE}, {"step": "face_match", "result": "pass", "detail": 5},
    {"step": "id_document", "result": "pass", "version": [1]},
    {"step": "id_document", "result": "pass", "version": {"v": 1}},
]


def test_bad_checks_are_400(clerk_api, number):
    for body in BAD_CHECKS:
        response = clerk_api.post(f"/api/v1/requests/{number}/checks", json=body)
        assert response.status_code == 400, (body, response.get_json())
        assert_error(response, 400, "VALIDATION_ERROR")
    assert clerk_api.get(f"/api/v1/requests/{number}").get_json()["checks"] == []


BAD_ACTIONS = [
    ("cancel", {"reason": HUGE}), ("cancel", {"reason": ["x"]}), ("cancel", {"reason": 5}),
    ("cancel", {"reason": {"text": "x"}}), ("cancel", {"reason": None}), ("cancel", {}),
    ("review", {"decision": ["approve"]}), ("review", {"decision": {"a": 1}}), ("review", {"decision": 1}),
]


def test_bad_action_bodies_are_4xx_never_500(clerk_api, number):
    for action, body in BAD_ACTIONS:
        response = clerk_api.post(f"/api/v1/requests/{number}/{action}", json=body)
        assert 400 <= response.status_code < 500, (action, body, response.get_json())
        assert response.get_json()["error"]["code"]
    assert clerk_api.get(f"/api/v1/requests/{number}").get_json()["status"] == "intake"


@pytest.mark.parametrize("raw", [b"[]", b"not json", b'"x"', b"[" * 100_000 + b"]" * 100_000])
def test_non_object_action_bodies_are_400(clerk_api, number, raw):
    for action in ("checks", "submit", "review", "arrive", "collect", "cancel", "return"):
        assert_error(clerk_api.post_raw(f"/api/v1/requests/{number}/{action}", raw), 400, "VALIDATION_ERROR")


def _bring_to(clerk_api, number, *actions):
    for step in ("id_document", "face_match", "loss_report"):
        assert clerk_api.post(f"/api/v1/requests/{number}/checks", json={"step": step, "result": "pass"}) \
            .status_code == 200
    for action in actions:
        assert clerk_api.post(f"/api/v1/requests/{number}/{action}").status_code == 200


def test_bad_arrivals_are_400(clerk_api, number):
    _bring_to(clerk_api, number, "submit")
    for body in ({"card_number": "C" * 33}, {"card_number": 123}, {"card_number": ["x"]}):
        assert_error(clerk_api.post(f"/api/v1/requests/{number}/arrive", json=body), 400, "VALIDATION_ERROR")
    assert clerk_api.get(f"/api/v1/requests/{number}").get_json()["status"] == "submitted"


BAD_COLLECTS = [
    {"pickup_token": {"t": 1}, "collector": {"id_number": "x"}}, {"pickup_token": "x", "collector": "张三"},
    {"pickup_token": "x", "collector": 310107198001010011}, {"pickup_token": "x", "collector": []},
    {"pickup_token": "x", "collector": {"id_number": HUGE}}, {"pickup_token": HUGE, "collector": {}},
    {"pickup_token": ["x"], "collector": {"id_number": ["x"]}}, {"pickup_token": "x", "collector": {"name": 5}},
    {"pickup_token": None, "collector": None}, {},
]


def test_bad_collect_bodies_are_4xx_never_500(clerk_api, number):
    _bring_to(clerk_api, number, "submit", "arrive")
    for body in BAD_COLLECTS:
        response = clerk_api.post(f"/api/v1/requests/{number}/collect", json=body)
        assert response.status_code in (400, 422), (body, response.get_json())
    assert clerk_api.get(f"/api/v1/requests/{number}").get_json()["status"] == "ready"


@pytest.mark.parametrize("number_in_path", ["x", "PT01-" + "9" * 5000, "PT01-20260101-0001%27--",
                                            "..%2F..%2Fetc", "PT01-20260101-0001;DROP", "人"])
def test_odd_numbers_in_the_path_are_404(clerk_api, number_in_path):
    assert_error(clerk_api.get(f"/api/v1/requests/{number_in_path}"), 404, "NOT_FOUND")
    assert_error(clerk_api.post(f"/api/v1/requests/{number_in_path}/cancel", json={"reason": "x"}), 404,
                 "NOT_FOUND")


@pytest.mark.parametrize("query", ["?status=" + "x" * 100_000, "?outlet_code=" + "P" * 5000, "?q=" + "张" * 61,
                                   "?q=%25%5F", "?outlet_code=PT01%27%20OR%201=1--"])
def test_odd_list_parameters_are_never_a_500(clerk_api, query):
    response = clerk_api.get(f"/api/v1/requests{query}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]


# --- NUL characters (PostgreSQL text cannot hold them) --------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/requests/PT01%00", "/api/v1/requests?outlet_code=%00",
                                  "/api/v1/requests?q=%E5%BC%A0%00", "/api/v1/requests?kind=%00",
                                  "/api/v1/requests?x%00=1", "/api/v1/public/status?number=PT01%00&id_last4=123X",
                                  "/api/v1/public/status?number=PT01-20260101-0001&id_last4=12%003"])
def test_nul_in_the_path_or_query_is_400(clerk_api, path):
    assert_error(clerk_api.get(path), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(("path", "value"), [("applicant.name", "张\x00三"), ("note", "备注\x00"),
                                             ("applicant.phone", "139\x0012345678"), ("kind", "lost\x00"),
                                             ("agent", {"\x00": 1})])
def test_nul_in_an_intake_body_is_400(clerk_api, path, value):
    assert_error(clerk_api.post("/api/v1/requests", json=_with(intake_body(), path, value)), 400,
                 "VALIDATION_ERROR")


@pytest.mark.parametrize(("action", "body"), [
    ("checks", {"step": "id_document", "result": "pass", "detail": "读卡\x00"}),
    ("cancel", {"reason": "理由\x00"}), ("review", {"decision": "approve\x00"}),
])
def test_nul_in_an_action_body_is_400(clerk_api, number, action, body):
    assert_error(clerk_api.post(f"/api/v1/requests/{number}/{action}", json=body), 400, "VALIDATION_ERROR")
    assert clerk_api.get(f"/api/v1/requests/{number}").get_json()["status"] == "intake"


def test_nul_in_a_form_body_is_400(clerk_api):
    response = clerk_api.post_raw("/api/v1/requests", "kind=lost%00", content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, "VALIDATION_ERROR")


# --- fuzzing -------------------------------------------------------------------------------------------------

VALID_IDS = [make_id(birth="19600606"), make_id(birth="19900909"), make_id(birth="20000229")]
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ids = st.sampled_from(VALID_IDS + [i.lower() for i in VALID_IDS] + [i[:-1] + "0" for i in VALID_IDS]) | junk
people = st.fixed_dictionaries({}, optional={
    "id_number": ids,
    "name": st.sampled_from(["张三", "", " ", "A" * 51]) | junk,
    "phone": st.sampled_from(["13912345678", "+86 139-1234-5679", "12345"]) | junk,
    "relation": st.sampled_from(["子女", "朋友", ""]) | junk,
}) | junk
intake_bodies = st.fixed_dictionaries({}, optional={
    "kind": st.sampled_from(["lost", "damaged", "expired", "info_change", "LOST", ""]) | junk,
    "channel": st.sampled_from(["in_person", "proxy", "post"]) | junk,
    "applicant": people,
    "agent": people,
    "note": st.text(max_size=50) | junk,
    "outlet_code": st.sampled_from(["PT01", "PT99", ""]) | junk,
    "version": junk,
}) | junk


@fuzz
@given(body=intake_bodies)
def test_fuzzed_intake_bodies_never_cause_a_500(clerk_api, body):
    response = clerk_api.post("/api/v1/requests", json=body)
    assert response.status_code in (201, 400, 409), response.get_data(as_text=True)[:300]
    if response.status_code != 201:
        assert set(response.get_json()) == {"error"}


check_bodies = st.fixed_dictionaries({}, optional={
    "step": st.sampled_from(["id_document", "face_match", "loss_report", "old_card_recovered", "x"]) | junk,
    "result": st.sampled_from(["pass", "fail", "PASS"]) | junk,
    "detail": st.text(max_size=30) | junk,
    "score": st.integers(min_value=-5, max_value=105) | st.sampled_from(["50", "50.5", True]) | junk,
    "version": junk,
}) | junk


@fuzz
@given(body=check_bodies)
def test_fuzzed_check_bodies_never_cause_a_500(clerk_api, number, body):
    response = clerk_api.post(f"/api/v1/requests/{number}/checks", json=body)
    assert response.status_code in (200, 400, 409, 422), response.get_data(as_text=True)[:300]
