"""The weekly digest's figures: for each active outlet, what came in last week (Monday to Sunday, local dates)
and what is overdue now. Three grouped queries, each narrowed by an index: the week's requests by outlet and
creation time, the open requests by status, the training record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from cardops.core.timeutil import local_midnight_utc, to_local
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import deadlines
from cardops.reissue.models import ReissueRequest as R
from cardops.reissue.workflow import Status
from cardops.risk.registry import RiskLevel
from cardops.training.queries import last_warning_education

FIGURES = ("received", "high_risk", "rejected", "cancelled", "pending_review", "stale", "uncollected")


@dataclass
class OutletFigures:
    code: str
    name: str
    received: int = 0
    high_risk: int = 0
    rejected: int = 0
    cancelled: int = 0
    pending_review: int = 0
    stale: int = 0
    uncollected: int = 0
    last_warning_education: date | None = None

    def as_text(self) -> str:
        training = self.last_warning_education.isoformat() if self.last_warning_education else "无记录"
        return (f"受理 {self.received}（高风险 {self.high_risk}，驳回 {self.rejected}，撤销 {self.cancelled}）；"
                f"待复核 {self.pending_review}；超时未办结 {self.stale}；逾期未领取 {self.uncollected}；"
                f"最近警示教育 {training}")


@dataclass
class WeekFigures:
    start: date  # Monday
    end: date  # Sunday
    outlets: list[OutletFigures] = field(default_factory=list)

    @property
    def totals(self) -> OutletFigures:
        total = OutletFigures("", "全区")
        for name in FIGURES:
            setattr(total, name, sum(getattr(row, name) for row in self.outlets))
        return total

    def as_text(self) -> str:
        totals = self.totals
        lines = [f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}，各网点情况如下"
                 "（待复核、超时、逾期未领取为截至发送时的数字）：",
                 "",
                 f"全区：受理 {totals.received}（高风险 {totals.high_risk}，驳回 {totals.rejected}，撤销 "
                 f"{totals.cancelled}）；待复核 {totals.pending_review}；超时未办结 {totals.stale}；"
                 f"逾期未领取 {totals.uncollected}",
                 ""]
        lines += [f"{row.code} {row.name}：{row.as_text()}" for row in self.outlets]
        return "\n".join(lines)


def last_week(as_of: datetime) -> tuple[date, date]:
    """Monday and Sunday of the (local) week before the one ``as_of`` falls in."""
    today = to_local(as_of).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def week_figures(as_of: datetime) -> WeekFigures:
    start, end = last_week(as_of)
    outlets = db.session.scalars(select(Outlet).where(Outlet.active.is_(True)).order_by(Outlet.code)).all()
    rows = {o.id: OutletFigures(o.code, o.name) for o in outlets}
    if not rows:
        return WeekFigures(start, end)
    outlet_ids = list(rows)
    window = (R.created_at >= local_midnight_utc(start)) & (R.created_at < local_midnight_utc(end + timedelta(days=1)))
    received = db.session.execute(
        select(R.outlet_id, func.count(), func.count(case((R.risk_level == RiskLevel.HIGH, 1))),
               func.count(case((R.status == Status.REJECTED, 1))), func.count(case((R.status == Status.CANCELLED, 1))))
        .where(R.outlet_id.in_(outlet_ids), window).group_by(R.outlet_id))
    for outlet_id, count, high, rejected, cancelled in received:
        row = rows[outlet_id]
        row.received, row.high_risk, row.rejected, row.cancelled = count, high, rejected, cancelled
    open_now = db.session.execute(
        select(R.outlet_id, func.count(case((R.status == Status.PENDING_REVIEW, 1))),
               func.count(case((deadlines.stale(as_of), 1))), func.count(case((deadlines.uncollected(as_of), 1))))
        .where(R.outlet_id.in_(outlet_ids),
               R.status.in_((Status.INTAKE, Status.PENDING_REVIEW, Status.READY)))
        .group_by(R.outlet_id))
    for outlet_id, pending, stale, uncollected in open_now:
        rows[outlet_id].pending_review, rows[outlet_id].stale, rows[outlet_id].uncollected = pending, stale, uncollected
    for outlet_id, latest in last_warning_education(outlet_ids, on_or_before=to_local(as_of).date()).items():
        rows[outlet_id].last_warning_education = latest
    return WeekFigures(start, end, list(rows.values()))
