"""Shared by the reissue service, risk, API and concurrency tests: drive requests through the real services,
rewrite history rows for risk windows, and scan response bodies for full ID numbers.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from cardops.audit.models import AuditEntry
from cardops.core import pii
from cardops.core.timeutil import utcnow
from cardops.extensions import db
from cardops.reissue import pickup, services
from cardops.reissue.models import ReissueRequest, RequestEvent
from cardops.reissue.workflow import Status
from tests.reissue.helpers import intake_body, make_id, make_phone, person

# --- driving requests through the services ------------------------------------------------------------------

def new_request(actor, **body) -> ReissueRequest:
    return services.intake(actor, intake_body(**body))


def applicant_id(request: ReissueRequest) -> str:
    return pii.decrypt(request.applicant_id_enc)


def agent_id(request: ReissueRequest) -> str:
    return pii.decrypt(request.agent_id_enc)


def record(actor, request, step, result="pass", **extra):
    return services.record_check(actor, request, {"step": str(step), "result": result, **extra})


def pass_missing_checks(actor, request: ReissueRequest) -> None:
    for step in list(request.missing_checks):
        record(actor, request, step)


def collect_as_applicant(actor, request: ReissueRequest) -> None:
    services.collect(actor, request, pickup.request_token(request), {"id_number": applicant_id(request)})


def request_in(status: str, clerk, reviewer, **body) -> ReissueRequest:
    """A fresh request brought to ``status`` through the services: intake and every step by ``clerk``, the
    review decision by ``reviewer``. Requests that must pass review are proxy applications (medium risk)."""
    status = Status(status)
    if status in (Status.PENDING_REVIEW, Status.REJECTED):
        body.setdefault("channel", "proxy")
    request = new_request(clerk, **body)
    if status == Status.INTAKE:
        return request
    if status == Status.CANCELLED:
        services.cancel(clerk, request, "申请人放弃办理")
        return request
    pass_missing_checks(clerk, request)
    went_to_review = services.submit(clerk, request)
    if status == Status.PENDING_REVIEW:
        assert went_to_review
        return request
    if status == Status.REJECTED:
        services.review(reviewer, request, "reject", "授权委托书签字与身份证不符")
        return request
    assert not went_to_review, request.risk_level
    if status == Status.SUBMITTED:
        return request
    services.arrive(clerk, request)
    if status == Status.READY:
        return request
    if status == Status.COLLECTED:
        collect_as_applicant(clerk, request)
    elif status == Status.RETURNED:
        services.return_card(clerk, request, "逾期180天未领取")
    assert request.status == status
    return request


def perform(action: str, actor, request: ReissueRequest):
    """Run one transition of ``workflow.TRANSITIONS`` with otherwise valid input."""
    if action == "submit":
        return services.submit(actor, request)
    if action in ("approve", "reject"):
        return services.review(actor, request, action, "复核意见")
    if action == "arrive":
        return services.arrive(actor, request)
    if action == "collect":
        token = pickup.request_token(request) or pickup.make_token(request.number, "0" * 32)
        return services.collect(actor, request, token, {"id_number": applicant_id(request)})
    if action == "cancel":
        return services.cancel(actor, request, "申请人放弃办理")
    if action == "return":
        return services.return_card(actor, request, "逾期未领取")
    raise AssertionError(f"unknown action {action}")


def events_of(request: ReissueRequest) -> list[RequestEvent]:
    return list(db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                                   .order_by(RequestEvent.id)))


def audit_of(number: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "reissue_request",
                                                            AuditEntry.object_id == number)
                                   .order_by(AuditEntry.seq)))


# --- history for the risk windows ---------------------------------------------------------------------------

def history(actor, *, applicant=None, status="collected", days_ago=1, **body) -> ReissueRequest:
    """An earlier request: taken in through the service, then moved to ``status`` and ``days_ago`` into the
    past directly in the database (the services cannot backdate, and a closed state frees the applicant)."""
    request = new_request(actor, applicant=applicant, **body)
    db.session.execute(
        update(ReissueRequest).where(ReissueRequest.id == request.id)
        .values(status=status, created_at=utcnow() - timedelta(days=days_ago))
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    return request


def fresh_person(**extra) -> dict:
    return person(id_number=make_id(), phone=make_phone(), **extra)
