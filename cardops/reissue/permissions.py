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
    """Actions the actor may perform now (the checks form shows separately)."""
    return [action for action in TRANSITIONS if refusal(actor, request, action) is None]


# Work done with the card in hand at the outlet's desk. The pages offer it to that outlet's clerks only, as their
# menus do (a supervisor's menu has no card desk); the transition table itself still allows staff.
DESK_ACTIONS = frozenset({"arrive", "collect"})


def page_actions(actor, request) -> list[str]:
    """The buttons of the request page."""
    return [action for action in available_actions(actor, request)
            if action not in DESK_ACTIONS or at_its_counter(actor, request)]


# --- a lost receipt (回执遗失补打): asked for at the counter, approved by a second person ------------------------

def reprint_request_refusal(actor, request) -> DomainError | None:
    """Whether ``actor`` may ask for a new receipt now: a clerk of the request's outlet (the holder is at that
    counter), while the request has a receipt."""
    if not works_on(actor, request):
        return NotFound()
    if not at_its_counter(actor, request):
        return Forbidden(N_("回执补打须由受理网点的受理员在柜台办理"))
    if request.status not in RECEIPT_STATUSES:
        return InvalidTransition(N_("只有制卡中或待领取的申请才有回执可补打"))
    return None


def reprint_decision_refusal(actor, request, reprint) -> DomainError | None:
    """Whether ``actor`` may approve or reject ``reprint``: a supervisor, or another clerk of the outlet — never
    the one who asked."""
    if not works_on(actor, request):
        return NotFound()
    if actor.id == reprint.requested_by_id:
        return SelfReviewForbidden(N_("提出补打申请的人不能自己批准，请由督导或本网点另一名受理员批准"))
    if not (actor.is_supervisor or at_its_counter(actor, request)):
        return Forbidden()
    if reprint.status != "pending" or request.status not in RECEIPT_STATUSES:
        return InvalidTransition(N_("这份补打申请已处理或已失效"))
    return None
