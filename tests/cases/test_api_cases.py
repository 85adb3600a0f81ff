"""The case library through the API (SPEC §6.1): the case object, the flow's endpoints and their codes, visibility
across outlets, the list with its filters and search, and bad input of every kind → 4xx, never 500."""

from __future__ import annotations

import pytest

from cardops.core.timeutil import local_today
from tests.cases.support import LESSONS, NARRATIVE, case_body
from tests.guards import assert_error
from tests.reissue.workflow_support import new_request

CASE_KEYS = {"id", "title", "outlet_code", "occurred_on", "category", "narrative", "lessons", "request", "status",
             "author", "decision_reason", "nominated_year", "selected_year", "created_at", "updated_at", "version"}


def create(client, **overrides):
    return client.post("/api/v1/cases", json=case_body(**overrides))


# --- the case object and the flow ----------------------------------------------------------------------------

def test_a_trainer_writes_a_draft_and_the_flow_runs_to_nominated(as_, trainer, supervisor):
    created = create(as_(trainer))
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert set(case) == CASE_KEYS
    assert case | {"id": 0, "created_at": "", "updated_at": "", "version": 0} == {
        "id": 0, "title": "识破持已故老人证件代办补卡", "outlet_code": "PT01",
        "occurred_on": local_today().isoformat(), "category": "fraud_prevented", "narrative": NARRATIVE,
        "lessons": LESSONS, "request": None, "status": "draft", "author": {"username": "trainer-a", "name": "小教员甲"},
        "decision_reason": None, "nominated_year": None, "selected_year": None, "created_at": "", "updated_at": "",
        "version": 0}
    cid = case["id"]
    steps = [(trainer, "submit", {}, "submitted"), (supervisor, "return", {"reason": "请补充处置结果"}, "returned"),
             (trainer, "submit", {}, "submitted"), (supervisor, "accept", {"reason": "很好"}, "accepted"),
             (supervisor, "nominate", {"year": local_today().year}, "nominated")]
    for user, action, body, status in steps:
        response = as_(user).post(f"/api/v1/cases/{cid}/{action}", json=body)
        assert response.status_code == 200, (action, response.get_json())
        assert response.get_json()["status"] == status
    final = as_(trainer).get(f"/api/v1/cases/{cid}").get_json()
    assert (final["decision_reason"], final["nominated_year"]) == ("很好", local_today().year)


def test_patch_by_the_author_while_draft_or_returned(as_, trainer, trainer2, supervisor):
    cid = create(as_(trainer)).get_json()["id"]
    changed = as_(trainer).patch(f"/api/v1/cases/{cid}", json={"title": "新标题", "category": "service"})
    assert changed.status_code == 200 and changed.get_json()["title"] == "新标题"
    assert changed.get_json()["category"] == "service" and changed.get_json()["narrative"] == NARRATIVE
    assert_error(as_(trainer2).patch(f"/api/v1/cases/{cid}", json={"title": "x"}), 403, "FORBIDDEN")
    assert_error(as_(supervisor).patch(f"/api/v1/cases/{cid}", json={"title": "x"}), 403, "FORBIDDEN")
    as_(trainer).post(f"/api/v1/cases/{cid}/submit")
    assert_error(as_(trainer).patch(f"/api/v1/cases/{cid}", json={"title": "x"}), 409, "INVALID_TRANSITION")
    as_(supervisor).post(f"/api/v1/cases/{cid}/return", json={"reason": "标题太长"})
    assert as_(trainer).patch(f"/api/v1/cases/{cid}", json={"title": "短标题"}).status_code == 200
    stale = as_(trainer).patch(f"/api/v1/cases/{cid}", json={"title": "再改", "version": 1})
    assert_error(stale, 409, "CONFLICT")


def test_codes_of_the_flow(as_, trainer, clerk, supervisor):
    cid = create(as_(trainer)).get_json()["id"]
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/accept"), 409, "INVALID_TRANSITION")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/submit"), 403, "FORBIDDEN")
    assert_error(as_(clerk).post(f"/api/v1/cases/{cid}/submit"), 403, "FORBIDDEN")
    as_(trainer).post(f"/api/v1/cases/{cid}/submit")
    assert_error(as_(trainer).post(f"/api/v1/cases/{cid}/accept"), 403, "FORBIDDEN")
    assert_error(as_(trainer).post(f"/api/v1/cases/{cid}/submit"), 409, "INVALID_TRANSITION")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/return", json={}), 400, "VALIDATION_ERROR")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/nominate", json={"year": 2026}), 409,
                 "INVALID_TRANSITION")
    as_(supervisor).post(f"/api/v1/cases/{cid}/accept")
    for year in (None, "2026", True, 1.5, local_today().year + 1):
        assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/nominate", json={"year": year}), 400,
                     "VALIDATION_ERROR")
    assert as_(trainer).get(f"/api/v1/cases/{cid}").get_json()["status"] == "accepted"


def test_who_may_write(as_, trainer, clerk, admin, supervisor):
    assert_error(create(as_(clerk)), 403, "FORBIDDEN")
    assert_error(create(as_(admin)), 403, "FORBIDDEN")
    assert_error(create(as_(trainer), outlet_code="PT02"), 403, "FORBIDDEN")
    error = assert_error(create(as_(supervisor)), 400, "VALIDATION_ERROR")
    assert "outlet_code" in error["fields"]
    made = create(as_(supervisor), outlet_code="PT03")
    assert made.status_code == 201 and made.get_json()["outlet_code"] == "PT03"


def test_personal_data_is_refused_naming_the_field(as_, trainer):
    error = assert_error(create(as_(trainer), narrative=NARRATIVE + "老人身份证号110105194912310021。"), 400,
                         "VALIDATION_ERROR")
    assert set(error["fields"]) == {"narrative"} and "身份证号码" in error["fields"]["narrative"]
    error = assert_error(create(as_(trainer), title="回访138 1234 5678"), 400, "VALIDATION_ERROR")
    assert "手机号码" in error["fields"]["title"]


def test_a_linked_request_is_shown_only_as_number_kind_and_outlet(as_, trainer, clerk, other_trainer, other_clerk,
                                                                   supervisor, guard):
    request = new_request(clerk, kind="damaged")
    guard.sent({"id": request.applicant_id_masked})
    cid = create(as_(trainer), request_number=request.number).get_json()["id"]
    as_(trainer).post(f"/api/v1/cases/{cid}/submit")
    as_(supervisor).post(f"/api/v1/cases/{cid}/accept")
    seen = as_(other_trainer).get(f"/api/v1/cases/{cid}").get_json()  # another outlet's reader of the library
    assert seen["request"] == {"number": request.number, "kind": "damaged", "outlet_code": "PT01"}
    text = str(seen)
    assert request.applicant_name not in text and request.applicant_id_masked not in text
    unseen = new_request(other_clerk)
    error = assert_error(create(as_(trainer), request_number=unseen.number), 400, "VALIDATION_ERROR")
    assert "request_number" in error["fields"]


# --- visibility ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_cases_in_the_works_stay_with_their_outlet_and_the_supervisors(as_, case_in, clerk, trainer2, other_trainer,
                                                                        other_clerk, supervisor, admin, status):
    case = case_in(status)
    for user in (clerk, trainer2, supervisor):
        assert as_(user).get(f"/api/v1/cases/{case.id}").status_code == 200
        assert case.id in [c["id"] for c in as_(user).get("/api/v1/cases").get_json()["items"]]
    for user in (other_trainer, other_clerk, admin):
        assert_error(as_(user).get(f"/api/v1/cases/{case.id}"), 404, "NOT_FOUND")
        assert_error(as_(user).post(f"/api/v1/cases/{case.id}/submit"), 404, "NOT_FOUND")
        assert_error(as_(user).patch(f"/api/v1/cases/{case.id}", json={"title": "x"}), 404, "NOT_FOUND")
        assert as_(user).get("/api/v1/cases").get_json()["total"] == 0
        assert as_(user).get(f"/api/v1/cases?status={status}").get_json()["total"] == 0


@pytest.mark.parametrize("status", ["accepted", "nominated"])
def test_the_library_is_every_signed_in_users(as_, case_in, other_trainer, other_clerk, admin, status):
    case = case_in(status)
    for user in (other_trainer, other_clerk, admin):
        assert as_(user).get(f"/api/v1/cases/{case.id}").get_json()["status"] == status
        assert [c["id"] for c in as_(user).get("/api/v1/cases").get_json()["items"]] == [case.id]


def test_unknown_case_and_unauthenticated(client, as_, clerk, supervisor):
    assert_error(as_(clerk).get("/api/v1/cases/999999"), 404, "NOT_FOUND")
    assert as_(clerk).get("/api/v1/cases/abc").status_code == 404
    # A number no id column can hold names nothing: 404, not an overflow in the database.
    for path in ("/api/v1/cases/2147483648", "/api/v1/cases/99999999999999999999", "/api/v1/selections/99999",
                 "/api/v1/selections/1999", "/cases/booklet/3000000000"):
        assert as_(clerk).get(path).status_code == 404, path
    overflow = "/api/v1/selections/2026/scores/99999999999999999999"
    assert_error(as_(supervisor).put(overflow, json={"typicality": 4, "educational_value": 4, "impact": 4}), 404,
                 "NOT_FOUND")
    # Another method of the same address exists: still a 404, never a 405 (schemathesis found one).
    assert_error(as_(supervisor).patch("/api/v1/cases/33587458546", json={"title": "新标题"}), 404, "NOT_FOUND")
    assert_error(as_(supervisor).post("/api/v1/selections/null,null/finalise"), 404, "NOT_FOUND")
    assert_error(client.get("/api/v1/cases"), 401, "UNAUTHENTICATED")
    assert_error(client.post("/api/v1/cases", json=case_body()), 401, "UNAUTHENTICATED")


# --- the list ------------------------------------------------------------------------------------------------

@pytest.fixture
def library(case_in, supervisor, other_trainer):
    return {
        "fraud": case_in("accepted", title="识破冒名代办", narrative=NARRATIVE + "家属称老人已去世。"),
        "service": case_in("accepted", category="service", title="上门为卧床老人办理换卡",
                           narrative="社区工作人员反映一位卧床老人社保卡损坏无法就医，受理员与社区约定时间上门核验办理。",
                           lessons="特殊群体可预约上门，核验要求不降低。"),
        "old": case_in("accepted", occurred_on="2024-03-05", category="error", title="错发他人新卡"),
        "elsewhere": case_in("accepted", author=other_trainer, title="外网点案例", lessons="百分之百核对"),
        "draft": case_in("draft", title="草稿案例"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [c["id"] for c in response.get_json()["items"]]


def test_filters_and_search(as_, library, other_clerk, clerk):
    c = library
    client = as_(clerk)
    assert set(ids(client.get("/api/v1/cases"))) == {case.id for case in c.values()}
    assert ids(client.get("/api/v1/cases?category=service")) == [c["service"].id]
    assert ids(client.get("/api/v1/cases?status=draft")) == [c["draft"].id]
    assert ids(client.get("/api/v1/cases?outlet_code=pt02")) == [c["elsewhere"].id]
    assert ids(client.get("/api/v1/cases?outlet_code=PT99")) == []
    assert ids(client.get("/api/v1/cases?year=2024")) == [c["old"].id]
    assert ids(client.get("/api/v1/cases?q=卧床")) == [c["service"].id]  # title and narrative
    assert ids(client.get("/api/v1/cases?q=预约上门")) == [c["service"].id]  # lessons
    assert ids(client.get("/api/v1/cases?q=百分之百")) == [c["elsewhere"].id]
    assert ids(client.get("/api/v1/cases?q=卧床 约定")) == [c["service"].id]  # every word must appear …
    assert ids(client.get("/api/v1/cases?q=卧床 错发")) == []  # … in one case
    assert ids(client.get("/api/v1/cases?q=老人已去世")) == [c["fraud"].id]
    assert ids(client.get("/api/v1/cases?q=100%25")) == []  # a wildcard is a plain character
    assert ids(client.get("/api/v1/cases?q=_")) == []
    # Newest first; another outlet's reader sees the library but not the draft.
    assert ids(as_(other_clerk).get("/api/v1/cases"))[-1] == c["old"].id
    assert c["draft"].id not in ids(as_(other_clerk).get("/api/v1/cases"))


def test_pagination(as_, library, clerk):
    page = as_(clerk).get("/api/v1/cases?per_page=2&page=2").get_json()
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 5, 2)


@pytest.mark.parametrize("query", ["status=open", "category=fraud", "year=20x6", "year=99", "per_page=0",
                                   "per_page=101", "page=0", "page=x", "q=" + "长" * 61, "mine=null", "mine=2"])
def test_bad_list_parameters_are_400(as_, clerk, query):
    assert_error(as_(clerk).get(f"/api/v1/cases?{query}"), 400, "VALIDATION_ERROR")


# --- bad input of every kind ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["{", "[]", "null", "42", '"text"', '{"title": '])
def test_malformed_bodies_are_400_never_500(as_, trainer, raw):
    response = as_(trainer).post_raw("/api/v1/cases", raw)
    assert response.status_code == 400, (raw, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("body", [
    {"title": {"a": 1}}, {"narrative": ["x"]}, {"occurred_on": {"y": 2026}}, {"category": 5},
    {"request_number": ["PT01"]}, {"outlet_code": 12}, {"title": "x\u0000y"},
])
def test_wrong_types_are_400_never_500(as_, trainer, body):
    response = create(as_(trainer), **body)
    assert response.status_code == 400, (body, response.get_data(as_text=True)[:300])


def test_wrong_types_on_patch_and_actions_are_400(as_, trainer, supervisor):
    cid = create(as_(trainer)).get_json()["id"]
    assert_error(as_(trainer).patch(f"/api/v1/cases/{cid}", json={"version": "abc"}), 400, "VALIDATION_ERROR")
    assert_error(as_(trainer).patch(f"/api/v1/cases/{cid}", json={"occurred_on": 5}), 400, "VALIDATION_ERROR")
    as_(trainer).post(f"/api/v1/cases/{cid}/submit")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/return", json={"reason": ["x"]}), 400,
                 "VALIDATION_ERROR")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{cid}/accept", json={"version": True}), 400,
                 "VALIDATION_ERROR")


def test_wrong_methods_are_405(as_, trainer):
    assert as_(trainer).delete("/api/v1/cases").status_code == 405
    assert as_(trainer).get("/api/v1/selections/2026/finalise").status_code == 405
