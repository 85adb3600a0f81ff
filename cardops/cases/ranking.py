"""The ranking arithmetic of the annual selection (SPEC §6.2), free of the database so it can be tested alone.

A nominee's ``mean_total`` is the mean, over the supervisors who scored it, of the sum of their three scores.
Order: ``mean_total`` descending, then the mean educational value, then the mean impact (both descending), then
the earlier ``occurred_on``, then the lower id. Means are compared exactly (fractions) and shown with two decimals.
Wherever two neighbours up to the tenth place have the same ``mean_total``, a ``TieNote`` records which rule
decided between them, and ``describe_ties`` puts that in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from cardops.cases.workflow import SELECTED_PER_YEAR
from cardops.core.i18n import N_

Score = tuple[int, int, int]  # typicality, educational_value, impact


@dataclass(frozen=True)
class Nominee:
    case_id: int
    occurred_on: date
    scores: tuple[Score, ...]


@dataclass(frozen=True)
class Ranked:
    rank: int
    nominee: Nominee
    mean_typicality: Fraction | None
    mean_educational_value: Fraction | None
    mean_impact: Fraction | None
    mean_total: Fraction | None

    @property
    def scores_count(self) -> int:
        return len(self.nominee.scores)


def _mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def two_decimals(value: Fraction | None) -> float | None:
    """A mean as shown and answered: rounded half up to two decimals."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _means(nominee: Nominee) -> tuple[Fraction | None, ...]:
    scores = nominee.scores
    return (_mean([s[0] for s in scores]), _mean([s[1] for s in scores]), _mean([s[2] for s in scores]),
            _mean([sum(s) for s in scores]))


def _order_key(item: tuple[Nominee, tuple]) -> tuple:
    nominee, (_, educational, impact, total) = item
    if total is None:  # not scored yet (an open round): after every scored nominee
        return (1, 0, 0, 0, nominee.occurred_on, nominee.case_id)
    return (0, -total, -educational, -impact, nominee.occurred_on, nominee.case_id)


def rank(nominees: Sequence[Nominee]) -> list[Ranked]:
    ordered = sorted(((n, _means(n)) for n in nominees), key=_order_key)
    return [Ranked(place, nominee, *means) for place, (nominee, means) in enumerate(ordered, start=1)]


# --- ties ----------------------------------------------------------------------------------------------------

# The rules after the mean total, in the order they are applied, with what each compares.
TIE_RULES = (
    ("educational_value", N_("教育意义平均分较高者在前"), lambda r: r.mean_educational_value),
    ("impact", N_("影响力平均分较高者在前"), lambda r: r.mean_impact),
    ("occurred_on", N_("发生日期较早者在前"), lambda r: r.nominee.occurred_on),
    ("id", N_("案例编号较小者在前"), lambda r: r.nominee.case_id),
)
TIE_SENTENCE = N_("第%(place)s名与第%(next)s名平均总分同为%(total)s，按“%(rule)s”排定（%(first)s 对 %(second)s）")


@dataclass(frozen=True)
class TieNote:
    place: int  # the place decided: between ``place`` and ``place + 1``
    rule: str  # educational_value, impact, occurred_on or id
    total: Fraction
    first: object
    second: object


def tie_notes(ranking: Sequence[Ranked], up_to: int = SELECTED_PER_YEAR) -> list[TieNote]:
    """For every place up to ``up_to`` whose nominee has the same mean total as the next one: the deciding rule."""
    notes = []
    for above, below in zip(ranking[:up_to], ranking[1:up_to + 1], strict=False):
        if above.mean_total is None or above.mean_total != below.mean_total:
            continue
        for rule, _words, value in TIE_RULES:
            if value(above) != value(below):
                notes.append(TieNote(above.rank, rule, above.mean_total, value(above), value(below)))
                break
    return notes


def _shown(value) -> str:
    if isinstance(value, Fraction):
        return f"{two_decimals(value):.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"#{value}"
    return str(value)


def describe_ties(notes: Sequence[TieNote], gettext: Callable[[str], str] = lambda message: message) -> str | None:
    """The tie-break in words (Chinese as stored, or through ``gettext`` for a page); None when no tie mattered."""
    if not notes:
        return None
    words = {rule: text for rule, text, _value in TIE_RULES}
    sentences = [gettext(TIE_SENTENCE) % {"place": note.place, "next": note.place + 1,
                                          "total": _shown(note.total), "rule": gettext(words[note.rule]),
                                          "first": _shown(note.first), "second": _shown(note.second)}
                 for note in notes]
    return gettext("；").join(sentences) + gettext("。")
