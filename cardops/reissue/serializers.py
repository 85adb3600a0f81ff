"""The request object of SPEC §9. Only masked personal data; the pickup token and code only for its outlet's
staff."""

from __future__ import annotations

from cardops.core.timeutil import isoformat_utc
from cardops.reissue import pickup
from cardops.reissue.models import ReissueRequest
from cardops.reissue.permissions import sees_pickup_token


def _username(user) -> str | None:
    return user.username if user is not None else None


def request_to_dict(request: ReissueRequest, actor) -> dict:
    receipt_visible = sees_pickup_token(actor, request)
    agent = None
    if request.agent_id_hash:
        agent = {
            "name": request.agent_name,
            "id_number_masked": request.agent_id_masked,
            "phone_masked": request.agent_phone_masked,
            "relation": request.agent_relation,
            "reason": request.agent_reason,
        }
    return {
        "number": request.number,
        "outlet_code": request.outlet.code,
        "kind": request.kind,
        "channel": request.channel,
        "status": request.status,
        "version": request.version,
        "applicant": {
            "name": request.applicant_name,
            "id_number_masked": request.applicant_id_masked,
            "phone_masked": request.applicant_phone_masked,
        },
        "agent": agent,
        "note": request.note,
        "risk": {
            "level": request.risk_level,
            "flags": [{"code": f.code, "level": f.level, "reason": f.reason} for f in request.flags],
        },
        "required_checks": [str(step) for step in request.required_checks],
        "missing_checks": [str(step) for step in request.missing_checks],
        "checks": [
            {"step": c.step, "result": c.result, "detail": c.detail, "score": c.score,
             "by": c.by.username, "at": isoformat_utc(c.at)}
            for c in request.checks
        ],
        "review": {
            "required": request.review_level_needed is not None,
            "level": request.review_level_needed or request.review_level,
            "decision": request.review_decision,
            "by": _username(request.reviewed_by),
            "at": isoformat_utc(request.reviewed_at),
            "reason": request.review_reason,
        },
        "pickup_token": pickup.request_token(request) if receipt_visible else None,
        "pickup_code": pickup.request_code(request) if receipt_visible else None,
        "card_number": request.card_number,
        "expected_date": request.expected_date.isoformat() if request.expected_date else None,
        "collector": ({"name": request.collector_name, "role": request.collector_role}
                      if request.collected_at else None),
        "closed_reason": request.closed_reason,
        "created_by": request.created_by.username,
        "created_at": isoformat_utc(request.created_at),
        "updated_at": isoformat_utc(request.updated_at),
        "submitted_at": isoformat_utc(request.submitted_at),
        "arrived_at": isoformat_utc(request.arrived_at),
        "collected_at": isoformat_utc(request.collected_at),
        "closed_at": isoformat_utc(request.closed_at),
    }

