"""Who may do what to a request, decided once: services enforce it, pages and answers show only what is allowed.

Every check here stands on the outlet scope of ``cardops.core.access``; no page, serializer or public view
compares outlets itself.
"""

from __future__ import annotations

from cardops.core.access import in_scope, works_at
from cardops.core.errors import DomainError, Forbidden, NotFound
from cardops.core.i18n import N_
from cardops.core.messages import Message
from cardops.reissue.errors import InvalidTransition, SelfReviewForbidden
from cardops.reissue.workflow import CHECKABLE_STATUSES, TRANSITIONS, ReviewLevel, Status, review_level_needed

REVIEW_ACTIONS = frozenset({"approve", "reject"})
# The receipt, with its pickup token, exists from submission until the card is handed over.
RECEIPT_STATUSES = frozenset({Status.SUBMITTED, Status.READY})


def works_on(actor, request) -> bool:
    """A supervisor works on every outlet's requests, a clerk on their own outlet's."""
    return in_scope(actor, request.outlet_id) and actor.has_role("clerk", "supervisor")


def at_its_counter(actor, request) -> bool:
    """A clerk of the request's own outlet: the one who hands the receipt and the card to the holder."""
    return actor.has_role("clerk") and works_at(actor, request.outlet_id)


def sees_pickup_token(actor, request) -> bool:
    """The pickup token (and the receipt carrying it) is for the staff of the request's outlet, once submitted."""
    return (request.pickup_nonce is not None and request.status in RECEIPT_STATUSES
            and works_at(actor, request.outlet_id))


def review_refusal(actor, request) -> DomainError | None:
    if actor.id == request.created_by_id:
        return SelfReviewForbidden()
    if review_level_needed(request.risk_level) == ReviewLevel.DISTRICT and not actor.is_supervisor:
        return Forbidden(N_("高风险申请须由区卡中心督导复核"))
    return None


def refusal(actor, request, action: str) -> DomainError | None:
    """Why ``actor`` may not perform ``action`` now, or None when allowed. ``check`` records a check."""
    if not works_on(actor, request):
        return NotFound()
    if action == "check":
        return None if request.status in CHECKABLE_STATUSES else InvalidTransition(N_("当前状态下不能再记录核验"))
    spec = TRANSITIONS.get(action)
    if spec is None:
        return InvalidTransition()
    if not actor.has_role(*spec.roles):
        return Forbidden()
    if request.status not in spec.sources:
        return InvalidTransition(Message(N_("申请当前状态不允许“%(action)s”"), action=spec.label))
    if action in REVIEW_ACTIONS:
        return review_refusal(actor, request)
    return None


def ensure_allowed(actor, request, action: str) -> None:
    problem = refusal(actor, request, action)
    if problem is not None:
        raise problem


def available_actions(actor, request) -> list[str]:
    """Actions to offer on the request page (the checks form shows separately)."""
    return [action for action in TRANSITIONS if refusal(actor, request, action) is None]
