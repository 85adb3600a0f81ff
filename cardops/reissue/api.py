"""Reissue endpoints of the API (SPEC §9). Thin: parse → load in scope → service → the request object; the
request's unit of work commits. The public status look-up needs no token."""

from __future__ import annotations

from flask import request as http

from cardops.core.access import current_actor, roles_required
from cardops.core.api import api_blueprint, json_body, json_ok, json_page, public
from cardops.core.pagination import paged, paginate, parse_page_args
from cardops.reissue import services
from cardops.reissue.idsearch import id_number_hash
from cardops.reissue.public import lookup_status, status_rate_limit
from cardops.reissue.queries import LISTED_REQUEST, RequestFilters, get_request_or_404, requests_query
from cardops.reissue.serializers import request_to_dict

bp = api_blueprint("reissue_api", __name__)
staff_required = roles_required("clerk", "supervisor")


def _answer(request, status: int = 200):
    """The request as written (the session keeps its values after the commit: no second load)."""
    return json_ok(request_to_dict(request, current_actor()), status)


@bp.post("/requests")
@staff_required
def create():
    return _answer(services.intake(current_actor(), json_body()), 201)


@bp.get("/requests")
@staff_required
def index():
    page, per_page = parse_page_args(http.args)
    return _listed(current_actor(), RequestFilters.from_args(http.args), page, per_page)


@bp.post("/requests/search")
@staff_required
def search():
    """The list's filters in a JSON body, plus ``id_number``: a full ID number (the applicant's or the agent's),
    matched by its keyed hash. POST, so the number stays out of URLs and access logs."""
    actor = current_actor()
    body = json_body()
    page, per_page = parse_page_args({k: str(body[k]) for k in ("page", "per_page") if body.get(k) is not None})
    filters = RequestFilters.from_args(body)
    filters.id_hash = id_number_hash(body.get("id_number"))
    return _listed(actor, filters, page, per_page)


def _listed(actor, filters: RequestFilters, page: int, per_page: int):
    query = requests_query(actor, filters)
    listing = paginate(query, page, per_page, rows=paged(query.options(*LISTED_REQUEST)))
    return json_page(listing, lambda r: request_to_dict(r, actor))


@bp.get("/requests/<request_number:number>")
@staff_required
def detail(number: str):
    actor = current_actor()
    return json_ok(request_to_dict(get_request_or_404(actor, number), actor))


def _perform(number: str, operation):
    """Load the request in the caller's scope, run ``operation(actor, request, body, expected_version=…)`` and
    answer with the updated request (202 when the operation says it went to review)."""
    actor = current_actor()
    body = json_body()
    request = get_request_or_404(actor, number)
    went_to_review = operation(actor, request, body, expected_version=body.get("version"))
    return _answer(request, 202 if went_to_review is True else 200)


@bp.post("/requests/<request_number:number>/checks")
@staff_required
def record_check(number: str):
    return _perform(number, services.record_check)


@bp.post("/requests/<request_number:number>/submit")
@staff_required
def submit(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.submit(actor, request, **kw))


@bp.post("/requests/<request_number:number>/review")
@staff_required
def review(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.review(
        actor, request, body.get("decision"), body.get("reason"), **kw))


@bp.post("/requests/<request_number:number>/arrive")
@staff_required
def arrive(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.arrive(
        actor, request, body.get("card_number"), **kw))


@bp.post("/requests/<request_number:number>/collect")
@staff_required
def collect(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.collect(
        actor, request, body.get("pickup_token"), body.get("collector"), pickup_code=body.get("pickup_code"), **kw))


@bp.post("/requests/<request_number:number>/cancel")
@staff_required
def cancel(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.cancel(
        actor, request, body.get("reason"), **kw))


@bp.post("/requests/<request_number:number>/return")
@staff_required
def return_card(number: str):
    return _perform(number, lambda actor, request, body, **kw: services.return_card(
        actor, request, body.get("reason"), **kw))


@bp.get("/public/status")
@public
@status_rate_limit
def public_status():
    return json_ok(lookup_status(http.args.get("number"), http.args.get("id_last4")))
