"""A lost receipt (回执遗失补打), SPEC §3.5: "a reprinted receipt gets a new token and code and the old ones stop
working". Because the receipt is what proves the right to collect, a new one is never printed on one clerk's
word: the holder comes in person with their ID, a clerk of the outlet records the reason, and a supervisor or a
second clerk of the outlet approves (never the one who asked). Approval gives the request a new receipt nonce —
the lost receipt's QR and pickup code stop working at once — and the new receipt is printed. Every step, and
every refusal at the counter, is audited.

    pending ──approve──▶ approved   (new token and code; the old ones are void)
       └─────reject───▶ rejected    (reason required)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from cardops.core import pii
from cardops.core.access import ScopedStatement
from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message, message_data, verbatim
from cardops.core.timeutil import utcnow
from cardops.core.validation import parse_reason
from cardops.extensions import db
from cardops.reissue import pickup
from cardops.reissue.errors import HolderMismatch, ReprintPending
from cardops.reissue.models import ReceiptReprint, ReissueRequest, RequestEvent
from cardops.reissue.permissions import reprint_decision_refusal, reprint_request_refusal
from cardops.reissue.services import _audit, _check_version, _save
from cardops.reissue.validation import parse_collector
from cardops.reissue.workflow import Channel

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
REPRINT_LABELS = {PENDING: N_("待批准"), APPROVED: N_("已批准"), REJECTED: N_("未批准")}
REPRINT_BADGES = {PENDING: "warn", APPROVED: "ok", REJECTED: "muted"}
# The decisions and what they lead to: the flow as data (the page's buttons ask the same table).
DECISIONS = {"approve": APPROVED, "reject": REJECTED}
HOLDER_WORDS = {"applicant": N_("申请人本人"), "agent": N_("代办人")}


# The reprints waiting for a second person (the review page, every time it opens): written once, in each scope.
WAITING = ScopedStatement(
    select(ReceiptReprint).join(ReceiptReprint.request).where(ReceiptReprint.status == PENDING)
    .options(contains_eager(ReceiptReprint.request).joinedload(ReissueRequest.outlet))
    .order_by(ReceiptReprint.requested_at).limit(100), ReissueRequest.outlet_id)


def waiting_reprints(actor) -> list[tuple[ReceiptReprint, object]]:
    """Lost-receipt reprints waiting for a second person, in the actor's scope, with why this actor may not decide
    (None: may)."""
    stmt, params = WAITING.for_actor(actor)
    return [(r, reprint_decision_refusal(actor, r.request, r)) for r in db.session.scalars(stmt, params)]


def pending_reprint(request: ReissueRequest) -> ReceiptReprint | None:
    return next((r for r in request.reprints if r.status == PENDING), None)


def _holder_role(request: ReissueRequest, id_number: str) -> str | None:
    id_hash = pii.blind_index(id_number)
    if id_hash == request.applicant_id_hash:
        return "applicant"
    if request.channel == Channel.PROXY and id_hash == request.agent_id_hash:
        return "agent"
    return None


def request_reprint(actor, request: ReissueRequest, data: dict) -> ReceiptReprint:
    """The holder lost the receipt: record why, check that the person at the counter is the applicant (or the
    registered agent), and ask a second person to approve a new receipt."""
    problem = reprint_request_refusal(actor, request)
    if problem is not None:
        raise problem
    if pending_reprint(request) is not None:
        raise ReprintPending()
    errors = {}
    try:
        reason = parse_reason(data.get("reason"), required=True)
    except ValidationError as error:
        errors.update(error.fields)
    try:
        holder = parse_collector(data.get("holder"), field="holder", who=N_("持证人"), name_label=N_("持证人姓名"))
    except ValidationError as error:
        errors.update(error.fields)
    if data.get("id_checked") is not True:
        errors["id_checked"] = N_("请先查验持证人的身份证原件，并在此确认")
    if errors:
        raise ValidationError(N_("提交的信息有误，请按提示修改"), fields=errors)
    role = _holder_role(request, holder.id_number)
    masked = pii.mask_id_number(holder.id_number)
    if role is None:
        _audit("reprint_refused", actor, request, problem="HOLDER_MISMATCH", holder=masked)
        db.session.flush()
        raise HolderMismatch(persist=True)
    reprint = ReceiptReprint(request_id=request.id, status=PENDING, reason=reason, holder_role=role,
                             holder_id_masked=masked, requested_by_id=actor.id, requested_by=actor,
                             requested_at=utcnow())
    try:
        with db.session.begin_nested():  # the partial unique index: one pending reprint per request
            request.reprints.append(reprint)
            db.session.flush()
    except IntegrityError:
        raise ReprintPending() from None
    _audit("reprint_requested", actor, request, reason=reason, holder_role=role, holder=masked)
    return reprint


def decide_reprint(actor, request: ReissueRequest, reprint: ReceiptReprint, decision: str, reason=None, *,
                   expected_version=None) -> None:
    """Approve (the request gets a new receipt: new token and code, the lost ones void) or reject (with a
    reason)."""
    if decision not in DECISIONS:
        raise ValidationError(fields={"decision": N_("请选择：批准或不批准")})
    problem = reprint_decision_refusal(actor, request, reprint)
    if problem is not None:
        raise problem
    _check_version(request, expected_version)
    reason = parse_reason(reason, required=decision == "reject")
    reprint.status = DECISIONS[decision]
    reprint.decided_by_id = actor.id
    reprint.decided_at = utcnow()
    reprint.decision_reason = reason
    request.updated_at = utcnow()  # either way the request's version moves: two deciders cannot both win
    if decision == "approve":
        request.pickup_nonce = pickup.new_nonce()
        _save(request)
        note = Message(N_("回执遗失，原回执和取卡码已作废，补打新回执。理由：%(reason)s"),
                       reason=verbatim(reprint.reason))
        request.events.append(RequestEvent(action="reprint", from_status=request.status, to_status=request.status,
                                           actor_id=actor.id, reason=note, reason_data=message_data(note)))
        _audit("reprint_approved", actor, request, requested_by=reprint.requested_by.username, reason=reason)
    else:
        _save(request)
        _audit("reprint_rejected", actor, request, requested_by=reprint.requested_by.username, reason=reason)
    _save(request)
