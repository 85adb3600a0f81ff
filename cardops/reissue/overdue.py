"""How late a request is, in words a clerk acts on: "已超时 3 个工作日" on its queue row and its page.

Whether a request is overdue is decided by ``cardops.reissue.deadlines`` — the one definition the overdue queue,
the reminders and the dashboard share — evaluated by the database for the requests on the page. This module only
says by how much: working days past the stale limit (official calendar), or days since an uncollected card arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select

from cardops.core.timeutil import to_local, utcnow
from cardops.core.workdays import working_days_between
from cardops.extensions import db
from cardops.reissue import deadlines
from cardops.reissue.models import ReissueRequest as R


@dataclass(frozen=True)
class Overdue:
    kind: str  # stale | uncollected
    days: int  # stale: working days past the limit; uncollected: days since the card arrived
    limit: int  # the limit in those units


def overdue_of(requests, now: datetime | None = None) -> dict[int, Overdue]:
    """``{request id: Overdue}`` for the overdue ones among ``requests`` (one query for a page of them)."""
    ids = [r.id for r in requests]
    if not ids:
        return {}
    now = now or utcnow()
    kinds = dict(db.session.execute(
        select(R.id, case((deadlines.stale(now), "stale"), else_="uncollected"))
        .where(R.id.in_(ids), deadlines.stale(now) | deadlines.uncollected(now))
    ).all())
    today = to_local(now).date()
    late = {}
    for request in requests:
        kind = kinds.get(request.id)
        if kind == "stale":
            since = request.status_changed_at or request.created_at
            limit = deadlines.stale_working_days()
            past = working_days_between(to_local(since).date(), today) - limit
            late[request.id] = Overdue(kind, max(past, 1), limit)
        elif kind == "uncollected":
            days = (today - to_local(request.arrived_at).date()).days
            late[request.id] = Overdue(kind, days, deadlines.uncollected_days())
    return late
