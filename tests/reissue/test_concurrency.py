"""Concurrent requests on real connections (``committing_db``): one winner, a clean 409 for the other, nothing
half-written; unique numbers under concurrent intake; one open request per applicant even in a race.

Each thread has its own app context, hence its own session and connection, and its own test client. A
barrier placed *inside* the code path (after the request was loaded and checked, or after the open-request
look-up) makes the threads really overlap at the critical moment, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.auth.services import issue_token
from cardops.core import pii
from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.reissue import services
from cardops.reissue.models import ReissueRequest, RequestEvent
from tests.reissue.helpers import intake_body, person
from tests.reissue.workflow_support import new_request, pass_missing_checks

BARRIER_TIMEOUT = 20


def bearer(user) -> dict:
    _, secret = issue_token(None, user, "concurrency")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def meet_after_first_call(monkeypatch, module, name: str, barrier: threading.Barrier) -> None:
    """Make every thread's first call of ``module.name`` wait for the others once it has returned."""
    original = getattr(module, name)
    met = threading.local()

    def synchronised(*args, **kwargs):
        answer = original(*args, **kwargs)
        if not getattr(met, "done", False):
            met.done = True
            barrier.wait(timeout=BARRIER_TIMEOUT)
        return answer

    monkeypatch.setattr(module, name, synchronised)


def run_together(app, calls) -> list:
    """Run each ``call(client)`` in its own thread with its own app context and test client."""
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(index, call):
        try:
            with app.app_context():
                try:
                    results[index] = call(app.test_client())
                finally:
                    db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 3)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert not errors, errors
    return results


def post(path, headers, body=None):
    def call(client):
        response = client.post(path, json=body or {}, headers=headers)
        return response.status_code, response.get_json()

    return call


def _audit_count(action, number) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action, AuditEntry.object_id == number))


BODIES = {"submit": {}, "cancel": {"reason": "申请人放弃"}, "checks": {"step": "id_document", "result": "fail"}}
TIMELINE = {"submit": "submit", "cancel": "cancel", "checks": None}  # a check is no transition
AUDITED = {"submit": "reissue.submit", "cancel": "reissue.cancel", "checks": "reissue.check"}


@pytest.mark.parametrize(("first", "second"), [("submit", "submit"), ("submit", "cancel"), ("cancel", "cancel"),
                                               ("checks", "submit")])
def test_two_actions_on_one_request_at_once_one_wins_the_other_gets_409(app, committing_db, monkeypatch, clerk,
                                                                        clerk2, first, second):
    request = new_request(clerk, kind="damaged")
    pass_missing_checks(clerk, request)
    db.session.commit()
    number, version = request.number, request.version
    audited_before = {action: _audit_count(action, number) for action in AUDITED.values()}
    headers = bearer(clerk), bearer(clerk2)
    db.session.remove()

    # Both threads have loaded the request and passed the permission check before either writes.
    meet_after_first_call(monkeypatch, services, "ensure_allowed", threading.Barrier(2))
    results = run_together(app, [post(f"/api/v1/requests/{number}/{first}", headers[0], BODIES[first]),
                                 post(f"/api/v1/requests/{number}/{second}", headers[1], BODIES[second])])

    assert sorted(status for status, _ in results) == [200, 409], results
    winner = first if results[0][0] == 200 else second
    won, lost = (results[0][1], results[1][1]) if results[0][0] == 200 else (results[1][1], results[0][1])
    assert lost["error"]["code"] == "CONFLICT", lost

    db.session.remove()
    stored = db.session.scalar(select(ReissueRequest).where(ReissueRequest.number == number))
    assert stored.status == won["status"] and stored.version == won["version"] > version
    events = db.session.scalars(select(RequestEvent.action).where(RequestEvent.request_id == stored.id)
                                .order_by(RequestEvent.id)).all()
    assert events == ["intake"] + ([TIMELINE[winner]] if TIMELINE[winner] else [])  # the loser left no event …
    added = {action: _audit_count(action, number) - n for action, n in audited_before.items()}
    assert added == {a: int(a == AUDITED[winner]) for a in AUDITED.values()}  # … and no audit entry
    report = verify_chain()
    assert report.ok, report.describe()


def test_concurrent_intakes_at_one_outlet_get_unique_sequential_numbers(app, committing_db, monkeypatch, clerk,
                                                                        clerk2):
    workers = 4
    meet_after_first_call(monkeypatch, services, "_open_request_refusal", threading.Barrier(workers))
    headers = [bearer(clerk), bearer(clerk2)]
    results = run_together(app, [post("/api/v1/requests", headers[i % 2], intake_body(applicant=person()))
                                 for i in range(workers)])
    assert [status for status, _ in results] == [201] * workers, results
    numbers = sorted(body["number"] for _, body in results)
    day = f"{local_today():%Y%m%d}"
    assert numbers == [f"PT01-{day}-{n:04d}" for n in range(1, workers + 1)]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(ReissueRequest)) == workers
    assert verify_chain().ok


def test_the_same_applicant_at_two_outlets_at_once_gets_one_request(app, committing_db, monkeypatch, clerk,
                                                                    other_clerk):
    applicant = person(name="郑秀兰")
    meet_after_first_call(monkeypatch, services, "_open_request_refusal", threading.Barrier(2))
    results = run_together(app, [post("/api/v1/requests", bearer(clerk), intake_body(applicant=applicant)),
                                 post("/api/v1/requests", bearer(other_clerk), intake_body(applicant=applicant))])
    assert sorted(status for status, _ in results) == [201, 409], results
    (_, won), (_, lost) = sorted(results, key=lambda r: r[0])
    assert lost["error"]["code"] == "OPEN_REQUEST_EXISTS"
    assert won["outlet_code"] in lost["error"]["message"] and lost["error"]["outlet_code"] == won["outlet_code"]
    assert "郑秀兰" not in str(lost)

    db.session.remove()
    stored = db.session.scalars(select(ReissueRequest).where(
        ReissueRequest.applicant_id_hash == pii.blind_index(applicant["id_number"]))).all()
    assert [r.number for r in stored] == [won["number"]]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "reissue.intake")) == 1
    assert verify_chain().ok
