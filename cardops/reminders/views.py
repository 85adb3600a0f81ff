"""The pages: every user's notifications; the supervisors' reminder rules and run history.

Thin: load → service → redirect; the request's unit of work commits. A refused change comes back as a DomainError
shown on its form or flashed.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cardops.core.access import current_actor, roles_required
from cardops.core.crontab import CrontabError, parse_crontab
from cardops.core.errors import DomainError
from cardops.core.forms import PostForm, run_for_form, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.pagination import lenient_page_args, paginate
from cardops.core.timeutil import LOCAL_TZ
from cardops.core.transaction import settle
from cardops.extensions import db
from cardops.reminders import notifications, settings
from cardops.reminders.forms import RuleForm, RunForm
from cardops.reminders.models import MailDelivery, RunStatus, RunTrigger
from cardops.reminders.registry import RULES
from cardops.reminders.runs import get_run_or_404, last_runs, notifications_of, parse_as_of, run_rule, runs_query
from cardops.scheduler import lease

bp = Blueprint("reminders", __name__)
signed_in = roles_required()
supervisor_required = roles_required("supervisor")
PREVIEW_RUNS = 5


# --- notifications (everyone) --------------------------------------------------------------------------------

@bp.route("/notifications")
@signed_in
def notifications_page():
    actor = current_actor()
    unread_only = request.args.get("unread") in ("1", "true")
    page, per_page = lenient_page_args(request.args)
    listing = paginate(notifications.own(actor, unread_only=unread_only), page, per_page, bounded=True)
    return render_template("reminders/notifications.html", listing=listing, unread_only=unread_only,
                           unread=notifications.unread_count(actor), post_form=PostForm())


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int):
    if PostForm().validate_on_submit():
        notifications.mark_read(current_actor(), notification_id)
    return redirect(request.referrer if _same_site(request.referrer) else url_for(".notifications_page"))


@bp.post("/notifications/read-all")
@signed_in
def mark_all_read():
    if PostForm().validate_on_submit():
        count = notifications.mark_all_read(current_actor())
        flash(_("已将 %(count)s 条通知标为已读", count=count), "success")
    return redirect(url_for(".notifications_page"))


@bp.get("/notifications/<int:notification_id>/open")
@signed_in
def open_notification(notification_id: int):
    """Opening a notification marks it read and goes to its subject."""
    notification = notifications.mark_read(current_actor(), notification_id)
    link = notification.link or ""
    return redirect(link if link.startswith("/") and not link.startswith("//") else url_for(".notifications_page"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


# --- rules (supervisors) -------------------------------------------------------------------------------------

def _next_runs(schedule: str, count: int = PREVIEW_RUNS) -> list[datetime]:
    try:
        return parse_crontab(schedule).next_runs(datetime.now(LOCAL_TZ), count, LOCAL_TZ)
    except CrontabError:
        return []


def _describe(schedule: str) -> str | None:
    try:
        return parse_crontab(schedule).describe()
    except CrontabError:
        return None


@bp.route("/reminders")
@supervisor_required
def rules():
    all_settings = settings.all_settings()
    return render_template("reminders/rules.html", settings=all_settings,
                           latest=last_runs([s.key for s in all_settings]),
                           next_runs={s.key: _next_runs(s.schedule, 3) for s in all_settings},
                           describe=_describe, leader=lease.state(), post_form=PostForm(), run_form=RunForm())


@bp.route("/reminders/rules/<key>", methods=["GET", "POST"])
@supervisor_required
def rule(key: str):
    setting = settings.setting_of(key)
    form = RuleForm(data={"schedule": setting.schedule, "enabled": setting.enabled})
    preview, status = setting.schedule, 200
    if form.validate_on_submit():
        preview = form.schedule.data
        if form.save.data:
            outcome = run_for_form(form, lambda: settings.update_rule(
                current_actor(), key, {"schedule": form.schedule.data, "enabled": form.enabled.data}))
            if outcome.ok:
                flash(_("已保存“%(name)s”的设置，调度程序将在1分钟内按新设置运行", name=_(setting.rule.name)),
                      "success")
                return redirect(url_for(".rule", key=key))
            status = outcome.status
        else:
            try:
                parse_crontab(preview)
            except CrontabError as error:
                form.schedule.errors = [translate(str(error))]
                status = 400
    recent = paginate(runs_query(key), 1, 10).items
    return render_template("reminders/rule.html", setting=setting, form=form, run_form=RunForm(),
                           preview=preview, next_runs=_next_runs(preview), description=_describe(preview),
                           recent=recent), status


@bp.post("/reminders/rules/<key>/toggle")
@supervisor_required
def toggle(key: str):
    setting = settings.setting_of(key)
    if PostForm().validate_on_submit():
        settings.update_rule(current_actor(), key, {"enabled": not setting.enabled})
        flash(_("已停用“%(name)s”", name=_(setting.rule.name)) if setting.enabled
              else _("已启用“%(name)s”", name=_(setting.rule.name)), "success")
    return redirect(url_for(".rules"))


@bp.post("/reminders/rules/<key>/run")
@supervisor_required
def run_now(key: str):
    setting = settings.setting_of(key)
    form = RunForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请重试"), "error")
        return redirect(url_for(".rule", key=key))
    try:
        run = run_rule(key, as_of=parse_as_of(form.as_of.data), trigger=RunTrigger.MANUAL, actor=current_actor())
    except DomainError as error:
        settle(error)
        show_error_on_form(form, error)
        flash(_("未能运行：%(message)s", message="；".join(form.form_errors + form.as_of.errors)), "error")
        return redirect(url_for(".rule", key=key))
    if run.status == RunStatus.OK:
        flash(_("“%(name)s”已运行，新发通知 %(count)s 条", name=_(setting.rule.name), count=run.notified), "success")
    else:
        flash(_("“%(name)s”运行失败，详见运行记录", name=_(setting.rule.name)), "error")
    return redirect(url_for(".run", run_id=run.id))


# --- runs (supervisors) --------------------------------------------------------------------------------------

@bp.route("/reminders/runs")
@supervisor_required
def runs():
    rule_key = request.args.get("rule") or None
    if RULES.get(rule_key or "") is None:
        rule_key = None
    page, per_page = lenient_page_args(request.args)
    listing = paginate(runs_query(rule_key), page, per_page, bounded=True)
    return render_template("reminders/runs.html", listing=listing, rule_key=rule_key, rules=list(RULES))


@bp.route("/reminders/runs/<int:run_id>")
@supervisor_required
def run(run_id: int):
    found = get_run_or_404(run_id)
    page, per_page = lenient_page_args(request.args, default_per_page=50)
    listing = paginate(notifications_of(found), page, per_page, bounded=True)
    deliveries = {d.notification_id: d for d in db.session.scalars(
        select(MailDelivery).where(MailDelivery.notification_id.in_([n.id for n in listing.items])))}
    return render_template("reminders/run.html", run=found, rule=RULES.get(found.rule), listing=listing,
                           deliveries=deliveries)
