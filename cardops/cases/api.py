"""Case library and selection endpoints of the API (SPEC §6). Thin: parse → load in scope → service → the
whole updated object; the request's unit of work commits."""

from __future__ import annotations

from flask import request as http

from cardops.cases import selection, services
from cardops.cases.queries import CaseFilters, cases_query, get_case_or_404
from cardops.cases.serializers import case_to_dict, round_to_dict, score_to_dict
from cardops.cases.validation import CASE_ID_RULE, YEAR_RULE
from cardops.core.access import current_actor, login_required, roles_required
from cardops.core.api import api_blueprint, json_body, json_ok, json_page
from cardops.core.pagination import paginate, parse_page_args

bp = api_blueprint("cases_api", __name__)
supervisor_required = roles_required("supervisor")


@bp.post("/cases")
@login_required
def create():
    return json_ok(case_to_dict(services.create_case(current_actor(), json_body())), 201)


@bp.get("/cases")
@login_required
def index():
    actor = current_actor()
    page, per_page = parse_page_args(http.args)
    return json_page(paginate(cases_query(actor, CaseFilters.from_args(http.args)), page, per_page), case_to_dict)


@bp.get(f"/cases/{CASE_ID_RULE}")
@login_required
def detail(case_id: int):
    return json_ok(case_to_dict(get_case_or_404(current_actor(), case_id)))


@bp.patch(f"/cases/{CASE_ID_RULE}")
@login_required
def update(case_id: int):
    actor = current_actor()
    body = json_body()
    case = get_case_or_404(actor, case_id)
    services.update_case(actor, case, body, expected_version=body.get("version"))
    return json_ok(case_to_dict(case))


def _act(case_id: int, action: str):
    actor = current_actor()
    body = json_body()
    case = get_case_or_404(actor, case_id)
    services.perform(action, actor, case, body, expected_version=body.get("version"))
    return json_ok(case_to_dict(case))


@bp.post(f"/cases/{CASE_ID_RULE}/submit")
@login_required
def submit(case_id: int):
    return _act(case_id, "submit")


@bp.post(f"/cases/{CASE_ID_RULE}/accept")
@login_required
def accept(case_id: int):
    return _act(case_id, "accept")


@bp.post(f"/cases/{CASE_ID_RULE}/return")
@login_required
def return_case(case_id: int):
    return _act(case_id, "return")


@bp.post(f"/cases/{CASE_ID_RULE}/nominate")
@login_required
def nominate(case_id: int):
    return _act(case_id, "nominate")


@bp.get(f"/selections/{YEAR_RULE}")
@login_required
def round_detail(year: int):
    return json_ok(round_to_dict(selection.round_view(current_actor(), year)))


@bp.put(f"/selections/{YEAR_RULE}/scores/{CASE_ID_RULE}")
@supervisor_required
def score(year: int, case_id: int):
    actor = current_actor()
    body = json_body()
    case = get_case_or_404(actor, case_id)
    return json_ok(score_to_dict(selection.score_case(actor, year, case, body), year))


@bp.post(f"/selections/{YEAR_RULE}/finalise")
@supervisor_required
def finalise(year: int):
    actor = current_actor()
    selection.finalise(actor, year)
    return json_ok(round_to_dict(selection.round_view(actor, year)))
