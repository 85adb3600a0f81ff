"""The leader lease: whoever holds the unexpired row runs the jobs; everybody else waits.

Taking and renewing are one conditional UPDATE each (free, expired, or already mine → mine until now + lease),
so two processes can never both succeed: PostgreSQL re-checks the condition after the row lock, SQLite runs one
writer at a time. Times are the processes' clocks (naive UTC); keep the hosts' clocks synchronised (NTP), as the
lease is only as good as their agreement on what "expired" means.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError

from cardops.core.timeutil import isoformat_utc, utcnow
from cardops.extensions import db
from cardops.scheduler.models import SchedulerLease

LEASE_NAME = "scheduler"
_LEASE = SchedulerLease.__table__


@dataclass(frozen=True)
class Holder:
    """This process: "HOST:PID" for people, a random token for the lease (a recycled PID is not the same one)."""

    identity: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _ensure_row() -> None:
    if db.session.get(SchedulerLease, LEASE_NAME) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(SchedulerLease(name=LEASE_NAME, jobs=[]))
    except IntegrityError:
        pass  # another process created it a moment ago


def try_lead(holder: Holder, lease_seconds: int, jobs: list[dict] | None = None) -> bool:
    """Take the lease when free or expired, or renew it when ours (publishing ``jobs``). Commits; True if ours."""
    _ensure_row()
    now = utcnow()
    values = {"holder": holder.identity, "token": holder.token, "heartbeat_at": now,
              "expires_at": now + timedelta(seconds=lease_seconds),
              "since": case((_LEASE.c.token == holder.token, _LEASE.c.since), else_=now)}
    if jobs is not None:
        values["jobs"] = jobs
    result = db.session.execute(
        update(_LEASE).where(_LEASE.c.name == LEASE_NAME,
                             or_(_LEASE.c.token == holder.token, _LEASE.c.token.is_(None), _LEASE.c.expires_at < now))
        .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def publish(holder: Holder, jobs: list[dict]) -> None:
    """The leader's jobs and their next run times, for ``GET /api/v1/scheduler``. Commits."""
    db.session.execute(update(_LEASE).where(_LEASE.c.name == LEASE_NAME, _LEASE.c.token == holder.token)
                       .values(jobs=jobs).execution_options(synchronize_session=False))
    db.session.commit()


def release(holder: Holder) -> None:
    """Give the lease up at once (a clean stop), so a standby need not wait for it to expire. Commits."""
    db.session.execute(update(_LEASE).where(_LEASE.c.name == LEASE_NAME, _LEASE.c.token == holder.token)
                       .values(token=None, expires_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


def published_jobs() -> list[dict]:
    """The jobs as the current (or last) leader published them."""
    jobs = db.session.scalar(select(_LEASE.c.jobs).where(_LEASE.c.name == LEASE_NAME))
    return list(jobs or [])


@dataclass(frozen=True)
class LeaderState:
    leader: str | None
    since: datetime | None
    heartbeat_at: datetime | None
    expires_at: datetime | None
    jobs: list[dict]

    def to_dict(self) -> dict:
        """SPEC §7: ``{leader, since, heartbeat_at, jobs: [{key, next_run_at}]}``; leader null when nobody leads."""
        return {"leader": self.leader, "since": isoformat_utc(self.since) if self.leader else None,
                "heartbeat_at": isoformat_utc(self.heartbeat_at),
                "jobs": [{"key": job["key"], "next_run_at": job.get("next_run_at") if self.leader else None}
                         for job in self.jobs]}


def state() -> LeaderState:
    row = db.session.execute(select(_LEASE).where(_LEASE.c.name == LEASE_NAME)).first()
    if row is None:
        return LeaderState(None, None, None, None, [])
    leading = row.token is not None and row.expires_at is not None and row.expires_at >= utcnow()
    return LeaderState(row.holder if leading else None, row.since, row.heartbeat_at, row.expires_at,
                       list(row.jobs or []))
