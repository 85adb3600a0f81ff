"""Pages without sign-in: the receipt's verification page (the QR code opens it) and the status look-up.
They show the number, status and outlet only — never personal data."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from cardops.core.access import current_actor
from cardops.core.errors import NotFound, ValidationError
from cardops.core.forms import show_error_on_form
from cardops.extensions import db
from cardops.reissue import pickup
from cardops.reissue.forms import StatusLookupForm
from cardops.reissue.models import ReissueRequest
from cardops.reissue.permissions import refusal
from cardops.reissue.public_api import lookup_status, status_rate_limit

bp = Blueprint("reissue_public", __name__)


def _genuine_request(token: str) -> ReissueRequest | None:
    """The request a receipt token belongs to, when the token is genuine and still the request's own."""
    payload = pickup.read_token(token)
    if payload is None:
        return None
    found = db.session.scalars(select(ReissueRequest).where(ReissueRequest.number == payload[0])).first()
    if found is None or not pickup.token_matches(found, token):
        return None
    return found


@bp.route("/verify/<token>")
def verify(token: str):
    found = _genuine_request(token)
    actor = current_actor()
    # Staff of the receipt's own outlet get a shortcut to the pickup form, filled with this token.
    at_its_outlet = bool(found and actor and actor.outlet_id is not None and actor.outlet_id == found.outlet_id
                         and actor.has_role("clerk"))
    can_collect = at_its_outlet and refusal(actor, found, "collect") is None
    return render_template("reissue/verify.html", r=found, token=token, at_its_outlet=at_its_outlet,
                           can_collect=can_collect), 200 if found else 404


@bp.get("/status")
def status():
    return render_template("reissue/status.html", form=StatusLookupForm(formdata=None), result=None,
                           not_found=False)


@bp.errorhandler(429)
def too_many_lookups(error):
    """Over the budget: the look-up page again, saying why, instead of a bare error page."""
    return render_template("reissue/status.html", form=StatusLookupForm(formdata=None), result=None,
                           not_found=False, rate_limited=True), 429


@bp.post("/status")
@status_rate_limit  # the same budget as GET /api/v1/public/status: 10 look-ups a minute per address
def status_lookup():
    form = StatusLookupForm()
    result, not_found = None, False
    if form.validate_on_submit():
        try:
            result = lookup_status(form.number.data, form.id_last4.data)
        except NotFound:
            not_found = True
        except ValidationError as error:
            show_error_on_form(form, error)
    return render_template("reissue/status.html", form=form, result=result, not_found=not_found)
