"""Risk levels and the rule registry (防冒补规则).

A rule is a small registered unit: a code, a label, ``facts(subject, ctx)`` that reads what the rule looks at
(a few indexed look-ups), and ``decide(facts, ctx)`` that turns them into a ``(level, reason)`` or None. Keeping the
decision apart from the look-up lets the benchmark's generator, which counts history in memory, reach the same
levels and words through the same code. Thresholds come from configuration via ``ctx``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cardops.core.i18n import N_


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


RISK_LABELS = {RiskLevel.LOW: N_("低风险"), RiskLevel.MEDIUM: N_("中风险"), RiskLevel.HIGH: N_("高风险")}


@dataclass(frozen=True)
class RiskContext:
    now: datetime
    config: dict


@dataclass(frozen=True)
class Finding:
    code: str
    level: RiskLevel
    reason: str


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    facts: Callable  # (subject, ctx) -> what the rule looks at
    decide: Callable  # (facts, ctx) -> (level, reason) | None

    def evaluate(self, subject, ctx: RiskContext) -> Finding | None:
        outcome = self.decide(self.facts(subject, ctx), ctx)
        if outcome is None:
            return None
        level, reason = outcome
        return Finding(self.code, RiskLevel(level), reason)


class RuleRegistry:
    """The rules of one kind of subject, in registration order."""

    def __init__(self):
        self.rules: dict[str, Rule] = {}

    def rule(self, code: str, label: str, *, facts: Callable):
        """Register the decorated ``decide(facts, ctx)`` under ``code``, with its ``facts`` look-up."""

        def decorator(decide):
            self.rules[code] = Rule(code, label, facts, decide)
            return decide

        return decorator

    def evaluate(self, subject, ctx: RiskContext) -> list[Finding]:
        return [finding for rule in self.rules.values() if (finding := rule.evaluate(subject, ctx)) is not None]


def highest_level(findings) -> RiskLevel:
    return max((RiskLevel(f.level) for f in findings), key=lambda level: level.rank, default=RiskLevel.LOW)
