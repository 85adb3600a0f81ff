"""The JSON API of SPEC §7: reminder rules and runs (supervisors), and each user's own notifications."""

from __future__ import annotations

from flask import request as http

from cardops.core.access import current_actor, roles_required
from cardops.core.api import api_blueprint, json_body, json_ok, json_page
from cardops.core.errors import ValidationError
from cardops.core.pagination import paginate, parse_page_args
from cardops.extensions import db
from cardops.reminders import notifications, settings
from cardops.reminders.models import ReminderRun, RunTrigger
from cardops.reminders.runs import (
    get_run_or_404,
    last_runs,
    notifications_of,
    parse_as_of,
    run_rule,
    run_to_dict,
    runs_query,
)
from cardops.reminders.settings import RuleSetting

bp = api_blueprint("reminders_api", __name__)
supervisor_required = roles_required("supervisor")
signed_in = roles_required()


def rule_to_dict(setting: RuleSetting, last_run: ReminderRun | None) -> dict:
    return {"key": setting.key, "name": setting.rule.name, "enabled": setting.enabled, "schedule": setting.schedule,
            "default_schedule": setting.rule.schedule, "last_run": run_to_dict(last_run) if last_run else None}


# --- rules and runs ------------------------------------------------------------------------------------------

@bp.get("/reminder-rules")
@supervisor_required
def rules():
    all_settings = settings.all_settings()
    latest = last_runs([s.key for s in all_settings])
    return json_ok([rule_to_dict(s, latest.get(s.key)) for s in all_settings])


@bp.patch("/reminder-rules/<key>")
@supervisor_required
def update_rule(key: str):
    setting = settings.update_rule(current_actor(), key, json_body())
    return json_ok(rule_to_dict(setting, last_runs([key]).get(key)))


@bp.post("/reminder-rules/<key>/run")
@supervisor_required
def run_now(key: str):
    settings.rule_or_404(key)
    as_of = parse_as_of(json_body().get("as_of"))
    run = run_rule(key, as_of=as_of, trigger=RunTrigger.MANUAL, actor=current_actor())
    return json_ok(run_to_dict(run))


@bp.get("/reminder-runs")
@supervisor_required
def runs():
    page, per_page = parse_page_args(http.args)
    stmt = runs_query((http.args.get("rule") or "").strip() or None)
    return json_page(paginate(stmt, page, per_page), run_to_dict)


@bp.get("/reminder-runs/<int:run_id>")
@supervisor_required
def run_detail(run_id: int):
    run = get_run_or_404(run_id)
    body = run_to_dict(run)
    body["notifications"] = [
        {"id": n.id, "username": n.user.username, "subject": n.subject, "period": n.period, "title": n.title}
        for n in db.session.scalars(notifications_of(run))]
    return json_ok(body)


# --- the caller's own notifications ------------------------------------------------------------------------

@bp.get("/notifications")
@signed_in
def my_notifications():
    actor = current_actor()
    unread = (http.args.get("unread") or "").strip().lower()
    if unread not in ("", "true", "false", "1", "0"):
        raise ValidationError(fields={"unread": "unread 应为 true 或 false"})
    page, per_page = parse_page_args(http.args)
    listing = paginate(notifications.own(actor, unread_only=unread in ("true", "1")), page, per_page)
    return json_ok({"items": [notifications.notification_to_dict(n) for n in listing.items], "page": listing.page,
                    "per_page": listing.per_page, "total": listing.total,
                    "unread": notifications.unread_count(actor)})


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def read(notification_id: int):
    return json_ok(notifications.notification_to_dict(notifications.mark_read(current_actor(), notification_id)))


@bp.post("/notifications/read-all")
@signed_in
def read_all():
    notifications.mark_all_read(current_actor())
    return json_ok({"unread": 0})
