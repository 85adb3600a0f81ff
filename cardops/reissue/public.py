"""What anyone may ask without signing in: a request's status (number + last 4 ID characters, rate-limited per
client address) and whether a receipt is genuine. The answers carry the number, status and outlet only."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from cardops.core.errors import NotFound, ValidationError
from cardops.extensions import db, limiter
from cardops.outlets.models import Outlet
from cardops.reissue import pickup
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import STATUS_LABELS, Status


def public_status_limit() -> str:
    return current_app.config["PUBLIC_STATUS_RATE_LIMIT"]


# One budget shared by the API and the HTML status page: 10 look-ups a minute per client address.
status_rate_limit = limiter.shared_limit(public_status_limit, scope="public-status")


def lookup_status(number: str | None, id_last4: str | None) -> dict:
    number = (number or "").strip().upper()
    id_last4 = (id_last4 or "").strip().upper()
    if not number or not id_last4:
        raise ValidationError(fields={k: "必填" for k, v in (("number", number), ("id_last4", id_last4)) if not v})
    if len(number) > 32 or len(id_last4) != 4:
        raise NotFound("未找到该申请")
    found = db.session.execute(
        select(ReissueRequest.number, ReissueRequest.status, Outlet.code, Outlet.name)
        .join(Outlet, Outlet.id == ReissueRequest.outlet_id)
        .where(ReissueRequest.number == number, ReissueRequest.applicant_id_last4 == id_last4)
    ).first()
    if found is None:
        raise NotFound("未找到该申请")
    return {"number": found.number, "status": found.status, "status_label": STATUS_LABELS[Status(found.status)],
            "outlet_code": found.code, "outlet_name": found.name}


def genuine_request(token: str) -> ReissueRequest | None:
    """The request a receipt token belongs to, when the token is genuine and still the request's own."""
    payload = pickup.read_token(token)
    if payload is None:
        return None
    found = db.session.scalars(select(ReissueRequest).where(ReissueRequest.number == payload[0])).first()
    if found is None or not pickup.token_matches(found, token):
        return None
    return found
