"""Reading the roster and the training record (SPEC §5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.training.models import SessionKind, TrainingSession


def last_warning_education(outlet_ids: list[int] | None = None, *,
                           on_or_before: date | None = None) -> dict[int, date | None]:
    """The date of the latest ``warning_education`` session held AT each outlet (district-wide sessions, whose
    outlet is None, do not count), keyed by outlet id: every outlet asked for (all outlets when ``outlet_ids`` is
    None) is in the answer, with None when it never held one. ``on_or_before`` ignores later sessions. One query.
    """
    held = (TrainingSession.outlet_id == Outlet.id) & (TrainingSession.kind == SessionKind.WARNING_EDUCATION)
    if on_or_before is not None:
        held &= TrainingSession.held_on <= on_or_before
    stmt = (select(Outlet.id, func.max(TrainingSession.held_on))
            .select_from(Outlet).outerjoin(TrainingSession, held).group_by(Outlet.id))
    if outlet_ids is not None:
        if not outlet_ids:
            return {}
        stmt = stmt.where(Outlet.id.in_(outlet_ids))
    return {outlet_id: latest for outlet_id, latest in db.session.execute(stmt)}
