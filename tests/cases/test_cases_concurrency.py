"""Concurrent requests on real connections (``committing_db``): two supervisors deciding one case, two finalisations
of one round, a score arriving while the round is finalised — one winner, a clean 409 for the other, nothing
half-written, a verifiable audit chain."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.cases import rounds, selection, services
from cardops.cases.models import Case, CaseScore, SelectionRound
from cardops.core.timeutil import local_today
from cardops.extensions import db
from tests.cases.support import case_body
from tests.reissue.test_concurrency import bearer, meet_after_first_call, run_together

YEAR = local_today().year
SCORE = {"typicality": 4, "educational_value": 4, "impact": 4}


def call(method: str, path: str, headers: dict, body=None):
    def run(client):
        response = client.open(path, method=method, json=body or {}, headers=headers)
        return response.status_code, response.get_json()

    return run


def _submitted_case(trainer) -> int:
    case = services.create_case(trainer, case_body())
    services.submit_case(trainer, case)
    db.session.commit()
    return case.id


def _audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_two_supervisors_decide_one_case_at_once(app, committing_db, monkeypatch, trainer, supervisor, supervisor2):
    case_id = _submitted_case(trainer)
    headers = bearer(supervisor), bearer(supervisor2)
    db.session.remove()
    # Both have loaded the case and passed the permission check before either writes.
    meet_after_first_call(monkeypatch, services, "ensure_allowed", threading.Barrier(2))
    results = run_together(app, [call("POST", f"/api/v1/cases/{case_id}/accept", headers[0]),
                                 call("POST", f"/api/v1/cases/{case_id}/return", headers[1], {"reason": "请补充"})])
    assert sorted(status for status, _ in results) == [200, 409], results
    (_, won), (_, lost) = sorted(results, key=lambda r: r[0])
    assert lost["error"]["code"] == "CONFLICT"
    db.session.remove()
    stored = db.session.get(Case, case_id)
    assert stored.status == won["status"] and stored.version == won["version"]
    assert _audited("cases.accept") + _audited("cases.return") == 1  # the loser left no entry
    assert verify_chain().ok


def _scored_round(trainer, supervisor, n=2) -> list[int]:
    ids = []
    for i in range(n):
        case = services.create_case(trainer, case_body(title=f"并发{i}"))
        services.submit_case(trainer, case)
        services.accept_case(supervisor, case)
        services.nominate_case(supervisor, case, YEAR)
        selection.score_case(supervisor, YEAR, case, SCORE)
        ids.append(case.id)
    db.session.commit()
    return ids


def test_finalising_twice_at_once_selects_once(app, committing_db, monkeypatch, trainer, supervisor, supervisor2):
    ids = _scored_round(trainer, supervisor)
    headers = bearer(supervisor), bearer(supervisor2)
    db.session.remove()
    meet_after_first_call(monkeypatch, selection, "get_round", threading.Barrier(2))
    results = run_together(app, [call("POST", f"/api/v1/selections/{YEAR}/finalise", h) for h in headers])
    assert sorted(status for status, _ in results) == [200, 409], results
    (_, won), (_, lost) = sorted(results, key=lambda r: r[0])
    # PostgreSQL makes the second wait for the first and then says why; SQLite may refuse its write lock instead.
    assert lost["error"]["code"] in {"SELECTION_FINAL", "CONFLICT"}, lost
    assert won["status"] == "final"
    db.session.remove()
    assert db.session.get(SelectionRound, YEAR).status == "final"
    assert _audited("cases.selection_finalise") == 1 and _audited("cases.select") == len(ids)
    assert verify_chain().ok


def test_a_score_racing_the_finalisation_lands_before_it_or_is_refused(app, committing_db, monkeypatch, trainer,
                                                                        supervisor, supervisor2):
    ids = _scored_round(trainer, supervisor)
    headers = bearer(supervisor), bearer(supervisor2)
    db.session.remove()
    # Both have seen the round open before either takes its lock.
    meet_after_first_call(monkeypatch, rounds, "get_round", threading.Barrier(2))
    results = run_together(app, [call("POST", f"/api/v1/selections/{YEAR}/finalise", headers[0]),
                                 call("PUT", f"/api/v1/selections/{YEAR}/scores/{ids[0]}", headers[1], SCORE)])
    (finalised, round_body), (scored, score_body) = results
    db.session.remove()
    stored_scores = db.session.scalar(select(func.count()).select_from(CaseScore).where(CaseScore.case_id == ids[0]))
    if finalised == 200:
        counted = next(row["scores_count"] for row in round_body["ranking"] if row["case"]["id"] == ids[0])
        assert counted == stored_scores  # the final ranking counted exactly the scores there are
        if scored != 200:
            assert score_body["error"]["code"] in {"SELECTION_FINAL", "CONFLICT"}, score_body
            assert stored_scores == 1
    else:  # the score took the lock first; the finalisation lost the race and changed nothing
        assert scored == 200 and stored_scores == 2, results
        assert round_body["error"]["code"] == "CONFLICT"
        assert db.session.get(SelectionRound, YEAR).status == "open"
    assert verify_chain().ok
