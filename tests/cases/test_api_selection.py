"""The annual selection through the API (SPEC §6.2): scoring and replacing, conflicts of interest, the live
ranking, finalising with the tie-break rule, and every refusal with its code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.cases.models import CaseScore
from cardops.core.timeutil import local_today
from cardops.extensions import db
from tests.guards import assert_error

YEAR = local_today().year
GOOD = {"typicality": 4, "educational_value": 4, "impact": 4}


def scores(t, e, i):
    return {"typicality": t, "educational_value": e, "impact": i}


@pytest.fixture
def nominees(case_in):
    """nominees(n) → n cases nominated for this year, occurred on different days of it (earliest first)."""

    def make(n, **body):
        start = local_today().replace(month=1, day=1)
        return [case_in("nominated", year=YEAR, title=f"案例{i}",
                        occurred_on=min(start + timedelta(days=i), local_today()).isoformat(), **body)
                for i in range(n)]

    return make


def put_score(client, case, body=None, year=YEAR):
    return client.put(f"/api/v1/selections/{year}/scores/{case.id}", json=GOOD if body is None else body)


# --- scoring -------------------------------------------------------------------------------------------------

def test_a_supervisor_scores_and_a_second_put_replaces_the_first(as_, nominees, supervisor):
    (case,) = nominees(1)
    first = put_score(as_(supervisor), case, scores(3, 4, 5))
    assert first.status_code == 200, first.get_json()
    assert first.get_json().items() >= {"case_id": case.id, "supervisor": "supervisor", "typicality": 3,
                                         "educational_value": 4, "impact": 5, "total": 12, "year": YEAR}.items()
    again = put_score(as_(supervisor), case, scores(5, 5, 5))
    assert again.status_code == 200 and again.get_json()["total"] == 15
    rows = list(db.session.scalars(select(CaseScore).where(CaseScore.case_id == case.id)))
    assert [(r.typicality, r.educational_value, r.impact) for r in rows] == [(5, 5, 5)]
    audited = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cases.score")))
    assert [e.detail.get("replaced") for e in audited] == [None, True]
    ranking = as_(supervisor).get(f"/api/v1/selections/{YEAR}").get_json()["ranking"]
    assert (ranking[0]["scores_count"], ranking[0]["mean_total"]) == (1, 15.0)


@pytest.mark.parametrize("body", [
    {}, scores(0, 3, 3), scores(3, 6, 3), scores(3, 3, -1), scores("4", 4, 4), scores(4, 4.5, 4), scores(4, 4, True),
    scores(None, 4, 4), {"typicality": 4, "educational_value": 4}, scores([4], 4, 4),
])
def test_scores_are_integers_from_1_to_5(as_, nominees, supervisor, body):
    (case,) = nominees(1)
    error = assert_error(put_score(as_(supervisor), case, body), 400, "VALIDATION_ERROR")
    assert set(error["fields"]) <= {"typicality", "educational_value", "impact"}
    assert db.session.scalar(select(CaseScore.id)) is None


def test_malformed_bodies_are_400(as_, nominees, supervisor):
    (case,) = nominees(1)
    for raw in ("{", "[1, 2]", "null", '"x"'):
        response = as_(supervisor)._inner._client.put(f"/api/v1/selections/{YEAR}/scores/{case.id}", data=raw,
                                                      content_type="application/json",
                                                      headers=as_(supervisor)._inner.headers)
        assert response.status_code == 400, raw


def test_only_supervisors_score(as_, nominees, trainer, clerk, admin):
    (case,) = nominees(1)
    for user in (trainer, clerk, admin):
        assert_error(put_score(as_(user), case), 403, "FORBIDDEN")


def test_a_case_not_nominated_for_that_year_is_409(as_, case_in, nominees, supervisor):
    accepted = case_in("accepted")
    assert_error(put_score(as_(supervisor), accepted), 409, "NOT_NOMINATED")
    (nominated,) = nominees(1)
    assert_error(put_score(as_(supervisor), nominated, year=YEAR - 1), 409, "NOT_NOMINATED")
    assert_error(as_(supervisor).put(f"/api/v1/selections/{YEAR}/scores/999999", json=GOOD), 404, "NOT_FOUND")
    assert as_(supervisor).put(f"/api/v1/selections/{YEAR}/scores/abc", json=GOOD).status_code == 404
    assert as_(supervisor).put(f"/api/v1/selections/twenty/scores/{nominated.id}", json=GOOD).status_code == 404


def test_a_supervisor_does_not_score_a_case_they_wrote(as_, case_in, supervisor, supervisor2):
    own = case_in("nominated", author=supervisor, year=YEAR)
    assert_error(put_score(as_(supervisor), own), 403, "CONFLICT_OF_INTEREST")
    assert put_score(as_(supervisor2), own).status_code == 200
    # Ranked on the others' scores; the author is not waited for.
    (row,) = as_(supervisor).get(f"/api/v1/selections/{YEAR}").get_json()["ranking"]
    assert (row["scores_count"], row["not_scored_by"]) == (1, [])
    assert as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise").status_code == 200


# --- the ranking ---------------------------------------------------------------------------------------------

def test_the_live_ranking_shows_means_counts_and_who_has_not_scored(as_, nominees, supervisor, supervisor2):
    a, b, c = nominees(3)
    put_score(as_(supervisor), a, scores(5, 4, 3))
    put_score(as_(supervisor2), a, scores(4, 4, 4))
    put_score(as_(supervisor), b, scores(5, 5, 5))
    body = as_(supervisor).get(f"/api/v1/selections/{YEAR}").get_json()
    assert (body["year"], body["status"], body["finalised_at"], body["finalised_by"]) == (YEAR, "open", None, None)
    first, second, third = body["ranking"]
    assert (first["rank"], first["case"]["id"], first["mean_total"], first["scores_count"]) == (1, b.id, 15.0, 1)
    assert first["not_scored_by"] == ["supervisor2"]
    assert second == {"rank": 2, "case": {"id": a.id, "title": "案例0", "outlet_code": "PT01",
                                          "category": "fraud_prevented"},
                      "scores_count": 2, "mean_typicality": 4.5, "mean_educational_value": 4.0, "mean_impact": 3.5,
                      "mean_total": 12.0, "selected": False, "not_scored_by": []}
    assert (third["case"]["id"], third["scores_count"], third["mean_total"]) == (c.id, 0, None)
    assert third["not_scored_by"] == ["supervisor", "supervisor2"]


def test_an_open_round_is_the_supervisors_only_a_final_one_everyones(as_, api, nominees, supervisor, trainer, clerk,
                                                                       other_clerk, admin):
    (case,) = nominees(1)
    put_score(as_(supervisor), case)
    for user in (trainer, clerk, other_clerk, admin):
        assert_error(as_(user).get(f"/api/v1/selections/{YEAR}"), 404, "NOT_FOUND")
    assert as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise").status_code == 200
    for user in (trainer, clerk, other_clerk, admin):
        body = as_(user).get(f"/api/v1/selections/{YEAR}").get_json()
        assert body["status"] == "final" and body["ranking"][0]["selected"] is True
        assert "not_scored_by" not in body["ranking"][0]


def test_a_year_without_a_round_is_an_empty_open_round_for_supervisors(as_, supervisor, clerk):
    body = as_(supervisor).get("/api/v1/selections/2031").get_json()
    assert body == {"year": 2031, "status": "open", "finalised_at": None, "finalised_by": None, "tie_break": None,
                    "ranking": []}
    assert_error(as_(clerk).get("/api/v1/selections/2031"), 404, "NOT_FOUND")


# --- finalising ----------------------------------------------------------------------------------------------

def test_finalising_marks_the_top_ten_and_records_the_tie_break(as_, nominees, supervisor, supervisor2, trainer):
    cases = nominees(12)
    # Totals 15, 14, 13 … for the first nine; the 10th and 11th tie on every mean (the earlier date wins);
    # the 12th is last.
    for i, case in enumerate(cases[:9]):
        put_score(as_(supervisor), case, scores(5 - i // 3, 5 - (i + 1) // 3, 5 - (i + 2) // 3))
    tenth, eleventh, last = cases[9], cases[10], cases[11]
    put_score(as_(supervisor), eleventh, scores(2, 2, 2))
    put_score(as_(supervisor), tenth, scores(2, 2, 2))
    put_score(as_(supervisor), last, scores(1, 1, 1))
    response = as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "final" and body["finalised_by"] == "supervisor" and body["finalised_at"]
    selected = [row["case"]["id"] for row in body["ranking"] if row["selected"]]
    assert selected == [c.id for c in cases[:10]]
    assert [row["rank"] for row in body["ranking"]] == list(range(1, 13))
    assert "第10名与第11名" in body["tie_break"] and "发生日期较早者在前" in body["tie_break"]
    for case in cases[:10]:
        detail = as_(trainer).get(f"/api/v1/cases/{case.id}").get_json()
        assert (detail["status"], detail["selected_year"], detail["nominated_year"]) == ("selected", YEAR, YEAR)
    for case in cases[10:]:
        assert as_(trainer).get(f"/api/v1/cases/{case.id}").get_json()["status"] == "nominated"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cases.selection_finalise")).one()
    assert entry.detail["selected"] == selected and entry.detail["tie_break"] == body["tie_break"]
    assert verify_chain().ok


def test_fewer_than_ten_nominees_are_all_selected_and_no_tie_no_words(as_, nominees, supervisor):
    cases = nominees(3)
    for n, case in enumerate(cases):
        put_score(as_(supervisor), case, scores(5 - n, 5, 5))
    body = as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise").get_json()
    assert [row["selected"] for row in body["ranking"]] == [True, True, True]
    assert body["tie_break"] is None


def test_finalise_refusals(as_, nominees, supervisor, supervisor2, trainer):
    assert_error(as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise"), 409, "NOTHING_TO_SELECT")
    a, b = nominees(2)
    put_score(as_(supervisor), a)
    error = assert_error(as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise"), 409, "SCORES_INCOMPLETE")
    assert b.title in error["message"]
    assert a.status == "nominated"
    assert_error(as_(trainer).post(f"/api/v1/selections/{YEAR}/finalise"), 403, "FORBIDDEN")
    put_score(as_(supervisor2), b)  # one score of one supervisor is enough for a nominee
    assert as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise").status_code == 200
    assert_error(as_(supervisor2).post(f"/api/v1/selections/{YEAR}/finalise"), 409, "SELECTION_FINAL")
    # After the final: no score, replaced or new, and no nomination for that year.
    assert_error(put_score(as_(supervisor), a, scores(1, 1, 1)), 409, "SELECTION_FINAL")
    assert_error(put_score(as_(supervisor), b), 409, "SELECTION_FINAL")
    assert db.session.scalars(select(CaseScore).where(CaseScore.case_id == a.id)).one().typicality == 4


def test_a_final_round_is_read_only_for_nominations_too(as_, nominees, case_in, supervisor):
    (case,) = nominees(1)
    put_score(as_(supervisor), case)
    as_(supervisor).post(f"/api/v1/selections/{YEAR}/finalise")
    late = case_in("accepted")
    assert_error(as_(supervisor).post(f"/api/v1/cases/{late.id}/nominate", json={"year": YEAR}), 409,
                 "SELECTION_FINAL")
    assert as_(supervisor).get(f"/api/v1/cases/{late.id}").get_json()["status"] == "accepted"
