"""The supervisors' settings of the rules: enabled or not, and when (a five-field crontab, local time).

A rule without a row in ``reminder_rules`` runs enabled on its registered default; the first change writes the
row. The scheduler reads these rows again every ``SCHEDULER_SYNC_SECONDS`` (``jobs.rule_jobs``), so a change
reaches it without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cardops.audit import services as audit
from cardops.core.crontab import CrontabError, parse_crontab
from cardops.core.errors import NotFound
from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.core.validation import FieldErrors
from cardops.extensions import db
from cardops.reminders.models import ReminderRule as RuleRow
from cardops.reminders.registry import RULES, ReminderRule


@dataclass(frozen=True)
class RuleSetting:
    rule: ReminderRule
    enabled: bool
    schedule: str
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def is_default_schedule(self) -> bool:
        return self.schedule == self.rule.schedule


def rule_or_404(key: str) -> ReminderRule:
    rule = RULES.get(key)
    if rule is None:
        raise NotFound(N_("没有这条提醒规则"))
    return rule


def all_settings() -> list[RuleSetting]:
    """Every registered rule with its effective setting, in registration order (one query)."""
    rows = {row.key: row for row in db.session.scalars(select(RuleRow))}
    return [_setting(rule, rows.get(rule.key)) for rule in RULES]


def setting_of(key: str) -> RuleSetting:
    rule = rule_or_404(key)
    return _setting(rule, db.session.get(RuleRow, key))


def _setting(rule: ReminderRule, row: RuleRow | None) -> RuleSetting:
    if row is None:
        return RuleSetting(rule, True, rule.schedule)
    return RuleSetting(rule, row.enabled, row.schedule, row.updated_at)


def parse_changes(data: dict) -> dict:
    """``{enabled?: bool, schedule?: crontab}`` → the changes, or a 400 naming each bad field."""
    errors, changes = FieldErrors(), {}
    if "enabled" in data:
        if isinstance(data["enabled"], bool):
            changes["enabled"] = data["enabled"]
        else:
            errors.add("enabled", N_("enabled 应为 true 或 false"))
    if "schedule" in data:
        try:
            changes["schedule"] = parse_crontab(data["schedule"]).text
        except CrontabError as error:
            errors.add("schedule", str(error))
    unknown = sorted(set(data) - {"enabled", "schedule"})
    for name in unknown:
        errors.add(name, N_("不能修改此项（只能修改 enabled 和 schedule）"))
    errors.raise_if_any()
    return changes


def update_rule(actor, key: str, data: dict) -> RuleSetting:
    """Enable, disable or reschedule a rule; audited with the old and new values."""
    rule = rule_or_404(key)
    changes = parse_changes(data)
    row = db.session.get(RuleRow, key)
    before = _setting(rule, row)
    after = {"enabled": changes.get("enabled", before.enabled), "schedule": changes.get("schedule", before.schedule)}
    if (after["enabled"], after["schedule"]) == (before.enabled, before.schedule):
        return before
    now, actor_id = utcnow(), actor.id
    if row is None:
        try:
            with db.session.begin_nested():  # two supervisors saving the first change at once: one row
                row = RuleRow(key=key, enabled=after["enabled"], schedule=after["schedule"], updated_at=now,
                              updated_by_id=actor_id)
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(RuleRow, key, populate_existing=True)
    row.enabled, row.schedule = after["enabled"], after["schedule"]
    row.updated_at, row.updated_by_id = now, actor_id
    db.session.flush()
    audit.record("reminders.rule_updated", actor=actor, object_type="reminder_rule", object_id=key,
                 detail={"before": {"enabled": before.enabled, "schedule": before.schedule}, "after": after})
    return _setting(rule, row)
