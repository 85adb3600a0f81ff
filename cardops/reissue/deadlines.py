"""When a request is over its time limit: one definition for the overdue queue, the reminders and the dashboard.

* stale: still at the counter (``intake``) or waiting for review (``pending_review``) more than
  ``STALE_WORKING_DAYS`` working days (official calendar) after it entered that state (``status_changed_at``);
* uncollected: the new card ``ready`` at the outlet for ``days`` days or more since it arrived.

Each is written twice, side by side: as a criterion the database evaluates (queues, reminders, dashboard) and as a
test of one loaded request (a page's rows, already in hand). ``tests/reissue/test_deadlines.py`` holds them equal.
The limits are configuration (``STALE_WORKING_DAYS``, ``UNCOLLECTED_DAYS``), with the SPEC's defaults.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, func

from cardops.core.workdays import subtract_working_days
from cardops.reissue.models import ReissueRequest as R
from cardops.reissue.workflow import Status

STALE_WORKING_DAYS = 2
UNCOLLECTED_DAYS = 30
STALE_STATUSES = (Status.INTAKE, Status.PENDING_REVIEW)


def stale_working_days() -> int:
    return current_app.config.get("STALE_WORKING_DAYS", STALE_WORKING_DAYS)


def stale_before(now: datetime) -> datetime:
    """A request that entered its state before this instant is stale at ``now``."""
    return subtract_working_days(now, stale_working_days())


def in_state_since() -> ColumnElement:
    return func.coalesce(R.status_changed_at, R.created_at)


def entered_state_at(request) -> datetime:
    """``in_state_since`` of one loaded request."""
    return request.status_changed_at or request.created_at


def stale(now: datetime) -> ColumnElement[bool]:
    return entered_before(stale_before(now))


def entered_before(moment) -> ColumnElement[bool]:
    """Stale if it entered its state before ``moment`` (a value, or a named parameter: ``bindparam``)."""
    return R.status.in_(STALE_STATUSES) & (in_state_since() < moment)


def is_stale(request, now: datetime) -> bool:
    return request.status in STALE_STATUSES and entered_state_at(request) < stale_before(now)


def uncollected_days() -> int:
    return current_app.config.get("UNCOLLECTED_DAYS", UNCOLLECTED_DAYS)


def arrived_by(now: datetime, days: int | None = None) -> datetime:
    """A card that arrived at or before this instant is uncollected at ``now``."""
    return now - timedelta(days=uncollected_days() if days is None else days)


def uncollected(now: datetime, days: int | None = None) -> ColumnElement[bool]:
    return arrived_at_or_before(arrived_by(now, days))


def arrived_at_or_before(moment) -> ColumnElement[bool]:
    """Uncollected if its card arrived at or before ``moment`` (a value, or a named parameter: ``bindparam``)."""
    return (R.status == Status.READY) & (R.arrived_at <= moment)


def is_uncollected(request, now: datetime, days: int | None = None) -> bool:
    return request.status == Status.READY and request.arrived_at is not None and (
        request.arrived_at <= arrived_by(now, days))
