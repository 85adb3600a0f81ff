"""The scheduler's leader lease: one row per lease name, held by one process at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from cardops.extensions import db


class SchedulerLease(db.Model):
    """Who leads the scheduler processes, until when, and the jobs it published with their next run times.

    A lease row rather than a PostgreSQL advisory lock: it works the same on SQLite, it can be read by the web
    process (``GET /api/v1/scheduler``), and a leader that cannot reach the database any more stops by itself
    when its lease runs out instead of holding a lock on a dead connection.
    """

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))  # "HOST:PID"
    token: Mapped[str | None] = mapped_column(String(32))  # the holding process's random id
    since: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    # [{key, next_run_at, last_run_at}] as the leader last published them (ISO UTC strings)
    jobs: Mapped[list] = mapped_column(JSON, default=list)
