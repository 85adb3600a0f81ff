"""When a request is over its time limit: one definition for the overdue queue, the reminders and the dashboard.

* stale: still at the counter (``intake``) or waiting for review (``pending_review``) more than
  ``STALE_WORKING_DAYS`` working days (official calendar) after intake;
* uncollected: the new card ``ready`` at the outlet for ``days`` days or more since it arrived.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement

from cardops.core.workdays import subtract_working_days
from cardops.reissue.models import ReissueRequest as R
from cardops.reissue.workflow import Status

STALE_WORKING_DAYS = 2
UNCOLLECTED_DAYS = 30
STALE_STATUSES = (Status.INTAKE, Status.PENDING_REVIEW)


def stale_before(now: datetime) -> datetime:
    return subtract_working_days(now, STALE_WORKING_DAYS)


def stale(now: datetime) -> ColumnElement[bool]:
    return R.status.in_(STALE_STATUSES) & (R.created_at < stale_before(now))


def uncollected(now: datetime, days: int = UNCOLLECTED_DAYS) -> ColumnElement[bool]:
    return (R.status == Status.READY) & (R.arrived_at <= now - timedelta(days=days))
