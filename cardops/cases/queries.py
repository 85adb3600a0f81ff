"""Reading cases: every list, search, count and detail goes through the actor's outlet scope
(``cardops.core.access.scoped``) widened by the library: accepted, nominated and selected cases of every outlet are
everyone's; a case still in the works is its outlet's and the supervisors' (anyone else: 404)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, extract, func, or_, select
from sqlalchemy.orm import selectinload

from cardops.audit.models import AuditEntry
from cardops.auth.models import User
from cardops.cases.models import Case, CaseCategory, CaseStatus
from cardops.cases.permissions import IN_LIBRARY
from cardops.core.access import get_scoped_or_404, in_scope, scoped
from cardops.core.errors import ValidationError
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest

MAX_QUERY = 60
# The linked request is shown as number, kind and outlet: nothing else of it is loaded.
R = ReissueRequest
WITH_REQUEST = (selectinload(Case.request).load_only(R.id, R.number, R.kind, R.outlet_id),)
NEWEST_FIRST = (Case.occurred_on.desc(), Case.id.desc())


def visible_cases(actor) -> Select:
    return scoped(select(Case), actor, Case.outlet_id, also=IN_LIBRARY)


def get_case_or_404(actor, case_id: int) -> Case:
    return get_scoped_or_404(select(Case).where(Case.id == case_id).options(*WITH_REQUEST), actor, Case.outlet_id,
                             also=IN_LIBRARY)


def _like_escaped(term: str) -> str:
    return "%" + term.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


@dataclass
class CaseFilters:
    status: str | None = None
    category: str | None = None
    outlet_code: str | None = None
    year: int | None = None
    q: str | None = None
    mine: bool = False

    @classmethod
    def from_args(cls, args) -> CaseFilters:
        raw = {name: (args.get(name) or "").strip() or None for name in ("status", "category", "outlet_code", "year",
                                                                          "q")}
        fields = {}
        for name, enum_cls in (("status", CaseStatus), ("category", CaseCategory)):
            if raw[name] is not None and raw[name] not in {e.value for e in enum_cls}:
                fields[name] = f"{name} 取值无效，可选：" + "、".join(e.value for e in enum_cls)
        year = None
        if raw["year"] is not None:
            if raw["year"].isascii() and raw["year"].isdigit() and 2000 <= int(raw["year"]) <= 2999:
                year = int(raw["year"])
            else:
                fields["year"] = "year 应为四位数的年份"
        if raw["q"] is not None and len(raw["q"]) > MAX_QUERY:
            fields["q"] = "搜索内容过长"
        mine = (args.get("mine") or "false").strip().lower()
        if mine not in {"1", "true", "yes", "0", "false", "no"}:
            fields["mine"] = "mine 应为 true 或 false"
        if fields:
            raise ValidationError(fields=fields)
        mine = mine in {"1", "true", "yes"}
        return cls(status=raw["status"], category=raw["category"], outlet_code=raw["outlet_code"], year=year,
                   q=raw["q"], mine=mine)

    @property
    def any(self) -> bool:
        return bool(self.status or self.category or self.outlet_code or self.year or self.q or self.mine)


def cases_query(actor, filters: CaseFilters) -> Select:
    """The cases ``actor`` may see matching ``filters``, newest first. ``q``: every word must appear in the title,
    the narrative or the lessons."""
    stmt = visible_cases(actor)
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.category:
        stmt = stmt.where(Case.category == filters.category)
    if filters.outlet_code:
        stmt = stmt.where(Case.outlet_id == select(Outlet.id).where(Outlet.code == filters.outlet_code.upper())
                          .scalar_subquery())
    if filters.year:
        stmt = stmt.where(extract("year", Case.occurred_on) == filters.year)
    if filters.mine:
        stmt = stmt.where(Case.author_id == actor.id)
    if filters.q:
        for term in filters.q.replace("，", " ").replace(",", " ").split():
            pattern = _like_escaped(term)
            stmt = stmt.where(or_(Case.title.ilike(pattern, escape="/"), Case.narrative.ilike(pattern, escape="/"),
                                  Case.lessons.ilike(pattern, escape="/")))
    return stmt.order_by(*NEWEST_FIRST).options(*WITH_REQUEST)


def status_counts(actor, *, mine: bool = False) -> dict[str, int]:
    """How many visible cases are in each state (the author's own with ``mine``)."""
    stmt = scoped(select(Case.status, func.count()).group_by(Case.status), actor, Case.outlet_id, also=IN_LIBRARY)
    if mine:
        stmt = stmt.where(Case.author_id == actor.id)
    return dict(db.session.execute(stmt).all())


@dataclass(frozen=True)
class HistoryItem:
    at: object
    action: str  # the case action: create, edit, submit, accept, return, nominate, select
    who: str
    detail: dict


def case_history(actor, case: Case) -> list[HistoryItem]:
    """What happened to the case, from the audit chain (scores aside): for its outlet and the district only."""
    if not in_scope(actor, case.outlet_id):
        return []
    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_name, AuditEntry.detail, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id),
               AuditEntry.action != "cases.score")
        .order_by(AuditEntry.seq))
    return [HistoryItem(row.at, row.action.removeprefix("cases."), row.display_name or row.actor_name or "",
                        row.detail or {}) for row in rows]


@dataclass(frozen=True)
class SessionUse:
    held_on: object
    outlet: Outlet | None
    kind: str
    topic: str


def sessions_using(actor, case: Case) -> tuple[list[SessionUse], int]:
    """The training sessions that used the case which ``actor`` may see (their outlet's and the district's; all for
    supervisors), newest first, and how many others did (counted, not shown). Read through the backref the
    training feature defines: cases never imports training."""
    seen, others = [], 0
    for session in getattr(case, "training_sessions", None) or []:
        if session.outlet_id is None or in_scope(actor, session.outlet_id):
            seen.append(SessionUse(session.held_on, session.outlet, session.kind, session.topic))
        else:
            others += 1
    return sorted(seen, key=lambda s: s.held_on, reverse=True), others
