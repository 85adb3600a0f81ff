"""The reminder rule registry (合规提醒规则), shaped like the risk rules: a rule is a small registered class.

A rule says, for a moment ``ctx.as_of``:

* ``subjects(ctx)`` — the query that finds what is overdue (indexed; never a walk through the whole history);
* ``subject_key(subject)`` and ``period(subject, ctx)`` — what makes a subject notify once: nobody hears twice
  about the same subject in the same period, whatever runs again (the database's unique constraint);
* ``recipients(subject, ctx)`` — the ids of the users to tell (``ctx.staff`` knows who works where);
* ``message(subject, ctx)`` — what to tell them: plain Chinese, a title, a body, and a link to the subject.

Thresholds come from configuration through ``ctx.config``. Adding a rule is one class in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from cardops.core.timeutil import to_local
from cardops.reminders.recipients import Staff


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str | None = None  # a path of this application (mails make it absolute with PUBLIC_BASE_URL)


@dataclass(frozen=True)
class Notice:
    """One thing to tell some users: a rule (or event), a subject in a period, and the words."""

    rule: str
    subject: str
    period: str
    recipients: frozenset[int]
    message: Message


@dataclass
class RuleContext:
    as_of: datetime  # naive UTC: the moment the rule is evaluated at
    config: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The local (Asia/Shanghai) date of ``as_of``."""
        return to_local(self.as_of).date()

    @cached_property
    def staff(self) -> Staff:
        """Who works where: loaded once per run, by the first rule that asks."""
        return Staff.load()


class ReminderRule:
    """Base class of a rule; subclasses set the class attributes and implement the methods."""

    key: str
    name: str  # Chinese msgid, translated when shown
    schedule: str  # default five-field crontab (local time; "1-5" = official working days)
    fires_for: str  # one line for the rules page: what fires and who hears (Chinese msgid)

    def subjects(self, ctx: RuleContext) -> Iterable:
        raise NotImplementedError

    def subject_key(self, subject) -> str:
        raise NotImplementedError

    def period(self, subject, ctx: RuleContext) -> str:
        raise NotImplementedError

    def recipients(self, subject, ctx: RuleContext) -> Iterable[int]:
        raise NotImplementedError

    def message(self, subject, ctx: RuleContext) -> Message:
        raise NotImplementedError


class RuleRegistry:
    def __init__(self):
        self.rules: dict[str, ReminderRule] = {}

    def register(self, cls: type[ReminderRule]) -> type[ReminderRule]:
        """Class decorator: register one instance of the rule under its key."""
        if cls.key in self.rules:
            raise ValueError(f"reminder rule {cls.key} registered twice")
        self.rules[cls.key] = cls()
        return cls

    def get(self, key: str) -> ReminderRule | None:
        return self.rules.get(key)

    def __iter__(self):
        return iter(self.rules.values())

    def rule_keys(self) -> list[str]:
        return list(self.rules)


RULES = RuleRegistry()
