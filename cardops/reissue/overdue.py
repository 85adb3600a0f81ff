"""How late a request is, in words a clerk acts on: "已超时 3 个工作日" on its queue row and its page.

Whether a request is overdue is decided by ``cardops.reissue.deadlines`` — the one definition the overdue queue,
the reminders and the dashboard share — applied to the requests on the page as loaded. This module only says by how
much: working days past the stale limit (official calendar), or days since an uncollected card arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cardops.core.timeutil import to_local, utcnow
from cardops.core.workdays import working_days_between
from cardops.reissue import deadlines


@dataclass(frozen=True)
class Overdue:
    kind: str  # stale | uncollected
    days: int  # stale: working days past the limit; uncollected: days since the card arrived
    limit: int  # the limit in those units


def overdue_of(requests, now: datetime | None = None) -> dict[int, Overdue]:
    """``{request id: Overdue}`` for the overdue ones among ``requests`` (loaded with their status and times)."""
    now = now or utcnow()
    today = to_local(now).date()
    late = {}
    for request in requests:
        if deadlines.is_stale(request, now):
            since = deadlines.entered_state_at(request)
            limit = deadlines.stale_working_days()
            past = working_days_between(to_local(since).date(), today) - limit
            late[request.id] = Overdue("stale", max(past, 1), limit)
        elif deadlines.is_uncollected(request, now):
            days = (today - to_local(request.arrived_at).date()).days
            late[request.id] = Overdue("uncollected", days, deadlines.uncollected_days())
    return late
