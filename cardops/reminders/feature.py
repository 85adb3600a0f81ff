"""Compliance reminders (SPEC §7): the rule registry and its runs, notifications in-app and by e-mail, the event
notifications of reviews, and the supervisors' pages. The scheduler (``cardops.scheduler``) runs the rules."""

from __future__ import annotations

from sqlalchemy.orm import undefer

from cardops.auth.models import User
from cardops.core.i18n import N_, _l
from cardops.core.registry import HeaderItem, NavEntry, Vocabulary, contributions
from cardops.reminders import api, audit_words, commands, demo, events, jobs, openapi, rules, views
from cardops.reminders.models import DELIVERY_STATUS_LABELS, RUN_STATUS_LABELS, RUN_TRIGGER_LABELS

EVENT_LABELS = {events.REVIEWED: N_("复核结果"), events.AWAITS_REVIEW: N_("待督导复核")}
WEEKDAY_LABELS = dict(enumerate((N_("星期一"), N_("星期二"), N_("星期三"), N_("星期四"), N_("星期五"), N_("星期六"),
                                 N_("星期日"))))
RUN_STATUS_BADGES = {"ok": "ok", "failed": "danger", "warning": "warn"}
DELIVERY_BADGES = {"pending": "info", "sending": "info", "sent": "ok", "failed": "danger"}


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    audit_words.register(app)
    app.cli.add_command(commands.reminders_cli)
    events.subscribe()
    registered = contributions(app)
    registered.vocabularies.update(
        notification_rule=Vocabulary({**{rule.key: rule.name for rule in rules.RULES}, **EVENT_LABELS}),
        run_status=Vocabulary({**RUN_STATUS_LABELS, "warning": N_("有警告")}, RUN_STATUS_BADGES),
        run_trigger=Vocabulary(RUN_TRIGGER_LABELS),
        delivery_status=Vocabulary(DELIVERY_STATUS_LABELS, DELIVERY_BADGES),
        weekday=Vocabulary(WEEKDAY_LABELS),
    )
    registered.navigation.append(NavEntry(_l("提醒规则"), "reminders.rules", ("supervisor",),
                                          also=("reminders.rule", "reminders.runs", "reminders.run"), order=70))
    registered.header_items.append(HeaderItem("reminders/_bell.html",
                                              context=lambda actor: {"unread": actor.unread_notifications}))
    registered.session_user_loads.append(undefer(User.unread_notifications))
    registered.jobs.append(jobs.mail_job(app))
    registered.job_sources.append(jobs.rule_jobs)
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
    registered.demo_seeders.append(demo.plan_demo_runs)
