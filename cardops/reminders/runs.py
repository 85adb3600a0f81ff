"""Running a rule: evaluate it at a moment, notify once, and record the run (SPEC §7's run record).

A rule that raises is recorded as a failed run — its half-done work rolled back to a savepoint — and never stops
another rule. A year the official calendar does not know yet is worked out Monday to Friday and the run records
a warning. Whoever calls commits: the scheduler's job and the CLI at their end, a page or API call with its
request.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time

import chinese_calendar
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cardops.audit import services as audit
from cardops.core.errors import NotFound, ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import LOCAL_TZ, isoformat_utc, utcnow
from cardops.core.workdays import noting_calendar_gaps
from cardops.extensions import db
from cardops.reminders.models import Notification, ReminderRun, RunStatus, RunTrigger
from cardops.reminders.notifications import deliver
from cardops.reminders.registry import RULES, Notice, ReminderRule, RuleContext
from cardops.reminders.settings import rule_or_404

log = logging.getLogger("cardops.reminders")

AS_OF_HOUR = time(9, 0)  # "as at 09:00 local time of that day"
AS_OF_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHUNK = 500
ERROR_LENGTH = 1000
_ID_RUN = re.compile(r"\d{17}[\dXx]")


def as_of_moment(day: date) -> datetime:
    """09:00 local time of ``day``, as naive UTC."""
    return datetime.combine(day, AS_OF_HOUR, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def parse_as_of(value) -> datetime | None:
    """``YYYY-MM-DD`` → 09:00 local time of that day (naive UTC); None or empty → None (now)."""
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or not AS_OF_RE.match(value.strip()):
            raise ValueError
        day = date.fromisoformat(value.strip())
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        raise ValidationError(fields={"as_of": N_("as_of 应为 YYYY-MM-DD 格式的日期，例如 2026-10-08")}) from None
    return as_of_moment(day)


def evaluate(rule: ReminderRule, ctx: RuleContext) -> list[Notice]:
    """What ``rule`` has to tell at ``ctx.as_of``, leaving out subjects already notified in their period."""
    keyed = [(rule.subject_key(s), rule.period(s, ctx), s) for s in rule.subjects(ctx)]
    done = _already_notified(rule.key, [(key, period) for key, period, _ in keyed])
    notices = []
    for key, period, subject in keyed:
        if (key, period) in done:
            continue
        recipients = frozenset(rule.recipients(subject, ctx))
        if recipients:
            notices.append(Notice(rule.key, key, period, recipients, rule.message(subject, ctx)))
    return notices


def _already_notified(rule_key: str, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (subject, period) pairs of ``pairs`` that already have a notification (the unique index answers)."""
    done: set[tuple[str, str]] = set()
    subjects = sorted({subject for subject, _ in pairs})
    for start in range(0, len(subjects), CHUNK):
        done.update(db.session.execute(
            select(Notification.subject, Notification.period).distinct()
            .where(Notification.rule == rule_key, Notification.subject.in_(subjects[start:start + CHUNK]))).all())
    return done


def _calendar_warnings(years: set[int]) -> list[str]:
    version = getattr(chinese_calendar, "__version__", "?")
    return [f"{year}年的国家法定节假日安排尚未收录（chinesecalendar {version}），该年按周一至周五计算工作日，"
            f"节假日和调休可能不准确。请升级 chinesecalendar。" for year in sorted(years)]


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return _ID_RUN.sub(lambda m: m.group(0)[:6] + "********" + m.group(0)[-4:], text)[:ERROR_LENGTH]


def run_rule(key: str, *, as_of: datetime | None = None, trigger: str = RunTrigger.SCHEDULE,
             actor=None) -> ReminderRun:
    """Evaluate rule ``key`` at ``as_of`` (naive UTC; default now), notify, and return the flushed run record."""
    rule = rule_or_404(key)
    started = utcnow()
    # The run row first: on SQLite the run takes the write lock here, before any read, so a concurrent run waits
    # for this one instead of failing on a stale snapshot.
    run = ReminderRun(rule=key, as_of=as_of or started, started_at=started, trigger=trigger,
                      triggered_by_id=getattr(actor, "id", None), status=RunStatus.OK, notified=0, warnings=[])
    db.session.add(run)
    db.session.flush()
    ctx = RuleContext(as_of=run.as_of, config=current_app.config)
    notified, failure = 0, None
    with noting_calendar_gaps() as gaps:
        try:
            with db.session.begin_nested():
                notified = deliver(evaluate(rule, ctx), run_id=run.id)
        except Exception as error:  # any failure of one rule is recorded, never spread
            log.exception("reminder rule %s failed", key)
            failure = error
    run.status = RunStatus.FAILED if failure else RunStatus.OK
    run.error = _describe(failure) if failure else None
    run.notified = 0 if failure else notified
    run.warnings = [*ctx.warnings, *_calendar_warnings(gaps)]
    run.finished_at = utcnow()
    if actor is not None:  # a run by hand is an action of its supervisor; scheduled runs are their own record
        audit.record("reminders.run", actor=actor, object_type="reminder_rule", object_id=key,
                     detail={"run": run.id, "as_of": isoformat_utc(run.as_of), "status": str(run.status),
                             "notified": run.notified})
    db.session.flush()
    return run


def run_to_dict(run: ReminderRun) -> dict:
    return {"id": run.id, "rule": run.rule, "as_of": isoformat_utc(run.as_of),
            "started_at": isoformat_utc(run.started_at), "finished_at": isoformat_utc(run.finished_at),
            "status": run.status, "notified": run.notified, "error": run.error, "warnings": list(run.warnings or []),
            "trigger": run.trigger, "triggered_by": run.triggered_by.username if run.triggered_by else None}


def runs_query(rule: str | None = None):
    stmt = select(ReminderRun)
    if rule:
        if RULES.get(rule) is None:
            raise ValidationError(fields={"rule": "rule 取值无效，可选：" + "、".join(RULES.rule_keys())})
        stmt = stmt.where(ReminderRun.rule == rule)
    return stmt.order_by(ReminderRun.started_at.desc(), ReminderRun.id.desc())


def get_run_or_404(run_id: int) -> ReminderRun:
    run = db.session.get(ReminderRun, run_id)
    if run is None:
        raise NotFound()
    return run


def last_runs(keys: list[str]) -> dict[str, ReminderRun]:
    """The latest run of each rule (one query: each rule's newest by the (rule, started_at) index)."""
    latest = (select(ReminderRun.rule, func.max(ReminderRun.id).label("id"))
              .where(ReminderRun.rule.in_(keys)).group_by(ReminderRun.rule).subquery())
    rows = db.session.scalars(select(ReminderRun).join(latest, ReminderRun.id == latest.c.id)).all()
    return {run.rule: run for run in rows}


def notifications_of(run: ReminderRun):
    """What a run notified, for its page: the notifications with their recipients."""
    return (select(Notification).where(Notification.run_id == run.id)
            .options(joinedload(Notification.user)).order_by(Notification.subject, Notification.user_id))
