"""Reading the roster and the training log. Sessions are always read through the outlet scope of
``cardops.core.access``: outlet staff see their outlet's sessions and the district sessions they took part in
(or led); supervisors see all; anything else is "not found". The roster is the district's public list: every
signed-in user may read it.

``last_warning_education`` is read by the reminders and the dashboard as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, func, or_, select

from cardops.auth.models import User, UserRole
from cardops.cases.models import LIBRARY_STATUSES, Case
from cardops.core.access import get_scoped_or_404, scoped
from cardops.core.errors import NotFound, ValidationError
from cardops.core.validation import FieldErrors
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.training.models import Attendance, SessionKind, Trainer, TrainerStatus, TrainingSession
from cardops.training.validation import MAX_ID, parse_date

S, A = TrainingSession, Attendance
STAFF_ROLES = ("clerk", "trainer")
DISTRICT = "DISTRICT"  # the sessions filter's name for district sessions (outlet_code null)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def parse_year(value, default: int) -> int:
    """``year`` of a query string: four digits between 2000 and 2100, else 400 naming ``year``."""
    if value in (None, ""):
        return default
    try:
        year = int(value) if isinstance(value, str) and value.strip().isdigit() else None
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise ValidationError(fields={"year": "year 应为 2000–2100 之间的年份"})
    return year


# --- the roster ------------------------------------------------------------------------------------------------

def roster_entry(user_id: int | None) -> Trainer | None:
    if user_id is None:
        return None
    return db.session.scalars(select(Trainer).where(Trainer.user_id == user_id)).first()


def get_trainer_or_404(trainer_id: int) -> Trainer:
    entry = db.session.get(Trainer, trainer_id) if 1 <= trainer_id <= MAX_ID else None
    if entry is None:
        raise NotFound()
    return entry


@dataclass
class RosterFilters:
    outlet_code: str | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args) -> RosterFilters:
        filters = cls(outlet_code=(args.get("outlet_code") or "").strip().upper() or None,
                      status=(args.get("status") or "").strip() or None)
        if filters.status is not None and filters.status not in {s.value for s in TrainerStatus}:
            raise ValidationError(fields={"status": "status 取值无效，可选：active、suspended"})
        if filters.outlet_code is not None and len(filters.outlet_code) > 16:
            raise ValidationError(fields={"outlet_code": "outlet_code 无效"})
        return filters


def roster_query(filters: RosterFilters) -> Select:
    stmt = select(Trainer).join(User, Trainer.user_id == User.id).join(Outlet, User.outlet_id == Outlet.id)
    if filters.outlet_code:
        stmt = stmt.where(Outlet.code == filters.outlet_code)
    if filters.status:
        stmt = stmt.where(Trainer.status == filters.status)
    return stmt.order_by(Outlet.code, User.username)


def sessions_led(user_ids: list[int], year: int) -> dict[int, int]:
    """How many sessions each user led in ``year`` (the roster's ``sessions_this_year``): one query."""
    if not user_ids:
        return {}
    first, last = year_bounds(year)
    rows = db.session.execute(select(S.trainer_id, func.count()).where(
        S.trainer_id.in_(user_ids), S.held_on.between(first, last)).group_by(S.trainer_id))
    return {user_id: count for user_id, count in rows}


def appointable_users() -> list[User]:
    """Active outlet staff not on the roster yet: whom a supervisor may appoint."""
    on_roster = select(Trainer.user_id)
    return list(db.session.scalars(
        select(User).join(Outlet, User.outlet_id == Outlet.id)
        .where(User.active.is_(True), User.id.not_in(on_roster)).order_by(Outlet.code, User.username)))


def session_leaders(day: date) -> list[User]:
    """Who may be named trainer of a session on ``day`` by a supervisor: active supervisors and the roster's
    trainers who are active and certified on that day."""
    supervisors = select(UserRole.user_id).where(UserRole.role == "supervisor")
    certified = select(Trainer.user_id).where(Trainer.status == TrainerStatus.ACTIVE, Trainer.certified_until >= day)
    return list(db.session.scalars(
        select(User).outerjoin(Outlet, User.outlet_id == Outlet.id)
        .where(User.active.is_(True), or_(User.id.in_(supervisors), User.id.in_(certified)))
        .order_by(Outlet.code.is_not(None), Outlet.code, User.username)))


def trainer_choices(actor) -> list[User]:
    """Whom the sessions list may be filtered on: the roster's trainers in the actor's scope (and, for a
    supervisor, the supervisors, who lead district sessions)."""
    stmt = select(User).join(Trainer, Trainer.user_id == User.id).order_by(User.username)
    if not actor.is_supervisor:
        stmt = stmt.where(User.outlet_id == actor.outlet_id)
    users = list(db.session.scalars(stmt))
    if actor.is_supervisor:
        users += list(db.session.scalars(select(User).where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == "supervisor"))).order_by(User.username)))
    return users


# --- sessions --------------------------------------------------------------------------------------------------

def _also_visible(actor):
    """Beyond their outlet, outlet staff see the sessions they took part in or led (district sessions)."""
    took_part = exists().where(A.session_id == S.id, A.user_id == actor.id)
    return or_(S.trainer_id == actor.id, took_part)


def scoped_sessions(stmt: Select, actor) -> Select:
    return scoped(stmt, actor, S.outlet_id, also=_also_visible(actor))


def get_session_or_404(actor, session_id: int) -> TrainingSession:
    if not 1 <= session_id <= MAX_ID:
        raise NotFound()
    return get_scoped_or_404(select(S).where(S.id == session_id), actor, S.outlet_id, also=_also_visible(actor))


@dataclass
class SessionFilters:
    outlet_code: str | None = None
    kind: str | None = None
    trainer: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> SessionFilters:
        errors = FieldErrors()
        kind = (args.get("kind") or "").strip() or None
        if kind is not None and kind not in {k.value for k in SessionKind}:
            errors.add("kind", "kind 取值无效，可选：" + "、".join(k.value for k in SessionKind))
        trainer = (args.get("trainer") or "").strip() or None
        if trainer is not None and len(trainer) > 64:
            errors.add("trainer", "trainer 无效")
        outlet_code = (args.get("outlet_code") or "").strip().upper() or None
        if outlet_code not in (None, DISTRICT) and (len(outlet_code) > 16 or db.session.scalar(
                select(Outlet.id).where(Outlet.code == outlet_code)) is None):
            errors.add("outlet_code", "没有这个网点（区级培训：DISTRICT）")
        date_from = parse_date(args.get("from") or None, errors, "from", label="from", required=False)
        date_to = parse_date(args.get("to") or None, errors, "to", label="to", required=False)
        if date_from and date_to and date_from > date_to:
            errors.add("to", "to 不能早于 from")
        if errors:
            raise ValidationError(fields=errors.fields)
        return cls(outlet_code, kind, trainer, date_from, date_to)

    @property
    def any(self) -> bool:
        return any((self.outlet_code, self.kind, self.trainer, self.date_from, self.date_to))


def sessions_query(actor, filters: SessionFilters) -> Select:
    """The actor's sessions matching ``filters``, newest first. Filtering on an outlet outside the actor's
    scope is "not found", as that outlet's sessions are; ``DISTRICT`` stands for the district sessions."""
    stmt = scoped_sessions(select(S), actor)
    if filters.outlet_code == DISTRICT:
        stmt = stmt.where(S.outlet_id.is_(None))
    elif filters.outlet_code:
        if not actor.is_supervisor and (actor.outlet is None or actor.outlet.code != filters.outlet_code):
            raise NotFound()
        stmt = stmt.where(S.outlet_id.in_(select(Outlet.id).where(Outlet.code == filters.outlet_code)))
    if filters.kind:
        stmt = stmt.where(S.kind == filters.kind)
    if filters.trainer:
        stmt = stmt.where(S.trainer_id.in_(select(User.id).where(func.lower(User.username) == filters.trainer.lower())))
    if filters.date_from:
        stmt = stmt.where(S.held_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(S.held_on <= filters.date_to)
    return stmt.order_by(S.held_on.desc(), S.id.desc())


def last_warning_education(outlet_ids: list[int] | None = None, *,
                           on_or_before: date | None = None) -> dict[int, date | None]:
    """For each outlet (every active outlet when None; inactive ones too when asked by id), the latest date of a
    ``warning_education`` session held AT that outlet (district sessions don't count), not after
    ``on_or_before`` when given; None when there is none. One query."""
    joined = and_(S.outlet_id == Outlet.id, S.kind == SessionKind.WARNING_EDUCATION)
    if on_or_before is not None:
        joined = and_(joined, S.held_on <= on_or_before)
    stmt = select(Outlet.id, func.max(S.held_on)).select_from(Outlet).outerjoin(S, joined).group_by(Outlet.id)
    chosen = Outlet.active.is_(True) if outlet_ids is None else Outlet.id.in_(list(outlet_ids))
    return {outlet_id: latest for outlet_id, latest in db.session.execute(stmt.where(chosen))}



# --- what the log form offers -----------------------------------------------------------------------------------

def outlet_staff(outlet_id: int | None = None) -> list[User]:
    """Active clerks and trainers of one outlet (every outlet when None), by outlet and name: the checklist."""
    stmt = (select(User).join(Outlet, User.outlet_id == Outlet.id)
            .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))))
            .order_by(Outlet.code, User.username))
    if outlet_id is not None:
        stmt = stmt.where(User.outlet_id == outlet_id)
    return list(db.session.scalars(stmt))


def library_cases() -> list[Case]:
    """The cases a session may list: the library (accepted, nominated, selected), newest first."""
    return list(db.session.scalars(select(Case).where(Case.status.in_(LIBRARY_STATUSES))
                                   .order_by(Case.occurred_on.desc(), Case.id.desc())))
