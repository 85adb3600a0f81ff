"""The roster entry and the session objects of SPEC §5 (dates as ``YYYY-MM-DD``, times as ISO UTC)."""

from __future__ import annotations

from datetime import date, timedelta

from cardops.core.timeutil import isoformat_utc
from cardops.training.models import Trainer, TrainerStatus, TrainingSession

# A certification ending within this many days is "expiring" (the reminders' certification_expiring rule).
EXPIRING_DAYS = 30


def certification_state(entry: Trainer, today: date) -> str:
    """``lapsed`` (ended before today), ``expiring`` (ends within 30 days) or ``valid``."""
    if entry.certified_until < today:
        return "lapsed"
    if entry.certified_until <= today + timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid"


def trainer_to_dict(entry: Trainer, sessions_this_year: int, today: date) -> dict:
    user = entry.user
    return {
        "id": entry.id,
        "username": user.username,
        "name": user.display_name,
        "outlet_code": user.outlet.code if user.outlet else None,
        "appointed_on": entry.appointed_on.isoformat(),
        "certified_until": entry.certified_until.isoformat(),
        "specialties": list(entry.specialties or []),
        "status": entry.status,
        "status_reason": entry.status_reason,
        "sessions_this_year": sessions_this_year,
        "certification": certification_state(entry, today),
        "may_log_today": entry.status == TrainerStatus.ACTIVE and entry.certified_until >= today,
        "created_at": isoformat_utc(entry.created_at),
        "updated_at": isoformat_utc(entry.updated_at),
    }


def session_to_dict(session: TrainingSession) -> dict:
    return {
        "id": session.id,
        "date": session.held_on.isoformat(),
        "outlet_code": session.outlet.code if session.outlet else None,
        "trainer": {"username": session.trainer.username, "name": session.trainer.display_name},
        "topic": session.topic,
        "kind": session.kind,
        "duration_minutes": session.duration_minutes,
        "attendees": [
            {"username": a.user.username, "name": a.user.display_name,
             "outlet_code": a.user.outlet.code if a.user.outlet else None, "attended": a.attended, "score": a.score}
            for a in session.attendances
        ],
        "materials": session.materials,
        "cases": [{"id": c.id, "title": c.title} for c in session.cases],
        "version": session.version,
        "created_by": session.created_by.username,
        "created_at": isoformat_utc(session.created_at),
        "updated_at": isoformat_utc(session.updated_at),
    }

