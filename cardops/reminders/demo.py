"""Demo history: the reminder rules ran on their schedules over the last week, as the scheduler would have run
them, so the demo's clerks and supervisors find notifications and the run history is not empty."""

from __future__ import annotations

from datetime import UTC, timedelta
from functools import partial

from sqlalchemy import select

from cardops.core.crontab import parse_crontab
from cardops.core.timeutil import LOCAL_TZ
from cardops.extensions import db
from cardops.reminders.models import ReminderRun, RunTrigger
from cardops.reminders.registry import RULES
from cardops.reminders.runs import run_rule

DEMO_DAYS = 7


def plan_demo_runs(timeline) -> str:
    if db.session.scalar(select(ReminderRun.id).limit(1)) is not None:
        return "demo reminder runs: already present, none added"
    start = (timeline.now - timedelta(days=DEMO_DAYS)).replace(tzinfo=UTC).astimezone(LOCAL_TZ)
    planned = 0
    for rule in RULES:
        for moment in parse_crontab(rule.schedule).next_runs(start, 20, LOCAL_TZ):
            at = moment.astimezone(UTC).replace(tzinfo=None)
            if at > timeline.now:
                break
            timeline.at(at, partial(run_rule, rule.key, trigger=RunTrigger.SCHEDULE))
            planned += 1
    return f"demo reminder runs: {planned} planned"
