"""Who may do what with the roster and the training log, decided once (SPEC §5): the services enforce it, the
pages show only the buttons it allows, the tests call it directly.

Reading stands on the outlet scope of ``cardops.core.access`` (see ``queries``); these checks are about acting.
"""

from __future__ import annotations

from datetime import date

from cardops.core.access import works_at
from cardops.core.errors import DomainError, Forbidden, NotFound
from cardops.core.i18n import N_
from cardops.training.errors import TrainerNotActive
from cardops.training.models import Trainer, TrainerStatus, TrainingSession

# A trainer corrects their own session within this many days of its date; later, only a supervisor.
CORRECTION_DAYS = 30


def manages_roster(actor) -> bool:
    return actor is not None and actor.is_supervisor


def roster_refusal(actor) -> DomainError | None:
    return None if manages_roster(actor) else Forbidden(N_("只有区卡中心督导可以维护小教员名册"))


def logging_refusal(actor, entry: Trainer | None, held_on: date | None = None) -> DomainError | None:
    """Why ``actor`` may not log a session (held on ``held_on``, when known), or None.

    A supervisor always may. A trainer needs an active roster entry whose certification has not lapsed by the
    session's date: a lapsed certification stops logging just like a suspension.
    """
    if actor.is_supervisor:
        return None
    if not actor.has_role("trainer") or actor.outlet_id is None:
        return Forbidden(N_("只有小教员或区卡中心督导可以登记培训"))
    if entry is None:
        return TrainerNotActive(N_("您不在小教员名册上，不能登记培训"))
    if entry.status != TrainerStatus.ACTIVE:
        return TrainerNotActive(N_("您的小教员资格已暂停，不能登记培训"))
    if held_on is not None and entry.certified_until < held_on:
        return TrainerNotActive(f"您的小教员资格已于 {entry.certified_until.isoformat()} 到期，不能登记此后的培训")
    return None


def correction_refusal(actor, session: TrainingSession, entry: Trainer | None, today: date) -> DomainError | None:
    """Why ``actor`` may not correct ``session`` today: its trainer within 30 days of its date, or a supervisor."""
    if actor.is_supervisor:
        return None
    if session.trainer_id != actor.id:
        return Forbidden(N_("只有主讲小教员或区卡中心督导可以更正这条培训记录"))
    if (today - session.held_on).days > CORRECTION_DAYS:
        return Forbidden(N_("培训日期已超过30天，如需更正请联系区卡中心督导"))
    return logging_refusal(actor, entry)


def record_refusal(actor, person) -> DomainError | None:
    """Whose training record ``actor`` may open: their own; a supervisor anyone's; a trainer their outlet's
    staff. Another outlet's person is not found; a colleague's record is not a clerk's business."""
    if actor.id == person.id or actor.is_supervisor:
        return None
    if not works_at(actor, person.outlet_id):
        return NotFound()
    return None if actor.has_role("trainer") else Forbidden(N_("只能查看自己的培训记录"))
