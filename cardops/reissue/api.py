"""Reissue endpoints of the API (SPEC §9). Thin: parse → load in scope → service → commit → request object."""

from __future__ import annotations

from flask import request as http

from cardops.api.core import api_blueprint, json_body, json_ok
from cardops.core.access import current_actor, roles_required
from cardops.core.pagination import paginate, parse_page_args
from cardops.extensions import db
from cardops.reissue import services
from cardops.reissue.queries import RequestFilters, get_request_or_404, list_requests
from cardops.reissue.serializers import request_to_dict

bp = api_blueprint("reissue_api", __name__, "/requests")
staff_required = roles_required("clerk", "supervisor")


def _answer(number: str, status: int = 200):
    actor = current_actor()
    db.session.commit()
    return json_ok(request_to_dict(get_request_or_404(actor, number), actor), status)


@bp.post("")
@staff_required
def create():
    request = services.intake(current_actor(), json_body())
    return _answer(request.number, 201)


@bp.get("")
@staff_required
def index():
    actor = current_actor()
    page, per_page = parse_page_args(http.args)
    listing = paginate(list_requests(actor, RequestFilters.from_args(http.args)), page, per_page)
    return json_ok({"items": [request_to_dict(r, actor) for r in listing.items], "page": listing.page,
                    "per_page": listing.per_page, "total": listing.total})


@bp.get("/<number>")
@staff_required
def detail(number: str):
    actor = current_actor()
    return json_ok(request_to_dict(get_request_or_404(actor, number), actor))


@bp.post("/<number>/checks")
@staff_required
def record_check(number: str):
    actor = current_actor()
    body = json_body()
    services.record_check(actor, get_request_or_404(actor, number), body, expected_version=body.get("version"))
    return _answer(number)


@bp.post("/<number>/submit")
@staff_required
def submit(number: str):
    actor = current_actor()
    body = json_body()
    went_to_review = services.submit(actor, get_request_or_404(actor, number), expected_version=body.get("version"))
    return _answer(number, 202 if went_to_review else 200)


@bp.post("/<number>/review")
@staff_required
def review(number: str):
    actor = current_actor()
    body = json_body()
    services.review(actor, get_request_or_404(actor, number), body.get("decision"), body.get("reason"),
                    expected_version=body.get("version"))
    return _answer(number)


@bp.post("/<number>/arrive")
@staff_required
def arrive(number: str):
    actor = current_actor()
    body = json_body()
    services.arrive(actor, get_request_or_404(actor, number), body.get("card_number"),
                    expected_version=body.get("version"))
    return _answer(number)


@bp.post("/<number>/collect")
@staff_required
def collect(number: str):
    actor = current_actor()
    body = json_body()
    services.collect(actor, get_request_or_404(actor, number), body.get("pickup_token"), body.get("collector"),
                     expected_version=body.get("version"))
    return _answer(number)


@bp.post("/<number>/cancel")
@staff_required
def cancel(number: str):
    return _close(number, "cancel")


@bp.post("/<number>/return")
@staff_required
def return_card(number: str):
    return _close(number, "return")


def _close(number: str, action: str):
    actor = current_actor()
    body = json_body()
    services.ACTIONS_WITH_REASON[action](actor, get_request_or_404(actor, number), body.get("reason"),
                                         expected_version=body.get("version"))
    return _answer(number)
