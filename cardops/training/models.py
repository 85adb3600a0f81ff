"""The trainer roster (小教员名册) and training sessions with their attendance (SPEC §5)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cardops.auth.models import User
from cardops.cases.models import Case
from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet


class TrainerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


TRAINER_STATUS_LABELS = {TrainerStatus.ACTIVE: N_("在册"), TrainerStatus.SUSPENDED: N_("暂停")}


class SessionKind(enum.StrEnum):
    BUSINESS = "business"
    WARNING_EDUCATION = "warning_education"
    ONBOARDING = "onboarding"


SESSION_KIND_LABELS = {
    SessionKind.BUSINESS: N_("业务培训"),
    SessionKind.WARNING_EDUCATION: N_("警示教育"),
    SessionKind.ONBOARDING: N_("新人带教"),
}


class Trainer(db.Model):
    """A roster entry: a user of an outlet appointed as trainer by the district. The outlet is the user's."""

    __tablename__ = "trainers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    appointed_on: Mapped[date]
    certified_until: Mapped[date]
    specialties: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=TrainerStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_trainers_status_certified", "status", "certified_until"),)

    def may_train_on(self, day: date) -> bool:
        """Active and certified on ``day``: a lapsed certification stops logging just like a suspension."""
        return self.status == TrainerStatus.ACTIVE and self.certified_until >= day


# Which library cases a session used (警示教育 with the year's typical cases).
session_cases = Table(
    "training_session_cases",
    db.metadata,
    Column("session_id", ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ForeignKey("cases.id"), primary_key=True, index=True),
)


class TrainingSession(db.Model):
    """One session at an outlet, or district-wide (``outlet_id`` None), with its attendees."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(SmallInteger)
    materials: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    outlet: Mapped[Outlet | None] = relationship(lazy="joined")
    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id], lazy="joined", innerjoin=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined", innerjoin=True)
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Attendance.user_id", lazy="selectin")
    cases: Mapped[list[Case]] = relationship(secondary=session_cases, order_by=Case.id, lazy="selectin",
                                             backref="training_sessions")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_training_sessions_outlet_held_on", "outlet_id", "held_on"),
        Index("ix_training_sessions_trainer_held_on", "trainer_id", "held_on"),
        Index("ix_training_sessions_kind_held_on", "kind", "held_on"),
    )


class Attendance(db.Model):
    """An invited member of staff: present or absent, with an optional test score (0–100) when present."""

    __tablename__ = "training_attendances"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    attended: Mapped[bool] = mapped_column(default=True)
    score: Mapped[int | None] = mapped_column(SmallInteger)

    session: Mapped[TrainingSession] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
