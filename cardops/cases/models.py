"""Typical cases (典型事例) and the annual selection of ten (SPEC §6)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cardops.auth.models import User
from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    NOMINATED = "nominated"
    SELECTED = "selected"


CASE_STATUS_LABELS = {
    CaseStatus.DRAFT: N_("草稿"),
    CaseStatus.SUBMITTED: N_("待审核"),
    CaseStatus.RETURNED: N_("已退回"),
    CaseStatus.ACCEPTED: N_("已入库"),
    CaseStatus.NOMINATED: N_("已提名"),
    CaseStatus.SELECTED: N_("年度典型"),
}
# The library every outlet learns from: accepted cases and those that went on to the selection.
LIBRARY_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.NOMINATED, CaseStatus.SELECTED})


class CaseCategory(enum.StrEnum):
    FRAUD_PREVENTED = "fraud_prevented"
    SERVICE = "service"
    ERROR = "error"
    COMPLAINT = "complaint"
    OTHER = "other"


CASE_CATEGORY_LABELS = {
    CaseCategory.FRAUD_PREVENTED: N_("成功防范冒补"),
    CaseCategory.SERVICE: N_("优质服务"),
    CaseCategory.ERROR: N_("差错"),
    CaseCategory.COMPLAINT: N_("投诉处理"),
    CaseCategory.OTHER: N_("其他"),
}


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    occurred_on: Mapped[date]
    category: Mapped[str] = mapped_column(String(20))
    narrative: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("reissue_requests.id"))
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.DRAFT)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    nominated_year: Mapped[int | None]
    selected_year: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    outlet: Mapped[Outlet] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    request: Mapped[ReissueRequest | None] = relationship(lazy="select")
    scores: Mapped[list[CaseScore]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                   order_by="CaseScore.id", lazy="select")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_cases_status_outlet", "status", "outlet_id"),
        Index("ix_cases_outlet_occurred_on", "outlet_id", "occurred_on"),
        Index("ix_cases_nominated_year", "nominated_year"),
        Index("ix_cases_selected_year", "selected_year"),
    )


class CaseScore(db.Model):
    """One supervisor's score of one nominee: three criteria, each 1–5; replaced until the round is final."""

    __tablename__ = "case_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    typicality: Mapped[int] = mapped_column(SmallInteger)
    educational_value: Mapped[int] = mapped_column(SmallInteger)
    impact: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="scores")
    supervisor: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (UniqueConstraint("case_id", "supervisor_id", name="uq_case_scores_case_supervisor"),)

    @property
    def total(self) -> int:
        return self.typicality + self.educational_value + self.impact


class SelectionRound(db.Model):
    """A year's selection (年度十大典型事例评选): open while supervisors score, final once finalised."""

    __tablename__ = "selection_rounds"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(8), default="open")
    finalised_at: Mapped[datetime | None]
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tie_break: Mapped[str | None] = mapped_column(Text)

    finalised_by: Mapped[User | None] = relationship(lazy="joined")
