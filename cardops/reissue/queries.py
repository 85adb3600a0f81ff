"""Reading requests: every list, queue, search and detail goes through the actor's outlet scope."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import defaultload, joinedload, selectinload

from cardops.auth.models import User
from cardops.core.access import apply_scope_shape, scope_shape
from cardops.core.errors import NotFound, ValidationError
from cardops.core.i18n import N_
from cardops.core.pagination import ListQuery, Page, paginate
from cardops.core.timeutil import local_midnight_utc, local_today, utcnow
from cardops.core.workdays import subtract_working_days
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest, RequestCheck, RequestEvent, RiskFlag
from cardops.reissue.workflow import (
    Kind,
    RiskLevel,
    Status,
    Step,
    missing_steps,
    required_steps,
    review_level_needed,
)

R = ReissueRequest
NUMBER_RE = re.compile(r"^[A-Z0-9]{2,16}-\d{8}-\d{4,}$")
LAST4_RE = re.compile(r"^\d{3}[\dX]$")
OVERDUE_WORKING_DAYS = 2
UNCOLLECTED_DAYS = 30


# The people on a request (who took it in, checked, reviewed, acted) are shown by name: neither their roles
# (User.role_rows' eager "selectin" would cost one more query per set of them) nor their outlets are loaded.
PEOPLE_BY_NAME = tuple(
    option
    for path in (defaultload(R.created_by), defaultload(R.reviewed_by),
                 defaultload(R.checks).defaultload(RequestCheck.by))
    for option in (path.lazyload(User.role_rows), path.lazyload(User.outlet))
)

# A request's checks and flags are a handful of rows each: joined in, they cost less than the two extra
# statements and hydration of "selectin" (for a page, the database applies LIMIT to the requests, then joins).
WITH_CHECKS_AND_FLAGS = (joinedload(R.checks), joinedload(R.flags))


def get_request_or_404(actor, number: str, *, with_events: bool = False) -> ReissueRequest:
    shape, params = scope_shape(actor)
    request = db.session.scalars(_by_number(shape, with_events),
                                 {**params, "number": (number or "").strip().upper()}).unique().one_or_none()
    if request is None:
        raise NotFound()
    return request


@functools.cache
def _by_number(scope: str, with_events: bool) -> Select:
    # The timeline, longer, in a second statement.
    options = [*PEOPLE_BY_NAME, *WITH_CHECKS_AND_FLAGS]
    if with_events:
        events = selectinload(R.events).defaultload(RequestEvent.actor)
        options += [events.lazyload(User.role_rows), events.lazyload(User.outlet)]
    return apply_scope_shape(select(R).where(R.number == bindparam("number")), R, scope).options(*options)


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


def _search_terms(q: str) -> list[tuple[str, str]]:
    """Number, applicant name and/or the last four ID characters, e.g. ``张三 123X``: (kind, value) per term."""
    terms = []
    for term in q.replace("，", " ").replace(",", " ").split():
        upper = term.upper()
        if NUMBER_RE.match(upper):
            terms.append(("number", upper))
        elif LAST4_RE.match(upper):
            terms.append(("last4", upper))
        elif re.match(r"^[A-Z0-9]{2,16}-\d{0,8}", upper):
            terms.append(("number_prefix", _like_prefix(upper)))
        else:
            terms.append(("name_prefix", _like_prefix(term)))
    return terms


def _like_prefix(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


SEARCH_CRITERIA = {
    "number": lambda p: R.number == p,
    "last4": lambda p: R.applicant_id_last4 == p,
    "number_prefix": lambda p: R.number.like(p, escape="/"),
    "name_prefix": lambda p: R.applicant_name.like(p, escape="/"),
}


def time_params(now: datetime | None = None) -> dict[str, datetime]:
    """The instants the queues are defined by: start of today (local), and the overdue limits."""
    now = now or utcnow()
    return {
        "today_start": local_midnight_utc(local_today()),
        "stale_before": subtract_working_days(now, OVERDUE_WORKING_DAYS),
        "uncollected_before": now - timedelta(days=UNCOLLECTED_DAYS),
    }


OPEN = (Status.INTAKE, Status.PENDING_REVIEW, Status.SUBMITTED, Status.READY)
# Each queue: its criterion (over the parameters of ``time_params``) and the parameters it uses.
QUEUES = {
    "today": (lambda: R.created_at >= bindparam("today_start"), ("today_start",)),
    "review": (lambda: R.status == Status.PENDING_REVIEW, ()),
    "awaiting_card": (lambda: R.status == Status.SUBMITTED, ()),
    "ready": (lambda: R.status == Status.READY, ()),
    "overdue": (lambda: or_(
        (R.status.in_([Status.INTAKE, Status.PENDING_REVIEW])) & (R.created_at < bindparam("stale_before")),
        (R.status == Status.READY) & (R.arrived_at < bindparam("uncollected_before")),
    ), ("stale_before", "uncollected_before")),
    "open": (lambda: R.status.in_(OPEN), ()),
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


FILTER_COLUMNS = {"status": R.status, "kind": R.kind, "risk": R.risk_level}  # filters that are one column's value


@dataclass(frozen=True)
class _ListShape:
    """What a list statement looks like, whatever the values: statements are built once per shape."""

    scope: str
    status: bool
    kind: bool
    risk: bool
    outlet_code: bool
    queue: str | None
    terms: tuple[str, ...]
    review_first: bool
    summary: bool


def list_requests(actor, filters: RequestFilters, *, review_first: bool = False,
                  summary: bool = False) -> tuple[ListQuery, dict]:
    """The actor's requests matching ``filters``, newest first (or the review order: high risk, then oldest):
    request objects, or with ``summary`` the columns a queue shows (see ``summaries``). Run with ``paginate``."""
    scope, params = scope_shape(actor)
    terms = _search_terms(filters.q) if filters.q else []
    for name in FILTER_COLUMNS:
        if getattr(filters, name):
            params[name] = getattr(filters, name)
    if filters.outlet_code:
        params["outlet_code"] = filters.outlet_code.upper()
    if filters.queue:
        times = time_params()
        params.update({name: times[name] for name in QUEUES[filters.queue][1]})
    params.update({f"q{i}": value for i, (_, value) in enumerate(terms)})
    shape = _ListShape(scope, bool(filters.status), bool(filters.kind), bool(filters.risk),
                       bool(filters.outlet_code), filters.queue, tuple(kind for kind, _ in terms), review_first,
                       summary)
    return _list_query(shape), params


SUMMARY_COLUMNS = (
    R.id, R.number, R.outlet_id, R.kind, R.channel, R.status, R.risk_level, R.applicant_name,
    R.applicant_id_masked, R.expected_date, R.arrived_at, R.created_at, R.created_by_id,
    User.display_name.label("created_by_name"), Outlet.code.label("outlet_code"), Outlet.name.label("outlet_name"),
)


@functools.lru_cache(maxsize=512)  # bounded: search terms make shapes, and a user could type many
def _list_query(shape: _ListShape) -> ListQuery:
    if shape.summary:
        stmt = (select(*SUMMARY_COLUMNS).join(User, User.id == R.created_by_id)
                .join(Outlet, Outlet.id == R.outlet_id))
    else:
        stmt = select(R).options(*PEOPLE_BY_NAME, *WITH_CHECKS_AND_FLAGS)
    stmt = apply_scope_shape(stmt, R, shape.scope)
    for name, column in FILTER_COLUMNS.items():
        if getattr(shape, name):
            stmt = stmt.where(column == bindparam(name))
    if shape.outlet_code:
        stmt = stmt.where(R.outlet_id == select(Outlet.id).where(Outlet.code == bindparam("outlet_code"))
                          .scalar_subquery())
    if shape.queue:
        stmt = stmt.where(QUEUES[shape.queue][0]())
    for i, kind in enumerate(shape.terms):
        stmt = stmt.where(SEARCH_CRITERIA[kind](bindparam(f"q{i}")))
    order = [RISK_ORDER, R.created_at] if shape.review_first else [R.created_at.desc(), R.id.desc()]
    return ListQuery.of(stmt.order_by(*order))


class RequestSummary:
    """A request as a queue shows it, read as plain columns; the workflow's derived values computed the same
    way as on ``ReissueRequest`` (and ``permissions.refusal`` accepts it)."""

    __slots__ = (*(c.key for c in SUMMARY_COLUMNS), "latest_results", "flag_reasons")

    def __init__(self, row):
        for key, value in row._mapping.items():
            setattr(self, key, value)
        self.latest_results: dict[str, str] = {}
        self.flag_reasons: list[str] = []

    @property
    def missing_checks(self) -> list[Step]:
        required = required_steps(kind=self.kind, channel=self.channel, risk_level=self.risk_level)
        return missing_steps(required, self.latest_results)

    @property
    def review_level_needed(self) -> str | None:
        return review_level_needed(self.risk_level)


_PAGE_CHECKS = (select(RequestCheck.request_id, RequestCheck.step, RequestCheck.result)
                .where(RequestCheck.request_id.in_(bindparam("ids", expanding=True))).order_by(RequestCheck.id))
_PAGE_FLAGS = (select(RiskFlag.request_id, RiskFlag.reason)
               .where(RiskFlag.request_id.in_(bindparam("ids", expanding=True))).order_by(RiskFlag.id))


def summaries(actor, filters: RequestFilters, page: int, per_page: int, *, review_first: bool = False,
              with_flags: bool = False, counts: dict[str, int] | None = None) -> Page:
    """A page of ``RequestSummary`` for the queues: three statements (count, rows, their checks), four with
    the flags' reasons, whatever the page size.

    ``counts``, the queue cards' figures (``queue_counts``) when the page has them: a queue tab with no other
    filter takes its total from its card (same criteria), without counting again.
    """
    query, params = list_requests(actor, filters, review_first=review_first, summary=True)
    total = None
    if counts is not None and filters.queue and filters == RequestFilters(queue=filters.queue):
        total = counts.get(filters.queue)
    listing = paginate(query, page, per_page, params=params, scalars=False, total=total)
    items = [RequestSummary(row) for row in listing.items]
    by_id = {item.id: item for item in items}
    if by_id:
        for request_id, step, result in db.session.execute(_PAGE_CHECKS, {"ids": list(by_id)}):
            by_id[request_id].latest_results[step] = result  # ordered by id: later checks win
        if with_flags:
            for request_id, reason in db.session.execute(_PAGE_FLAGS, {"ids": list(by_id)}):
                by_id[request_id].flag_reasons.append(reason)
    listing.items = items
    return listing


def queue_counts(actor) -> dict[str, int]:
    """How many requests each queue holds for this actor (the cards of the queue page), in one query."""
    scope, params = scope_shape(actor)
    return dict(db.session.execute(_queue_counts(scope), {**params, **time_params()}).one()._mapping)


@functools.cache
def _queue_counts(scope: str) -> Select:
    columns = [func.count(case((criterion(), 1))).label(name) for name, (criterion, _) in QUEUES.items()]
    stmt = select(*columns).select_from(R).where(or_(R.status.in_(OPEN), R.created_at >= bindparam("today_start")))
    return apply_scope_shape(stmt, R, scope)
