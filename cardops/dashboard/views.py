"""The supervision dashboard page (督导看板, SPEC §8) and its exports, for signed-in staff: the same figures
service as the API, the same outlet scope (a supervisor sees every outlet, a clerk their own; another outlet's
code is a 404)."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request

from cardops.core.access import current_actor, roles_required
from cardops.core.errors import ValidationError
from cardops.core.timeutil import local_today
from cardops.dashboard.charts import all_charts, short_name
from cardops.dashboard.exports import export_response
from cardops.dashboard.figures import PERCENTILES, STAGE_LABELS, outlet_stats, requests_by_day
from cardops.dashboard.links import Drill
from cardops.dashboard.periods import PRESET_LABELS, PRESETS, page_period
from cardops.outlets.services import all_outlets

bp = Blueprint("dashboard", __name__)
staff_required = roles_required("clerk", "supervisor")


def _outlet_code() -> str | None:
    return (request.args.get("outlet_code") or "").strip().upper() or None


@bp.route("/dashboard")
@staff_required
def index():
    actor = current_actor()
    today = local_today()
    context = {"presets": {name: PRESET_LABELS[name] for name in PRESETS}, "outlet_code": _outlet_code(),
               "outlets": all_outlets() if actor.is_supervisor else [], "args": request.args}
    try:
        period = page_period(request.args, today)
    except ValidationError as error:
        return render_template("dashboard/index.html", error=error, stats=None, **context), 400
    stats = outlet_stats(actor, period, context["outlet_code"])
    drill = Drill(period)
    charts = all_charts(stats, requests_by_day(actor, stats), drill, today)
    return render_template(
        "dashboard/index.html", error=None, stats=stats, period=period, drill=drill, stages=STAGE_LABELS,
        percentiles=PERCENTILES, short_name=short_name, today=today,
        totals_code=stats.rows[0]["outlet_code"] if stats.single_outlet and stats.rows else None,
        charts={name: json.dumps(spec, ensure_ascii=False, separators=(",", ":")) for name, spec in charts.items()},
        **context)


@bp.route("/dashboard/outlets.<any(xlsx, csv):fmt>")
@staff_required
def export(fmt: str):
    actor = current_actor()
    period = page_period(request.args, local_today())
    return export_response(actor, outlet_stats(actor, period, _outlet_code()), fmt)
