"""No-login endpoints: the status look-up (number + last 4 ID characters), rate-limited per address."""

from __future__ import annotations

from flask import current_app
from flask import request as http
from sqlalchemy import select

from cardops.api.core import api_blueprint, json_ok, public
from cardops.core.errors import NotFound, ValidationError
from cardops.extensions import db, limiter
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import STATUS_LABELS, Status

bp = api_blueprint("public_api", __name__, "/public")


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
    # Only the columns shown: loading the request object would also load its checks, flags and users.
    found = db.session.execute(
        select(ReissueRequest.number, ReissueRequest.status, Outlet.code, Outlet.name)
        .join(Outlet, Outlet.id == ReissueRequest.outlet_id)
        .where(ReissueRequest.number == number, ReissueRequest.applicant_id_last4 == id_last4)
    ).first()
    if found is None:
        raise NotFound("未找到该申请")
    return {"number": found.number, "status": found.status, "status_label": STATUS_LABELS[Status(found.status)],
            "outlet_code": found.code, "outlet_name": found.name}


@bp.get("/status")
@public
@status_rate_limit
def status():
    return json_ok(lookup_status(http.args.get("number"), http.args.get("id_last4")))
