"""The case flow (SPEC §6.1) as data, in one place: services enforce it, the API reports it, the case page asks it
which buttons to show, tests walk it.

```
draft ──submit──▶ submitted ──accept──▶ accepted ──nominate(year)──▶ nominated ──finalise──▶ selected
  ▲                   └──return(reason)──▶ returned ──submit──▶ submitted
  └ (author edits while draft or returned)
```
"""

from __future__ import annotations

from dataclasses import dataclass

from cardops.cases.models import CaseStatus
from cardops.core.i18n import N_

# Who performs an action: the case's author (who must still be a trainer or a supervisor), or a supervisor.
AUTHOR = "author"
SUPERVISOR = "supervisor"
WRITER_ROLES = ("trainer", "supervisor")

# Cases the author may still change; every outlet's library holds the others (models.LIBRARY_STATUSES).
EDITABLE_STATUSES = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: no change of state (editing)
    who: str
    label: str
    needs_reason: bool = False
    by_round: bool = False  # happens when the year's selection is finalised, not from the case page


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("edit", EDITABLE_STATUSES, None, AUTHOR, N_("修改")),
        Transition("submit", frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED}), CaseStatus.SUBMITTED, AUTHOR,
                   N_("提交审核")),
        Transition("accept", frozenset({CaseStatus.SUBMITTED}), CaseStatus.ACCEPTED, SUPERVISOR, N_("审核入库")),
        Transition("return", frozenset({CaseStatus.SUBMITTED}), CaseStatus.RETURNED, SUPERVISOR, N_("退回修改"),
                   needs_reason=True),
        Transition("nominate", frozenset({CaseStatus.ACCEPTED}), CaseStatus.NOMINATED, SUPERVISOR,
                   N_("提名年度评选")),
        Transition("select", frozenset({CaseStatus.NOMINATED}), CaseStatus.SELECTED, SUPERVISOR,
                   N_("评为年度典型事例"), by_round=True),
    )
}
# The buttons of the case page, in the order they are offered.
PAGE_ACTIONS = tuple(action for action, t in TRANSITIONS.items() if not t.by_round and action != "edit")

# The case page's history: what each audited action is called.
EVENT_LABELS = {
    "create": N_("撰写"),
    "edit": N_("修改"),
    **{action: t.label for action, t in TRANSITIONS.items() if action != "edit"},
}


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


class RoundStatus:
    OPEN = "open"
    FINAL = "final"


ROUND_STATUS_LABELS = {RoundStatus.OPEN: N_("评分中"), RoundStatus.FINAL: N_("已定稿")}
# At most this many cases are selected each year (十大典型事例).
SELECTED_PER_YEAR = 10
# The three criteria a supervisor scores, each 1–5.
CRITERIA = ("typicality", "educational_value", "impact")
CRITERION_LABELS = {
    "typicality": N_("典型性"),
    "educational_value": N_("教育意义"),
    "impact": N_("影响力"),
}
SCORE_MIN, SCORE_MAX = 1, 5
