"""Reissue requests and what hangs off them. Personal data columns come in threes: ciphertext (to decrypt
for the holder's own documents; deferred: loaded only when read), keyed hash (to match), masked form (to show);
the full value is never stored in clear and never compared."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cardops.auth.models import User
from cardops.core.messages import message_from_data
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
    agent_reason: Mapped[str | None] = mapped_column(String(200))  # why the holder sends an agent (optional)

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

    # Loaded when a query asks for them (``cardops.reissue.queries`` says what each page and API object shows), so
    # a list of requests pays for no row's people, checks or flags it does not show.
    outlet: Mapped[Outlet] = relationship(innerjoin=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], innerjoin=True)
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    checks: Mapped[list[RequestCheck]] = relationship(
        back_populates="request", order_by="RequestCheck.id", cascade="all, delete-orphan"
    )
    flags: Mapped[list[RiskFlag]] = relationship(
        back_populates="request", order_by="RiskFlag.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    reprints: Mapped[list[ReceiptReprint]] = relationship(
        back_populates="request", order_by="ReceiptReprint.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The queues: an outlet's requests by status, newest first; the district's by status and risk.
        Index("ix_reissue_requests_outlet_status_created", "outlet_id", "status", "created_at"),
        Index("ix_reissue_requests_outlet_created", "outlet_id", "created_at"),
        Index("ix_reissue_requests_status_risk_created", "status", "risk_level", "created_at"),
        # The exact totals of filtered lists (API): counted from the index alone, without visiting the rows.
        Index("ix_reissue_requests_outlet_filters", "outlet_id", "status", "kind", "risk_level"),
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
    # The reason's template and parameters (cardops.core.messages), so pages show it in the reader's language.
    reason_data: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReissueRequest] = relationship(back_populates="flags")

    @property
    def reason_message(self):
        return message_from_data(self.reason_data, self.reason)

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
    # Set when the system wrote the reason (e.g. who collected): its template and parameters, for translation.
    reason_data: Mapped[dict | None] = mapped_column(JSON)

    request: Mapped[ReissueRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")

    # The daily handover sheet reads one day's events of an outlet.
    __table_args__ = (Index("ix_request_events_at", "at"),)

    @property
    def reason_message(self):
        return message_from_data(self.reason_data, self.reason)


class RequestCounter(db.Model):
    """Per outlet and day, the last number handed out; updated under a row lock at intake."""

    __tablename__ = "request_counters"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class ReceiptReprint(db.Model):
    """A lost receipt (回执遗失补打): asked for by a clerk of the outlet with the holder present and their ID checked,
    approved by a supervisor or a second clerk of the outlet. Approval gives the request a new pickup token and
    code: the lost receipt stops working. See ``cardops.reissue.reprints``."""

    __tablename__ = "receipt_reprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reissue_requests.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    holder_role: Mapped[str] = mapped_column(String(10))  # applicant | agent
    holder_id_masked: Mapped[str] = mapped_column(String(18))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ReissueRequest] = relationship(back_populates="reprints")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined", innerjoin=True)
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

    __table_args__ = (
        # At most one reprint waiting for approval per request, whoever asks at the same moment.
        Index("uq_receipt_reprints_pending", "request_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_receipt_reprints_status", "status"),
    )
