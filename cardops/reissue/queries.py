"""Reading requests: every list, queue, search and detail goes through the actor's outlet scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import defaultload, selectinload

from cardops.auth.models import User
from cardops.core.access import get_scoped_or_404, scope_to_actor
from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import local_midnight_utc, local_today, utcnow
from cardops.core.workdays import subtract_working_days
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest, RequestCheck, RequestEvent
from cardops.reissue.workflow import Kind, RiskLevel, Status

R = ReissueRequest
NUMBER_RE = re.compile(r"^[A-Z0-9]{2,16}-\d{8}-\d{4,}$")
LAST4_RE = re.compile(r"^\d{3}[\dX]$")
OVERDUE_WORKING_DAYS = 2
UNCOLLECTED_DAYS = 30


# The people on a request (who took it in, checked, reviewed, acted) are shown by name; their roles are not
# needed, and User.role_rows' eager "selectin" would cost one more query per set of them on every read.
PEOPLE_WITHOUT_ROLES = (
    defaultload(R.created_by).lazyload(User.role_rows),
    defaultload(R.reviewed_by).lazyload(User.role_rows),
    defaultload(R.checks).defaultload(RequestCheck.by).lazyload(User.role_rows),
)


def get_request_or_404(actor, number: str, *, with_events: bool = False) -> ReissueRequest:
    options = list(PEOPLE_WITHOUT_ROLES)
    if with_events:
        options.append(selectinload(R.events).defaultload(RequestEvent.actor).lazyload(User.role_rows))
    return get_scoped_or_404(R, actor, R.number == (number or "").strip().upper(), options=options)


@dataclass
class RequestFilters:
    status: str | None = None
    kind: str | None = None
    risk: str | None = None
    outlet_code: str | None = None
    q: str | None = None
    queue: str | None = None

    @classmethod
    def from_args(cls, args) -> RequestFilters:
        filters = cls(**{name: (args.get(name) or "").strip() or None for name in
                         ("status", "kind", "risk", "outlet_code", "q", "queue")})
        fields = {}
        for name, enum_cls in (("status", Status), ("kind", Kind), ("risk", RiskLevel)):
            value = getattr(filters, name)
            if value is not None and value not in {e.value for e in enum_cls}:
                fields[name] = f"{name} 取值无效，可选：" + "、".join(e.value for e in enum_cls)
        if filters.queue is not None and filters.queue not in QUEUES:
            fields["queue"] = "queue 取值无效，可选：" + "、".join(QUEUES)
        if filters.q is not None and len(filters.q) > 60:
            fields["q"] = "搜索内容过长"
        if fields:
            raise ValidationError(fields=fields)
        return filters


def _search(stmt: Select, q: str) -> Select:
    """Number, applicant name and/or the last four ID characters, e.g. ``张三 123X``."""
    terms = q.replace("，", " ").replace(",", " ").split()
    for term in terms:
        upper = term.upper()
        if NUMBER_RE.match(upper):
            stmt = stmt.where(R.number == upper)
        elif LAST4_RE.match(upper):
            stmt = stmt.where(R.applicant_id_last4 == upper)
        elif re.match(r"^[A-Z0-9]{2,16}-\d{0,8}", upper):
            stmt = stmt.where(R.number.startswith(upper, autoescape=True))
        else:
            stmt = stmt.where(R.applicant_name.startswith(term, autoescape=True))
    return stmt


def overdue_criteria(now: datetime | None = None):
    now = now or utcnow()
    stale_before = subtract_working_days(now, OVERDUE_WORKING_DAYS)
    return or_(
        (R.status.in_([Status.INTAKE, Status.PENDING_REVIEW])) & (R.created_at < stale_before),
        (R.status == Status.READY) & (R.arrived_at < now - timedelta(days=UNCOLLECTED_DAYS)),
    )


def today_start_utc() -> datetime:
    return local_midnight_utc(local_today())


QUEUES = {
    "today": lambda: R.created_at >= today_start_utc(),
    "review": lambda: R.status == Status.PENDING_REVIEW,
    "awaiting_card": lambda: R.status == Status.SUBMITTED,
    "ready": lambda: R.status == Status.READY,
    "overdue": lambda: overdue_criteria(),
    "open": lambda: R.status.in_([Status.INTAKE, Status.PENDING_REVIEW, Status.SUBMITTED, Status.READY]),
}
QUEUE_LABELS = {
    "today": N_("今日受理"),
    "review": N_("待复核"),
    "awaiting_card": N_("待到卡"),
    "ready": N_("待领取"),
    "overdue": N_("已超时"),
    "open": N_("全部在办"),
}

RISK_ORDER = case((R.risk_level == RiskLevel.HIGH, 0), (R.risk_level == RiskLevel.MEDIUM, 1), else_=2)


def list_requests(actor, filters: RequestFilters, *, review_first: bool = False) -> Select:
    stmt = scope_to_actor(select(R), R, actor)
    if filters.status:
        stmt = stmt.where(R.status == filters.status)
    if filters.kind:
        stmt = stmt.where(R.kind == filters.kind)
    if filters.risk:
        stmt = stmt.where(R.risk_level == filters.risk)
    if filters.outlet_code:
        stmt = stmt.where(R.outlet_id == select(Outlet.id).where(Outlet.code == filters.outlet_code.upper())
                          .scalar_subquery())
    if filters.queue:
        stmt = stmt.where(QUEUES[filters.queue]())
    if filters.q:
        stmt = _search(stmt, filters.q)
    order = [RISK_ORDER, R.created_at] if review_first else [R.created_at.desc(), R.id.desc()]
    return stmt.order_by(*order).options(*PEOPLE_WITHOUT_ROLES)


def queue_counts(actor) -> dict[str, int]:
    """How many requests each queue holds for this actor, in one query."""
    columns = [func.count(case((criterion(), 1))).label(name) for name, criterion in QUEUES.items()
               if name != "open"]
    stmt = scope_to_actor(
        select(*columns).select_from(R).where(
            or_(R.status.in_([Status.INTAKE, Status.PENDING_REVIEW, Status.SUBMITTED, Status.READY]),
                R.created_at >= today_start_utc())
        ), R, actor)
    row = db.session.execute(stmt).one()
    return dict(row._mapping)
