"""Reading requests: every list, queue, search and detail goes through the actor's outlet scope
(``cardops.core.access.scoped``), so another outlet's request is never found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, String, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from cardops.auth.models import User
from cardops.core.access import ScopedStatement, in_scope, scoped
from cardops.core.errors import NotFound, ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message, verbatim
from cardops.core.pagination import Page, paged, paginate
from cardops.core.timeutil import local_midnight_utc, parse_iso_date, to_local, utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import deadlines
from cardops.reissue.idsearch import has_id_number
from cardops.reissue.models import ReissueRequest, RequestCheck, RiskFlag
from cardops.reissue.numbers import NUMBER_SHAPE
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import OPEN_STATUSES, Kind, Status, missing_steps, required_steps
from cardops.risk.registry import RiskLevel

R = ReissueRequest
NUMBER_RE = re.compile(f"^{NUMBER_SHAPE}$")
LAST4_RE = re.compile(r"^\d{3}[\dX]$")


# What a request's page and its API object show: its outlet, the people by name, its checks and flags, joined in
# (a handful of rows each: cheaper than more statements).
REQUEST_WITH_CHECKS = (joinedload(R.outlet), joinedload(R.created_by), joinedload(R.reviewed_by),
                       joinedload(R.checks), joinedload(R.flags))
# The API's lists serialize a page of them and name the people by username alone: the rest of each person's row
# (up to four a request) is left unread — it cost an API list page more than building its statements (bench/).
LISTED_REQUEST = (joinedload(R.outlet), joinedload(R.created_by).load_only(User.username),
                  joinedload(R.reviewed_by).load_only(User.username),
                  joinedload(R.checks).joinedload(RequestCheck.by).load_only(User.username), joinedload(R.flags))
# A queue row: the request (its ciphertext columns are deferred) with its outlet's code and name and the name of
# who took it in, joined as plain columns: loading outlet and user as objects too (``joinedload``) cost a queue page
# more than its twenty requests (bench/). The missing checks of the rows at the counter (``missing_checks_of``) and
# the risk flags of a review page (``flags_of``) come in one plain query each.
# Aliases: the outlet filter's subquery on ``outlets`` must not correlate with the outlet joined for its name.
SHOWN_OUTLET, CREATOR = aliased(Outlet, name="shown_outlet"), aliased(User, name="creator")


def queue_rows(stmt: Select) -> Select:
    """``stmt`` (of ``requests_query``) as rows of ``ReissueRequest``, ``created_by_name``, ``outlet_code`` and
    ``outlet_name``."""
    return (stmt.add_columns(CREATOR.display_name.label("created_by_name"), SHOWN_OUTLET.code.label("outlet_code"),
                             SHOWN_OUTLET.name.label("outlet_name"))
            .join(CREATOR, CREATOR.id == R.created_by_id).join(SHOWN_OUTLET, SHOWN_OUTLET.id == R.outlet_id))


# One request by its number, on every request page and API call: written once (the number a named parameter), so
# SQLAlchemy reuses its compiled form. The request's page also shows its timeline (longer: in a statement of its
# own) and its receipt reprints (rare: joined in).
BY_NUMBER = select(R).where(R.number == bindparam("number")).options(*REQUEST_WITH_CHECKS)
BY_NUMBER_WITH_EVENTS = BY_NUMBER.options(selectinload(R.events), joinedload(R.reprints))


def get_request_or_404(actor, number: str, *, with_events: bool = False) -> ReissueRequest:
    """The request numbered ``number`` if ``actor`` may see it (``in_scope``), else 404."""
    stmt = BY_NUMBER_WITH_EVENTS if with_events else BY_NUMBER
    request = db.session.scalars(stmt, {"number": (number or "").strip().upper()}).unique().one_or_none()
    if request is None or not in_scope(actor, request.outlet_id):
        raise NotFound()
    return request


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
    # A full ID number's keyed hash (never the number): the applicant's or the agent's (cardops.reissue.idsearch).
    id_hash: str | None = None

    TEXT_ARGS = ("status", "kind", "risk", "outlet_code", "q", "queue", "flag", "review")
    DATE_ARGS = {"from": "created_from", "to": "created_to"}
    NAMES = (*TEXT_ARGS, *DATE_ARGS)  # the query arguments a queue's address may carry

    @classmethod
    def from_args(cls, args) -> RequestFilters:
        """Filters from query arguments (or a JSON body's fields). A full ID number in ``q`` is refused: it would
        stand in URLs and access logs (the pages and ``POST /api/v1/requests/search`` take it by POST)."""
        fields, values = {}, {}
        for name in cls.NAMES:
            value = args.get(name)
            if value is not None and not isinstance(value, str):
                fields[name] = Message(N_("%(name)s 应为文字"), name=verbatim(name))
                continue
            values[name] = (value or "").strip() or None
        filters = cls(**{name: values.get(name) for name in cls.TEXT_ARGS})
        for name, allowed in (("status", list(Status)), ("kind", list(Kind)), ("risk", list(RiskLevel)),
                              ("queue", list(QUEUES)), ("flag", list(RULES.rules)), ("review", REVIEW_DECISIONS)):
            value = getattr(filters, name)
            if value is not None and value not in allowed:
                fields[name] = Message(N_("%(name)s 取值无效，可选：%(allowed)s"), name=verbatim(name),
                                       allowed=verbatim("、".join(allowed)))
        if filters.q is not None and len(filters.q) > 60:
            fields["q"] = N_("搜索内容过长")
        elif has_id_number(filters.q):
            fields["q"] = N_("完整身份证号码不能放在网址中：请在页面的搜索框中输入，或用 POST /api/v1/requests/search")
        for arg, name in cls.DATE_ARGS.items():
            if values.get(arg):
                try:
                    setattr(filters, name, parse_iso_date(values[arg]))
                except ValueError:
                    fields[arg] = Message(N_("%(name)s 应为有效日期，格式 YYYY-MM-DD"), name=verbatim(arg))
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


# Each queue's criterion. The moments they depend on are named parameters, valued at a moment ``now`` by
# ``queue_moments``: the counts below are written once, and a list binds the values (``queue_criterion``).
QUEUES = {
    "today": R.created_at >= bindparam("today_start"),
    "review": R.status == Status.PENDING_REVIEW,
    "awaiting_card": R.status == Status.SUBMITTED,
    "ready": R.status == Status.READY,
    "overdue": or_(deadlines.entered_before(bindparam("stale_before")),
                   deadlines.arrived_at_or_before(bindparam("arrived_by"))),
    "open": R.status.in_(OPEN_STATUSES),
    # The two halves of "overdue", for the dashboard's drill-down.
    "stale": deadlines.entered_before(bindparam("stale_before")),
    "uncollected": deadlines.arrived_at_or_before(bindparam("arrived_by")),
}


def queue_moments(now: datetime) -> dict[str, datetime]:
    return {"today_start": local_midnight_utc(to_local(now).date()), "stale_before": deadlines.stale_before(now),
            "arrived_by": deadlines.arrived_by(now)}


def queue_criterion(name: str, now: datetime):
    """The queue's criterion with the values of its moments at ``now``."""
    return QUEUES[name].params(queue_moments(now))


# The queues with a card (and "open", a tab of its own): what ``queue_counts`` counts. "stale" and "uncollected" only
# split "overdue" for the dashboard's drill-down.
COUNTED_QUEUES = ("today", "review", "awaiting_card", "ready", "overdue", "open")
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


def outlet_id_of(code):
    return select(Outlet.id).where(Outlet.code == code).scalar_subquery()


def requests_query(actor, filters: RequestFilters, *, order=NEWEST_FIRST, now: datetime | None = None) -> Select:
    """The actor's requests matching ``filters``: what a list counts. What it shows of them (``queue_rows``, loading
    options) goes to ``paginate`` as its ``rows``."""
    stmt = scoped(select(R), actor, R.outlet_id)
    for name, column in (("status", R.status), ("kind", R.kind), ("risk", R.risk_level)):
        if getattr(filters, name):
            stmt = stmt.where(column == getattr(filters, name))
    if filters.outlet_code:
        stmt = stmt.where(R.outlet_id == outlet_id_of(filters.outlet_code.upper()))
    if filters.queue:
        stmt = stmt.where(queue_criterion(filters.queue, now or utcnow()))
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
    if filters.id_hash:
        stmt = stmt.where(or_(R.applicant_id_hash == filters.id_hash, R.agent_id_hash == filters.id_hash))
    return stmt.order_by(*order)


# The review queue, on every visit of the review page: written once — scoped, paged, the supervisor's outlet filter
# the parameter ``outlet_code`` (None: every outlet) — where ``requests_query`` would build it anew each time
# (tests/reissue/test_review_queue_statement.py: the same rows).
_CHOSEN_OUTLET = bindparam("outlet_code", type_=String)
_IN_REVIEW = select(R).where(QUEUES["review"],
                             or_(_CHOSEN_OUTLET.is_(None), R.outlet_id == outlet_id_of(_CHOSEN_OUTLET)))
REVIEW_QUEUE = ScopedStatement(_IN_REVIEW, R.outlet_id)
REVIEW_QUEUE_ROWS = ScopedStatement(paged(queue_rows(_IN_REVIEW).order_by(*REVIEW_ORDER)), R.outlet_id)


def awaiting_review(actor, outlet_code: str | None, page: int, per_page: int) -> Page:
    """A page of queue rows (``queue_rows``) of the requests awaiting review that ``actor`` sees, in the review
    order, of one outlet if ``outlet_code`` is given."""
    counted, params = REVIEW_QUEUE.for_actor(actor)
    rows, _ = REVIEW_QUEUE_ROWS.for_actor(actor)
    return paginate(counted, page, per_page, bounded=True, scalars=False, rows=rows,
                    params={**params, "outlet_code": outlet_code.upper() if outlet_code else None})


# How many requests each queue holds (the cards of the queue and home pages), on every queue page: one statement,
# written once. Only open requests and today's can be in a queue: the index narrows the count to them.
QUEUE_COUNTS = ScopedStatement(
    select(*[func.count().filter(QUEUES[name]).label(name) for name in COUNTED_QUEUES]).select_from(R)
    .where(or_(R.status.in_(OPEN_STATUSES), QUEUES["today"])), R.outlet_id)


def queue_counts(actor, now: datetime | None = None) -> dict[str, int]:
    stmt, params = QUEUE_COUNTS.for_actor(actor)
    return dict(db.session.execute(stmt, {**params, **queue_moments(now or utcnow())}).one()._mapping)


def card_total(filters: RequestFilters, counts: dict[str, int]) -> int | None:
    """The total of a queue tab with no other filter: its card (``queue_counts``) has just counted the same rows."""
    return counts.get(filters.queue) if filters == RequestFilters(queue=filters.queue) else None


PAGE_FLAGS = select(RiskFlag).where(RiskFlag.request_id.in_(bindparam("ids", expanding=True))).order_by(RiskFlag.id)


def flags_of(requests) -> dict[int, list[RiskFlag]]:
    """The risk flags of each of ``requests``, in one statement."""
    flags: dict[int, list[RiskFlag]] = {r.id: [] for r in requests}
    if flags:
        for flag in db.session.scalars(PAGE_FLAGS, {"ids": list(flags)}):
            flags[flag.request_id].append(flag)
    return flags


def missing_checks_of(requests) -> dict[int, list]:
    """The checks still missing for each request at the counter (status ``intake``) among ``requests``."""
    at_counter = {r.id: r for r in requests if r.status == Status.INTAKE}
    latest: dict[int, dict[str, str]] = {request_id: {} for request_id in at_counter}
    if at_counter:
        rows = db.session.execute(select(RequestCheck.request_id, RequestCheck.step, RequestCheck.result)
                                  .where(RequestCheck.request_id.in_(list(at_counter))).order_by(RequestCheck.id))
        for request_id, step, result in rows:  # in order: the later check of a step wins
            latest[request_id][step] = result
    return {request_id: missing_steps(required_steps(kind=r.kind, channel=r.channel, risk_level=r.risk_level),
                                      latest[request_id])
            for request_id, r in at_counter.items()}
