"""Training endpoints of the API (SPEC §5): the roster, the sessions and the year's summary. Thin: parse → load in
scope → service → the object; the request's unit of work commits."""

from __future__ import annotations

from flask import request as http

from cardops.core.access import current_actor, login_required, roles_required
from cardops.core.api import api_blueprint, json_body, json_ok, json_page
from cardops.core.pagination import MAX_PER_PAGE, paginate, parse_page_args
from cardops.core.timeutil import local_today
from cardops.training import roster, services
from cardops.training.queries import (
    RosterFilters,
    SessionFilters,
    get_session_or_404,
    get_trainer_or_404,
    parse_year,
    roster_query,
    sessions_led,
    sessions_query,
)
from cardops.training.serializers import session_to_dict, trainer_to_dict
from cardops.training.summary import training_summary

bp = api_blueprint("training_api", __name__)
supervisor_required = roles_required("supervisor")
# Outlet staff and supervisors; another outlet's session is then "not found", whoever asks.
staff_required = roles_required("clerk", "trainer", "supervisor")


def _trainer_answer(entry, status: int = 200):
    today = local_today()
    led = sessions_led([entry.user_id], today.year).get(entry.user_id, 0)
    return json_ok(trainer_to_dict(entry, led, today), status)


@bp.get("/trainers")
@login_required
def trainers():
    filters = RosterFilters.from_args(http.args)
    page, per_page = parse_page_args(http.args, default_per_page=MAX_PER_PAGE)
    listing = paginate(roster_query(filters), page, per_page)
    today = local_today()
    led = sessions_led([entry.user_id for entry in listing.items], today.year)
    return json_page(listing, lambda entry: trainer_to_dict(entry, led.get(entry.user_id, 0), today))


@bp.post("/trainers")
@supervisor_required
def appoint():
    return _trainer_answer(roster.appoint(current_actor(), json_body()), 201)


@bp.get("/trainers/<int:trainer_id>")
@login_required
def trainer(trainer_id: int):
    return _trainer_answer(get_trainer_or_404(trainer_id))


@bp.patch("/trainers/<int:trainer_id>")
@supervisor_required
def update_trainer(trainer_id: int):
    body = json_body()
    return _trainer_answer(roster.update_trainer(current_actor(), get_trainer_or_404(trainer_id), body))


@bp.get("/training-sessions")
@staff_required
def sessions():
    page, per_page = parse_page_args(http.args)
    listing = paginate(sessions_query(current_actor(), SessionFilters.from_args(http.args)), page, per_page)
    return json_page(listing, session_to_dict)


@bp.post("/training-sessions")
@staff_required
def log_session():
    return json_ok(session_to_dict(services.log_session(current_actor(), json_body())), 201)


@bp.get("/training-sessions/<int:session_id>")
@staff_required
def session(session_id: int):
    return json_ok(session_to_dict(get_session_or_404(current_actor(), session_id)))


@bp.patch("/training-sessions/<int:session_id>")
@staff_required
def correct_session(session_id: int):
    actor = current_actor()
    body = json_body()
    found = get_session_or_404(actor, session_id)
    return json_ok(session_to_dict(services.correct_session(actor, found, body)))


@bp.get("/training/summary")
@staff_required
def summary():
    today = local_today()
    year = parse_year(http.args.get("year"), today.year)
    return json_ok(training_summary(current_actor(), year, today).to_dict())
