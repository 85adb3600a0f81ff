"""The reissue operations (SPEC §3). Each takes the acting user and the request, checks the state machine
and permissions, changes the request, re-evaluates risk where the SPEC says so, writes the timeline and the
audit chain, and flushes. Committing is the caller's job (one commit per web request, CLI command or job).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from cardops.audit import services as audit
from cardops.auth import services as accounts
from cardops.core import pii
from cardops.core.errors import Forbidden, ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message, message_data, verbatim
from cardops.core.timeutil import local_today, utcnow
from cardops.core.validation import parse_reason
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import outlet_by_code
from cardops.reissue import pickup
from cardops.reissue.errors import (
    CheckNotApplicable,
    ChecksIncomplete,
    CollectorMismatch,
    ConcurrentUpdate,
    OpenRequestExists,
    PickupTokenInvalid,
    ReauthenticationRequired,
)
from cardops.reissue.models import ReissueRequest, RequestCheck, RequestEvent, RiskFlag
from cardops.reissue.numbers import next_number
from cardops.reissue.permissions import ensure_allowed
from cardops.reissue.rules import RULES
from cardops.reissue.signals import request_awaits_review, request_reviewed
from cardops.reissue.validation import parse_check, parse_collector, parse_intake
from cardops.reissue.workflow import (
    OPEN_STATUSES,
    STEP_LABELS,
    SUBMIT_FOR_REVIEW_TARGET,
    Channel,
    ReviewLevel,
    Status,
    applicable_steps,
    review_level_needed,
    transition,
)
from cardops.risk.registry import RiskContext, RiskLevel, highest_level

# --- helpers -----------------------------------------------------------------------------------------------

def _audit(action: str, actor, request: ReissueRequest, **detail) -> None:
    audit.record(f"reissue.{action}", actor=actor, object_type="reissue_request", object_id=request.number,
                 outlet_id=request.outlet_id, detail={k: v for k, v in detail.items() if v is not None})


def _move(actor, request: ReissueRequest, action: str, target: Status, reason: str | None = None) -> None:
    previous = request.status
    request.status = target
    request.updated_at = request.status_changed_at = utcnow()
    # Take the optimistic lock now: loading the events or writing the audit entry would flush this change
    # anyway, and a StaleDataError raised there would escape as a 500 instead of a 409.
    _save(request)
    request.events.append(RequestEvent(action=action, from_status=previous, to_status=target,
                                       actor_id=actor.id, reason=reason, reason_data=message_data(reason)))
    _audit(action, actor, request, **{"from": previous, "to": str(target), "reason": reason})


def _save(request: ReissueRequest) -> None:
    """Flush with the optimistic lock: a concurrent change to the same request makes this one lose."""
    try:
        db.session.flush()
    except StaleDataError:
        raise ConcurrentUpdate() from None


def _check_version(request: ReissueRequest, expected_version) -> None:
    if expected_version in (None, ""):
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError(fields={"version": N_("version 应为整数")}) from None
    if expected != request.version:
        raise ConcurrentUpdate()


def risk_context() -> RiskContext:
    return RiskContext(now=utcnow(), config=current_app.config)


def evaluate_risk(request: ReissueRequest) -> RiskLevel:
    """Run every rule and bring the request's flags and level in line with what fires now."""
    findings = RULES.evaluate(request, risk_context())
    current = {flag.code: flag for flag in request.flags}
    fired = {finding.code for finding in findings}
    for finding in findings:
        flag = current.get(finding.code)
        data = message_data(finding.reason)
        if flag is None:
            request.flags.append(RiskFlag(code=finding.code, level=finding.level, reason=finding.reason,
                                          reason_data=data))
        elif (flag.level, flag.reason, flag.reason_data) != (finding.level, finding.reason, data):
            flag.level, flag.reason, flag.reason_data = finding.level, finding.reason, data
    for code, flag in current.items():
        if code not in fired:
            request.flags.remove(flag)
    level = highest_level(findings)
    request.risk_level = level
    return level


def _mark_submitted(actor, request: ReissueRequest, action: str, reason: str | None = None) -> None:
    request.pickup_nonce = pickup.new_nonce()
    request.submitted_at = utcnow()
    request.expected_date = local_today() + timedelta(days=current_app.config["CARD_PRODUCTION_DAYS"])
    _move(actor, request, action, Status.SUBMITTED, reason)


def _ensure_checks_complete(request: ReissueRequest) -> None:
    missing = request.missing_checks
    if missing:
        raise ChecksIncomplete(missing_checks=[str(step) for step in missing])


# --- intake ------------------------------------------------------------------------------------------------

def _intake_outlet(actor, outlet_code: str | None) -> Outlet:
    if actor.is_supervisor:
        outlet = outlet_by_code(outlet_code)
        if outlet is None or not outlet.active:
            raise ValidationError(fields={"outlet_code": N_("请指定受理网点（有效的网点代码）")})
        return outlet
    if not actor.has_role("clerk") or actor.outlet is None:
        raise Forbidden(N_("只有窗口受理员或督导可以受理申请"))
    if not actor.outlet.active:
        raise Forbidden(N_("本网点已停用，不能受理新申请"))
    return actor.outlet


# Where the applicant already has an open request (every intake asks): written once, the person a named parameter.
OPEN_REQUEST_OF = (select(Outlet.code, Outlet.name).join(ReissueRequest, ReissueRequest.outlet_id == Outlet.id)
                   .where(ReissueRequest.applicant_id_hash == bindparam("id_hash"),
                          ReissueRequest.status.in_(OPEN_STATUSES)).limit(1))


def _open_request_refusal(id_hash: str) -> OpenRequestExists | None:
    open_one = db.session.execute(OPEN_REQUEST_OF, {"id_hash": id_hash}).first()
    if open_one is None:
        return None
    return OpenRequestExists(Message(N_("该申请人在%(code)s（%(name)s）已有一笔未办结的申请，不能重复受理"),
                                     code=verbatim(open_one.code), name=verbatim(open_one.name)),
                             outlet_code=open_one.code)


def intake(actor, data: dict) -> ReissueRequest:
    """Create a request (status ``intake``) and evaluate its risk."""
    parsed = parse_intake(data)
    outlet = _intake_outlet(actor, parsed.outlet_code)
    applicant, agent = parsed.applicant, parsed.agent
    applicant_hash = pii.blind_index(applicant.id_number)
    refusal = _open_request_refusal(applicant_hash)
    if refusal is not None:
        raise refusal

    request = ReissueRequest(
        number=next_number(outlet, local_today()),
        outlet_id=outlet.id,
        kind=parsed.kind,
        channel=parsed.channel,
        status=Status.INTAKE,
        applicant_name=applicant.name,
        applicant_id_enc=pii.encrypt(applicant.id_number),
        applicant_id_hash=applicant_hash,
        applicant_id_masked=pii.mask_id_number(applicant.id_number),
        applicant_id_last4=applicant.id_number[-4:],
        applicant_phone_enc=pii.encrypt(applicant.phone),
        applicant_phone_hash=pii.blind_index(applicant.phone),
        applicant_phone_masked=pii.mask_phone(applicant.phone),
        note=parsed.note,
        created_by_id=actor.id,
        created_at=utcnow(),
        status_changed_at=utcnow(),
        checks=[],  # known empty: the risk rules read them without a query
        flags=[],
    )
    if parsed.channel == Channel.PROXY:
        request.agent_name = agent.name
        request.agent_id_enc = pii.encrypt(agent.id_number)
        request.agent_id_hash = pii.blind_index(agent.id_number)
        request.agent_id_masked = pii.mask_id_number(agent.id_number)
        request.agent_phone_enc = pii.encrypt(agent.phone)
        request.agent_phone_hash = pii.blind_index(agent.phone)
        request.agent_phone_masked = pii.mask_phone(agent.phone)
        request.agent_relation = agent.relation
        request.agent_reason = agent.reason
    request.outlet = outlet
    request.events.append(RequestEvent(action="intake", from_status=None, to_status=Status.INTAKE,
                                       actor_id=actor.id))
    try:
        # Add inside the savepoint: begin_nested() flushes whatever is pending *before* the SAVEPOINT, and an
        # INSERT failing out there would roll back the whole transaction instead of just this attempt.
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        # Another counter accepted the same applicant a moment ago: the partial unique index said no.
        raise _open_request_refusal(applicant_hash) or OpenRequestExists() from None
    level = evaluate_risk(request)
    _audit("intake", actor, request, kind=str(parsed.kind), channel=str(parsed.channel),
           applicant=request.applicant_id_masked, agent=request.agent_id_masked, risk=str(level))
    db.session.flush()
    return request


# --- checks ------------------------------------------------------------------------------------------------

def record_check(actor, request: ReissueRequest, data: dict, *, expected_version=None) -> RequestCheck:
    ensure_allowed(actor, request, "check")
    parsed = parse_check(data)
    if parsed.step not in applicable_steps(kind=request.kind, channel=request.channel):
        raise CheckNotApplicable(Message(N_("“%(step)s”不适用于此申请"), step=STEP_LABELS[parsed.step]))
    _check_version(request, expected_version)
    check = RequestCheck(step=parsed.step, result=parsed.result, detail=parsed.detail, score=parsed.score,
                         by_id=actor.id, by=actor, at=utcnow())
    request.checks.append(check)
    request.updated_at = utcnow()
    _save(request)  # before the risk queries autoflush it: a concurrent change must be a 409, not a 500
    before = request.risk_level
    level = evaluate_risk(request)
    _audit("check", actor, request, step=str(parsed.step), result=parsed.result, score=parsed.score,
           risk=str(level) if level != before else None)
    _save(request)
    if level != before and request.status == Status.PENDING_REVIEW:
        request_awaits_review.send(request, actor=actor)  # now perhaps waiting for someone else
    return check


# --- transitions -------------------------------------------------------------------------------------------

def submit(actor, request: ReissueRequest, *, expected_version=None) -> bool:
    """Submit for production. Returns True when it went to ``pending_review`` (HTTP 202) instead."""
    ensure_allowed(actor, request, "submit")
    _check_version(request, expected_version)
    # Once more before the card goes to production: a watchlist entry added since the last check still counts.
    evaluate_risk(request)
    _ensure_checks_complete(request)
    if not request.review_satisfied:
        _move(actor, request, "submit", SUBMIT_FOR_REVIEW_TARGET)
        _save(request)
        request_awaits_review.send(request, actor=actor)
        return True
    _mark_submitted(actor, request, "submit")
    _save(request)
    return False


def needs_reauthentication(actor, request: ReissueRequest) -> bool:
    """In the web UI a supervisor approving a high-risk request re-enters their password (SPEC §3.4)."""
    return actor.is_supervisor and request.risk_level == RiskLevel.HIGH


def _confirm_identity(actor, password) -> None:
    """A wrong password is audited and counts towards the lockout like a failed sign-in: that much stays."""
    if not accounts.confirm_password(actor, password):
        raise ReauthenticationRequired(fields={"password": N_("密码不正确，请重新输入您的登录密码")}, persist=True)


def review(actor, request: ReissueRequest, decision: str, reason: str | None = None, *,
           expected_version=None, password: str | None = None, reauthenticate: bool = False) -> None:
    """Approve or reject. ``reauthenticate`` (the web UI): a high-risk approval needs the reviewer's
    ``password``."""
    if decision in (None, ""):
        raise ValidationError(fields={"decision": N_("请选择复核结论：通过或驳回")})
    if decision not in ("approve", "reject"):  # only the API can send another value: it is told the codes
        raise ValidationError(fields={"decision": N_("复核结论应为 approve（通过）或 reject（驳回）")})
    ensure_allowed(actor, request, decision)
    _check_version(request, expected_version)
    reason = parse_reason(reason, required=decision == "reject")
    if decision == "approve":
        confirmed = False
        if reauthenticate and needs_reauthentication(actor, request):
            _confirm_identity(actor, password)
            confirmed = True
        # The risk may have risen since submission (e.g. a new watchlist entry): re-evaluate, and check again
        # that this reviewer may approve at the new level, before touching the request.
        evaluate_risk(request)
        ensure_allowed(actor, request, decision)
        if reauthenticate and needs_reauthentication(actor, request) and not confirmed:
            raise ReauthenticationRequired(fields={"password": ReauthenticationRequired.default_message})
        _ensure_checks_complete(request)
    request.review_decision = decision
    request.review_level = review_level_needed(request.risk_level) or ReviewLevel.OUTLET
    request.reviewed_by_id = actor.id
    request.reviewed_by = actor
    request.reviewed_at = utcnow()
    request.review_reason = reason
    if decision == "approve":
        _mark_submitted(actor, request, "approve", reason)
    else:
        request.closed_at = utcnow()
        request.closed_reason = reason
        _move(actor, request, "reject", transition("reject").target, reason)
    _save(request)
    request_reviewed.send(request, actor=actor, decision=decision, reason=reason)


def arrive(actor, request: ReissueRequest, card_number: str | None = None, *, expected_version=None) -> None:
    ensure_allowed(actor, request, "arrive")
    _check_version(request, expected_version)
    if card_number is not None and (not isinstance(card_number, str) or len(card_number.strip()) > 32):
        raise ValidationError(fields={"card_number": N_("卡号不能超过32个字符")})
    request.card_number = card_number.strip() if card_number else request.card_number
    request.arrived_at = utcnow()
    _move(actor, request, "arrive", Status.READY)
    _save(request)


def collect(actor, request: ReissueRequest, pickup_token, collector, *, expected_version=None,
            pickup_code=None) -> None:
    """Hand the card over. The receipt proves itself by its token (the QR) or its short pickup code (取卡码)."""
    ensure_allowed(actor, request, "collect")
    _check_version(request, expected_version)
    person = parse_collector(collector)
    if not pickup.receipt_matches(request, token=pickup_token, code=pickup_code):
        _audit("collect_refused", actor, request, problem="PICKUP_TOKEN_INVALID",
               via="code" if pickup_code and not pickup_token else "token")
        db.session.flush()
        raise PickupTokenInvalid(persist=True)
    collector_hash = pii.blind_index(person.id_number)
    if collector_hash == request.applicant_id_hash:
        role = "applicant"
    elif request.channel == Channel.PROXY and collector_hash == request.agent_id_hash:
        role = "agent"
    else:
        _audit("collect_refused", actor, request, problem="COLLECTOR_MISMATCH",
               collector=pii.mask_id_number(person.id_number))
        db.session.flush()
        raise CollectorMismatch(persist=True)
    request.collector_name = person.name or (request.applicant_name if role == "applicant" else request.agent_name)
    request.collector_role = role
    request.collected_at = utcnow()
    _move(actor, request, "collect", Status.COLLECTED,
          Message(N_("领取人：%(who)s"), who=N_("申请人本人") if role == "applicant" else N_("代办人")))
    _save(request)


def cancel(actor, request: ReissueRequest, reason, *, expected_version=None) -> None:
    _close(actor, request, "cancel", reason, expected_version)


def return_card(actor, request: ReissueRequest, reason, *, expected_version=None) -> None:
    _close(actor, request, "return", reason, expected_version)


def _close(actor, request, action: str, reason, expected_version) -> None:
    ensure_allowed(actor, request, action)
    _check_version(request, expected_version)
    reason = parse_reason(reason, required=True)
    request.closed_at = utcnow()
    request.closed_reason = reason
    _move(actor, request, action, transition(action).target, reason)
    _save(request)


ACTIONS_WITH_REASON = {"cancel": cancel, "return": return_card}
