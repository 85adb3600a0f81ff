"""Reading requests: every list, queue, search and detail goes through the actor's outlet scope
(``cardops.core.access.scoped``), so another outlet's request is never found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import defaultload, joinedload, load_only, selectinload

from cardops.auth.models import User
from cardops.core.access import get_scoped_or_404, scoped
from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import local_midnight_utc, local_today, parse_iso_date, utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import deadlines
from cardops.reissue.models import ReissueRequest, RequestCheck, RequestEvent, RiskFlag
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import OPEN_STATUSES, Kind, Status
from cardops.risk.registry import RiskLevel

R = ReissueRequest
NUMBER_RE = re.compile(r"^[A-Z0-9]{2,16}-\d{8}-\d{4,}$")
LAST4_RE = re.compile(r"^\d{3}[\dX]$")


def _by_name(path):
    """The people on a request are shown by name: neither their roles nor their outlets are loaded."""
    return path.lazyload(User.role_rows), path.lazyload(User.outlet)


# A request with what its page and its API object show: the people by name, checks and flags joined in (a
# handful of rows each: cheaper than two more statements).
REQUEST_WITH_CHECKS = (
    *_by_name(defaultload(R.created_by)), *_by_name(defaultload(R.reviewed_by)),
    *_by_name(joinedload(R.checks).defaultload(RequestCheck.by)), joinedload(R.flags),
)
# A queue row: the columns the table shows, the creator's name, the latest results of the checks.
QUEUE_ROW = (
    load_only(R.id, R.number, R.outlet_id, R.kind, R.channel, R.status, R.risk_level, R.applicant_name,
              R.applicant_id_masked, R.expected_date, R.arrived_at, R.created_at, R.created_by_id),
    *_by_name(defaultload(R.created_by).load_only(User.id, User.display_name)),
    selectinload(R.checks).load_only(RequestCheck.step, RequestCheck.result).lazyload(RequestCheck.by),
)


def get_request_or_404(actor, number: str, *, with_events: bool = False) -> ReissueRequest:
    options = list(REQUEST_WITH_CHECKS)
    if with_events:  # the timeline, longer, in a second statement
        options += _by_name(selectinload(R.events).defaultload(RequestEvent.actor))
    stmt = select(R).where(R.number == (number or "").strip().upper()).options(*options)
    return get_scoped_or_404(stmt, actor, R.outlet_id)


@dataclass
class RequestFilters:
    status: str | None = None
    kind: str | None = None
    risk: str | None = None
    outlet_code: str | None = None
    q: str | None = None
    queue: str | None = None
    flag: str | None = None  # a risk rule's code: requests it flagged
    review: str | None = None  # approve | reject: the review decision on record
    created_from: date | None = None  # ``from``/``to``: local dates of intake, both included (the dashboard's
    created_to: date | None = None  # drill-down lists exactly the requests a figure counts)

    @classmethod
    def from_args(cls, args) -> RequestFilters:
        filters = cls(**{name: (args.get(name) or "").strip() or None for name in
                         ("status", "kind", "risk", "outlet_code", "q", "queue", "flag", "review")})
        fields = {}
        for name, allowed in (("status", list(Status)), ("kind", list(Kind)), ("risk", list(RiskLevel)),
                              ("queue", list(QUEUES)), ("flag", list(RULES.rules)), ("review", REVIEW_DECISIONS)):
            value = getattr(filters, name)
            if value is not None and value not in allowed:
                fields[name] = f"{name} 取值无效，可选：" + "、".join(allowed)
        if filters.q is not None and len(filters.q) > 60:
            fields["q"] = "搜索内容过长"
        for arg, name in (("from", "created_from"), ("to", "created_to")):
            value = (args.get(arg) or "").strip()
            if value:
                try:
                    setattr(filters, name, parse_iso_date(value))
                except ValueError:
                    fields[arg] = f"{arg} 应为有效日期，格式 YYYY-MM-DD"
        if fields:
            raise ValidationError(fields=fields)
        return filters


def _like_prefix(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def search_criteria(q: str) -> list:
    """Number, applicant name and/or the last four ID characters, e.g. ``张三 123X``: one criterion per term."""
    criteria = []
    for term in q.replace("，", " ").replace(",", " ").split():
        upper = term.upper()
        if NUMBER_RE.match(upper):
            criteria.append(R.number == upper)
        elif LAST4_RE.match(upper):
            criteria.append(R.applicant_id_last4 == upper)
        elif re.match(r"^[A-Z0-9]{2,16}-\d{0,8}", upper):
            criteria.append(R.number.like(_like_prefix(upper), escape="/"))
        else:
            criteria.append(R.applicant_name.like(_like_prefix(term), escape="/"))
    return criteria


# Each queue: its criterion at a moment ``now``.
QUEUES = {
    "today": lambda now: R.created_at >= local_midnight_utc(local_today()),
    "review": lambda now: R.status == Status.PENDING_REVIEW,
    "awaiting_card": lambda now: R.status == Status.SUBMITTED,
    "ready": lambda now: R.status == Status.READY,
    "overdue": lambda now: or_(deadlines.stale(now), deadlines.uncollected(now)),
    "open": lambda now: R.status.in_(OPEN_STATUSES),
    # The two halves of "overdue", for the dashboard's drill-down.
    "stale": lambda now: deadlines.stale(now),
    "uncollected": lambda now: deadlines.uncollected(now),
}
QUEUE_LABELS = {
    "today": N_("今日受理"),
    "review": N_("待复核"),
    "awaiting_card": N_("待到卡"),
    "ready": N_("待领取"),
    "overdue": N_("已超时"),
    "open": N_("全部在办"),
    "stale": N_("超时未办结"),
    "uncollected": N_("超期未领取"),
}
REVIEW_DECISIONS = ["approve", "reject"]
# The review queue: high risk first, then the longest waiting.
REVIEW_ORDER = (case((R.risk_level == RiskLevel.HIGH, 0), (R.risk_level == RiskLevel.MEDIUM, 1), else_=2),
                R.created_at)
NEWEST_FIRST = (R.created_at.desc(), R.id.desc())


def requests_query(actor, filters: RequestFilters, *, order=NEWEST_FIRST, now: datetime | None = None) -> Select:
    """The actor's requests matching ``filters`` (add the loading options of what is shown)."""
    stmt = scoped(select(R), actor, R.outlet_id)
    for name, column in (("status", R.status), ("kind", R.kind), ("risk", R.risk_level)):
        if getattr(filters, name):
            stmt = stmt.where(column == getattr(filters, name))
    if filters.outlet_code:
        stmt = stmt.where(R.outlet_id == select(Outlet.id).where(Outlet.code == filters.outlet_code.upper())
                          .scalar_subquery())
    if filters.queue:
        stmt = stmt.where(QUEUES[filters.queue](now or utcnow()))
    if filters.flag:
        stmt = stmt.where(R.flags.any(RiskFlag.code == filters.flag))
    if filters.review:
        stmt = stmt.where(R.review_decision == filters.review)
    if filters.created_from:
        stmt = stmt.where(R.created_at >= local_midnight_utc(filters.created_from))
    if filters.created_to:
        stmt = stmt.where(R.created_at < local_midnight_utc(filters.created_to + timedelta(days=1)))
    if filters.q:
        stmt = stmt.where(*search_criteria(filters.q))
    return stmt.order_by(*order)


def queue_counts(actor) -> dict[str, int]:
    """How many requests each queue holds for this actor (the cards of the queue and home pages): one query."""
    now = utcnow()
    columns = [func.count(case((criterion(now), 1))).label(name) for name, criterion in QUEUES.items()]
    # Only open requests and today's can be in a queue: the index narrows the count to them.
    stmt = select(*columns).select_from(R).where(or_(R.status.in_(OPEN_STATUSES), QUEUES["today"](now)))
    return dict(db.session.execute(scoped(stmt, actor, R.outlet_id)).one()._mapping)


# The review queue also shows why each request is risky.
REVIEW_ROW = (*QUEUE_ROW, selectinload(R.flags).load_only(RiskFlag.reason))
