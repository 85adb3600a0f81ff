"""Who may see and do what with a case, decided once: services enforce it, pages and answers show only what is
allowed, tests walk it.

Visibility stands on the outlet scope of ``cardops.core.access``: the library (accepted, nominated, selected) is
every signed-in user's; a case still in the works belongs to its outlet and the district's supervisors.
"""

from __future__ import annotations

from cardops.cases.errors import ConflictOfInterest, InvalidTransition
from cardops.cases.models import LIBRARY_STATUSES, Case
from cardops.cases.workflow import AUTHOR, PAGE_ACTIONS, SUPERVISOR, TRANSITIONS, WRITER_ROLES
from cardops.core.access import in_scope
from cardops.core.errors import DomainError, Forbidden, NotFound
from cardops.core.i18n import N_

# The criterion that makes a case visible beyond its outlet's scope (``core.access.scoped(…, also=…)``).
IN_LIBRARY = Case.status.in_(LIBRARY_STATUSES)


def may_see(actor, case: Case) -> bool:
    return case.status in LIBRARY_STATUSES or in_scope(actor, case.outlet_id)


def sees_workings(actor, case: Case) -> bool:
    """The case's history (returns and their reasons) and its scores stay with its outlet and the district."""
    return in_scope(actor, case.outlet_id)


def may_write_cases(actor) -> bool:
    return actor.has_role(*WRITER_ROLES) and (actor.is_supervisor or actor.outlet_id is not None)


def is_author(actor, case: Case) -> bool:
    return actor.id == case.author_id


def _performer_refusal(actor, case: Case, who: str) -> DomainError | None:
    if who == AUTHOR:
        if not is_author(actor, case):
            return Forbidden(N_("只有案例撰写人可以修改或提交"))
        if not actor.has_role(*WRITER_ROLES):
            return Forbidden(N_("只有小教员或督导可以撰写和提交案例"))
        return None
    if who == SUPERVISOR and not actor.is_supervisor:
        return Forbidden(N_("只有区卡中心督导可以审核、退回和提名案例"))
    return None


def refusal(actor, case: Case, action: str) -> DomainError | None:
    """Why ``actor`` may not perform ``action`` on ``case`` now, or None when allowed. A case the actor may not
    see is not found; not this person's action is 403; not from this state is 409."""
    if not may_see(actor, case):
        return NotFound()
    spec = TRANSITIONS.get(action)
    if spec is None:
        return InvalidTransition()
    problem = _performer_refusal(actor, case, spec.who)
    if problem is not None:
        return problem
    if case.status not in spec.sources:
        return InvalidTransition(f"案例当前状态不允许“{spec.label}”")
    return None


def ensure_allowed(actor, case: Case, action: str) -> None:
    problem = refusal(actor, case, action)
    if problem is not None:
        raise problem


def available_actions(actor, case: Case) -> list[str]:
    """The buttons of the case page (editing included as ``edit``)."""
    return [action for action in ("edit", *PAGE_ACTIONS) if refusal(actor, case, action) is None]


def scoring_refusal(actor, case: Case) -> DomainError | None:
    """A supervisor does not score a case they wrote (回避)."""
    if not actor.is_supervisor:
        return Forbidden(N_("只有区卡中心督导可以评分"))
    if is_author(actor, case):
        return ConflictOfInterest()
    return None
