"""The scheduler's jobs of this feature: one per enabled rule, on its schedule, and the mail outbox.

``rule_jobs`` is a job source: the scheduler calls it again every ``SCHEDULER_SYNC_SECONDS``, so enabling,
disabling or rescheduling a rule reaches the running scheduler without a restart.
"""

from __future__ import annotations

import logging
from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from cardops.core.registry import Job
from cardops.extensions import db
from cardops.reminders.mail import send_due_mail
from cardops.reminders.models import RunTrigger
from cardops.reminders.runs import run_rule
from cardops.reminders.settings import all_settings, setting_of

log = logging.getLogger("cardops.reminders")

MAIL_JOB = "mail_outbox"


def run_scheduled(key: str) -> None:
    """A rule's scheduled run; disabled since the scheduler last read the rules: nothing. Commits."""
    if not setting_of(key).enabled:
        log.info("reminder rule %s is disabled: scheduled run skipped", key)
        return
    run = run_rule(key, trigger=RunTrigger.SCHEDULE)
    db.session.commit()
    log.info("reminder rule %s: %s, %s notified", key, run.status, run.notified)


def send_mail() -> None:
    done = send_due_mail()
    if done.sent or done.retrying or done.failed:
        log.info("mail: %s sent, %s to retry, %s failed", done.sent, done.retrying, done.failed)


def rule_jobs() -> list[Job]:
    return [Job(s.key, partial(run_scheduled, s.key), s.schedule) for s in all_settings() if s.enabled]


def mail_job(app) -> Job:
    return Job(MAIL_JOB, send_mail, IntervalTrigger(seconds=app.config["MAIL_POLL_SECONDS"]))
