"""The figures in the API (SPEC §8): ``GET /api/v1/stats/outlets`` and its ``.xlsx`` and ``.csv`` exports, the
same parameters, the same service, the same outlet scope (a clerk asking for another outlet: 404)."""

from __future__ import annotations

from flask import request

from cardops.core.access import current_actor, roles_required
from cardops.core.api import api_blueprint, json_ok
from cardops.dashboard.exports import export_response
from cardops.dashboard.figures import outlet_stats
from cardops.dashboard.periods import parse_period

bp = api_blueprint("dashboard_api", __name__)
staff_required = roles_required("clerk", "supervisor")


def _stats():
    period = parse_period(request.args)  # 400 before any look-up
    return outlet_stats(current_actor(), period, (request.args.get("outlet_code") or "").strip() or None)


@bp.get("/stats/outlets")
@staff_required
def outlets():
    return json_ok(_stats().to_dict())


@bp.get("/stats/outlets.xlsx")
@staff_required
def outlets_xlsx():
    return export_response(current_actor(), _stats(), "xlsx")


@bp.get("/stats/outlets.csv")
@staff_required
def outlets_csv():
    return export_response(current_actor(), _stats(), "csv")
