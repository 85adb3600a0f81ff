"""Reissue requests and what hangs off them. Personal data columns come in threes: ciphertext (to decrypt
for the holder's own documents; deferred: loaded only when read), keyed hash (to match), masked form (to show);
the full value is never stored in clear and never compared."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cardops.auth.models import User
from cardops.core.timeutil import utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.workflow import (
    OPEN_STATUSES,
    Channel,
    ReviewLevel,
    Status,
    Step,
    missing_steps,
    required_steps,
    review_covers,
    review_level_needed,
)

_OPEN_SQL = "status IN (" + ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES)) + ")"


class ReissueRequest(db.Model):
    __tablename__ = "reissue_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default=Status.INTAKE)
    version: Mapped[int] = mapped_column(default=1)

    applicant_name: Mapped[str] = mapped_column(String(50))
    applicant_id_enc: Mapped[str] = mapped_column(Text, deferred=True)
    applicant_id_hash: Mapped[str] = mapped_column(String(64))
    applicant_id_masked: Mapped[str] = mapped_column(String(18))
    applicant_id_last4: Mapped[str] = mapped_column(String(4))
    applicant_phone_enc: Mapped[str] = mapped_column(Text, deferred=True)
    applicant_phone_hash: Mapped[str] = mapped_column(String(64))
    applicant_phone_masked: Mapped[str] = mapped_column(String(11))

    agent_name: Mapped[str | None] = mapped_column(String(50))
    agent_id_enc: Mapped[str | None] = mapped_column(Text, deferred=True)
    agent_id_hash: Mapped[str | None] = mapped_column(String(64))
    agent_id_masked: Mapped[str | None] = mapped_column(String(18))
    agent_phone_enc: Mapped[str | None] = mapped_column(Text, deferred=True)
    agent_phone_hash: Mapped[str | None] = mapped_column(String(64))
    agent_phone_masked: Mapped[str | None] = mapped_column(String(11))
    agent_relation: Mapped[str | None] = mapped_column(String(20))

    note: Mapped[str | None] = mapped_column(Text)
    risk_level: Mapped[str] = mapped_column(String(8), default="low")

    # Review (双人复核): the level needed is derived from the risk; the decision is recorded here.
    review_decision: Mapped[str | None] = mapped_column(String(10))
    review_level: Mapped[str | None] = mapped_column(String(10))  # level approved: outlet | district
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)

    pickup_nonce: Mapped[str | None] = mapped_column(String(32))
    card_number: Mapped[str | None] = mapped_column(String(32))
    expected_date: Mapped[date | None]
    collector_name: Mapped[str | None] = mapped_column(String(50))
    collector_role: Mapped[str | None] = mapped_column(String(10))  # applicant | agent
    closed_reason: Mapped[str | None] = mapped_column(Text)

    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the request entered its current status: the time limits of ``deadlines`` count from it. Set by every
    # transition; None on requests closed before migration 0006 (and rows of tools that do not know the column),
    # read as "since intake".
    status_changed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    collected_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    outlet: Mapped[Outlet] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined", innerjoin=True)
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")
    checks: Mapped[list[RequestCheck]] = relationship(
        back_populates="request", order_by="RequestCheck.id", cascade="all, delete-orphan", lazy="selectin"
    )
    flags: Mapped[list[RiskFlag]] = relationship(
        back_populates="request", order_by="RiskFlag.id", cascade="all, delete-orphan", lazy="selectin"
    )
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan", lazy="select"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The queues: an outlet's requests by status, newest first; the district's by status and risk.
        Index("ix_reissue_requests_outlet_status_created", "outlet_id", "status", "created_at"),
        Index("ix_reissue_requests_outlet_created", "outlet_id", "created_at"),
        Index("ix_reissue_requests_status_risk_created", "status", "risk_level", "created_at"),
        # Search by name and by the last four ID characters.
        # (pattern_ops lets PostgreSQL use the index for name prefixes, LIKE '张%', under any collation)
        Index("ix_reissue_requests_outlet_name", "outlet_id", "applicant_name",
              postgresql_ops={"applicant_name": "varchar_pattern_ops"}),
        Index("ix_reissue_requests_name", "applicant_name", postgresql_ops={"applicant_name": "varchar_pattern_ops"}),
        Index("ix_reissue_requests_last4_created", "applicant_id_last4", "created_at"),
        # Risk rules: each is a range scan over one person's or one phone's recent requests.
        Index("ix_reissue_requests_applicant_created", "applicant_id_hash", "created_at"),
        Index("ix_reissue_requests_phone_created", "applicant_phone_hash", "created_at"),
        Index("ix_reissue_requests_agent_created", "agent_id_hash", "created_at"),
        # One open request per applicant across all outlets, enforced by the database itself.
        Index("uq_reissue_requests_open_applicant", "applicant_id_hash", unique=True,
              postgresql_where=text(_OPEN_SQL), sqlite_where=text(_OPEN_SQL)),
    )

    def __repr__(self) -> str:
        return f"<ReissueRequest {self.number} {self.status}>"

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY

    @property
    def required_checks(self) -> list[Step]:
        return required_steps(kind=self.kind, channel=self.channel, risk_level=self.risk_level)

    def latest_checks(self) -> dict[str, RequestCheck]:
        latest: dict[str, RequestCheck] = {}
        for check in self.checks:  # ordered by id: later entries win
            latest[check.step] = check
        return latest

    @property
    def missing_checks(self) -> list[Step]:
        """Required steps without a check, or whose latest check failed."""
        return missing_steps(self.required_checks, {step: c.result for step, c in self.latest_checks().items()})

    @property
    def review_level_needed(self) -> ReviewLevel | None:
        return review_level_needed(self.risk_level)

    @property
    def review_satisfied(self) -> bool:
        """An approval at (at least) the level the current risk needs."""
        approved = self.review_level if self.review_decision == "approve" else None
        return review_covers(approved, self.review_level_needed)


class RequestCheck(db.Model):
    __tablename__ = "request_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reissue_requests.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str | None] = mapped_column(String(500))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReissueRequest] = relationship(back_populates="checks")
    by: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class RiskFlag(db.Model):
    __tablename__ = "risk_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reissue_requests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReissueRequest] = relationship(back_populates="flags")

    __table_args__ = (
        UniqueConstraint("request_id", "code", name="uq_risk_flags_request_code"),
        Index("ix_risk_flags_code_at", "code", "at"),
    )


class RequestEvent(db.Model):
    """The status timeline: one row per transition, with who, when and why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reissue_requests.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ReissueRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class RequestCounter(db.Model):
    """Per outlet and day, the last number handed out; updated under a row lock at intake."""

    __tablename__ = "request_counters"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
