"""Reading training records for other features (the dashboard, the reminders)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from cardops.extensions import db
from cardops.training.models import SessionKind, TrainingSession


def last_warning_education(outlet_ids: list[int] | None = None, *,
                           on_or_before: date | None = None) -> dict[int, date | None]:
    """The latest ``held_on`` of a warning-education session (警示教育) held AT each outlet (district sessions
    do not count), on or before ``on_or_before`` when given; every asked outlet is in the answer (None: never).
    ``outlet_ids`` None: every outlet that has had one. One query."""
    stmt = (select(TrainingSession.outlet_id, func.max(TrainingSession.held_on))
            .where(TrainingSession.kind == SessionKind.WARNING_EDUCATION, TrainingSession.outlet_id.is_not(None))
            .group_by(TrainingSession.outlet_id))
    if outlet_ids is not None:
        if not outlet_ids:
            return {}
        stmt = stmt.where(TrainingSession.outlet_id.in_(outlet_ids))
    if on_or_before is not None:
        stmt = stmt.where(TrainingSession.held_on <= on_or_before)
    found = dict(db.session.execute(stmt).tuples().all())
    if outlet_ids is None:
        return found
    return {outlet_id: found.get(outlet_id) for outlet_id in outlet_ids}
