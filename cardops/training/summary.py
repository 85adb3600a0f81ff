"""The training figures of a year (SPEC §5.2 ``GET /api/v1/training/summary``), computed once for the API and
the pages alike, in the viewer's scope: a supervisor sees every outlet, outlet staff their own outlet.

* hours of every active clerk and trainer in scope — minutes of the sessions they attended ÷ 60, one decimal,
  rounded half up (四舍五入); district sessions a person attended count for that person; 0 when untrained;
* sessions held at each outlet per quarter and the outlet's last warning education;
* sessions each trainer led and how many attendances (人次) they had.

A handful of grouped queries, whatever the number of outlets and people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, extract, func, select

from cardops.auth.models import User
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.training.models import Attendance, SessionKind, Trainer, TrainingSession
from cardops.training.queries import last_warning_education, outlet_staff, year_bounds

S, A = TrainingSession, Attendance


def hours(minutes: int) -> float:
    """Minutes as hours with one decimal, rounded half up: 15 min → 0.3, 45 min → 0.8."""
    return float((Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def month_before(day: date) -> date:
    """The same day a month earlier (the last day of that month when it is shorter)."""
    first = day.replace(day=1)
    previous_last = first - timedelta(days=1)
    return previous_last.replace(day=min(day.day, previous_last.day))


def warning_education_overdue(last: date | None, today: date) -> bool:
    """An outlet's last warning education is older than a month (or there has been none)."""
    return last is None or last < month_before(today)


def _figures_until(year: int, today: date) -> date:
    """The day the figures of ``year`` look back from: its last day, or today while it runs."""
    return min(year_bounds(year)[1], today)


# --- per person -------------------------------------------------------------------------------------------------

def attendance_totals(year: int, user_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """For each person (those of ``user_ids``; everyone when None): (minutes, sessions) attended in ``year``."""
    first, last = year_bounds(year)
    stmt = (select(A.user_id, func.sum(S.duration_minutes), func.count())
            .join(S, A.session_id == S.id)
            .where(A.attended.is_(True), S.held_on.between(first, last)).group_by(A.user_id))
    if user_ids is not None:
        stmt = stmt.where(A.user_id.in_(user_ids))
    return {user_id: (int(minutes or 0), count) for user_id, minutes, count in db.session.execute(stmt)}


def last_warning_education_attended(user_ids: list[int] | None, on_or_before: date) -> dict[int, date]:
    """For each person, the latest warning education they attended (at any outlet or district-wide)."""
    stmt = (select(A.user_id, func.max(S.held_on)).join(S, A.session_id == S.id)
            .where(A.attended.is_(True), S.kind == SessionKind.WARNING_EDUCATION, S.held_on <= on_or_before)
            .group_by(A.user_id))
    if user_ids is not None:
        stmt = stmt.where(A.user_id.in_(user_ids))
    return dict(db.session.execute(stmt).all())


@dataclass
class PersonFigures:
    user: User
    minutes: int = 0
    sessions: int = 0
    last_warning_education: date | None = None

    @property
    def hours(self) -> float:
        return hours(self.minutes)

    def to_dict(self) -> dict:
        return {"username": self.user.username, "name": self.user.display_name,
                "outlet_code": self.user.outlet.code if self.user.outlet else None, "hours": self.hours,
                "sessions": self.sessions, "last_warning_education": _iso(self.last_warning_education)}


def people_figures(users: list[User], year: int, today: date) -> list[PersonFigures]:
    ids = [u.id for u in users]
    totals = attendance_totals(year, ids) if ids else {}
    latest = last_warning_education_attended(ids, _figures_until(year, today)) if ids else {}
    return [PersonFigures(u, *totals.get(u.id, (0, 0)), latest.get(u.id)) for u in users]


# --- per outlet and per trainer ---------------------------------------------------------------------------------

@dataclass
class OutletFigures:
    outlet: Outlet | None  # None: the district's own sessions
    by_quarter: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    last_warning_education: date | None = None

    @property
    def sessions(self) -> int:
        return sum(self.by_quarter)

    def to_dict(self) -> dict:
        return {"outlet_code": self.outlet.code, "name": self.outlet.name, "sessions_by_quarter": self.by_quarter,
                "sessions": self.sessions, "last_warning_education": _iso(self.last_warning_education)}


def _sessions_by_month(year: int, outlet_id: int | None, everything: bool) -> list[tuple[int | None, int, int]]:
    first, last = year_bounds(year)
    month = extract("month", S.held_on)
    stmt = select(S.outlet_id, month, func.count()).where(S.held_on.between(first, last)).group_by(S.outlet_id, month)
    if not everything:
        stmt = stmt.where(S.outlet_id == outlet_id)
    return [(outlet, int(m), count) for outlet, m, count in db.session.execute(stmt)]


@dataclass
class TrainerFigures:
    user: User
    entry: Trainer | None
    sessions: int = 0
    attendees: int = 0

    def to_dict(self) -> dict:
        entry = self.entry
        return {"username": self.user.username, "name": self.user.display_name,
                "outlet_code": self.user.outlet.code if self.user.outlet else None, "sessions": self.sessions,
                "attendees": self.attendees, "status": entry.status if entry else None,
                "certified_until": _iso(entry.certified_until) if entry else None}


def _led(year: int, outlet_id: int | None, everything: bool) -> dict[int, tuple[int, int]]:
    first, last = year_bounds(year)
    stmt = (select(S.trainer_id, func.count(S.id.distinct()),
                   func.coalesce(func.sum(case((A.attended.is_(True), 1), else_=0)), 0))
            .select_from(S).outerjoin(A, A.session_id == S.id)
            .where(S.held_on.between(first, last)).group_by(S.trainer_id))
    if not everything:
        stmt = stmt.where(S.outlet_id == outlet_id)
    return {trainer_id: (sessions, int(attendees)) for trainer_id, sessions, attendees in db.session.execute(stmt)}


def _trainer_figures(year: int, outlet_id: int | None, everything: bool) -> list[TrainerFigures]:
    led = _led(year, outlet_id, everything)
    roster = select(Trainer).join(User, Trainer.user_id == User.id)
    if not everything:
        roster = roster.where(User.outlet_id == outlet_id)
    entries = {e.user_id: e for e in db.session.scalars(roster)}
    others = [uid for uid in led if uid not in entries]
    users = {e.user_id: e.user for e in entries.values()}
    if others:
        users.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))})
    rows = [TrainerFigures(users[uid], entries.get(uid), *led.get(uid, (0, 0))) for uid in users]
    return sorted(rows, key=lambda r: (r.user.outlet.code if r.user.outlet else "~", r.user.username))


# --- the whole summary ------------------------------------------------------------------------------------------

@dataclass
class TrainingSummary:
    year: int
    clerks: list[PersonFigures]
    outlets: list[OutletFigures]
    trainers: list[TrainerFigures]
    district: OutletFigures | None  # supervisors only: the district's own sessions

    def to_dict(self) -> dict:
        body = {"year": self.year, "clerks": [c.to_dict() for c in self.clerks],
                "outlets": [o.to_dict() for o in self.outlets], "trainers": [t.to_dict() for t in self.trainers]}
        if self.district is not None:
            body["district"] = {"sessions_by_quarter": self.district.by_quarter, "sessions": self.district.sessions}
        return body


def training_summary(actor, year: int, today: date) -> TrainingSummary:
    everything = actor.is_supervisor
    outlet_id = actor.outlet_id
    staff = outlet_staff(None if everything else outlet_id) if everything or outlet_id else []
    months = _sessions_by_month(year, outlet_id, everything) if everything or outlet_id else []
    if everything:
        with_sessions = {o for o, _, _ in months if o is not None}
        outlets = list(db.session.scalars(select(Outlet).where(
            (Outlet.active.is_(True)) | Outlet.id.in_(with_sessions)).order_by(Outlet.code)))
    else:
        outlets = [actor.outlet] if actor.outlet is not None else []
    figures = {o.id: OutletFigures(o) for o in outlets}
    district = OutletFigures(None) if everything else None
    for outlet, month, count in months:
        target = district if outlet is None else figures.get(outlet)
        if target is not None:
            target.by_quarter[(month - 1) // 3] += count
    until = _figures_until(year, today)
    latest = last_warning_education([o.id for o in outlets], on_or_before=until) if outlets else {}
    for outlet_id_, row in figures.items():
        row.last_warning_education = latest.get(outlet_id_)
    trainers = _trainer_figures(year, outlet_id, everything) if everything or outlet_id else []
    return TrainingSummary(year, people_figures(staff, year, today), list(figures.values()), trainers, district)


@dataclass
class PersonalRecord:
    """One person's training in a year: the same figures as the summary's, and each session they were on."""

    person: User
    year: int
    figures: PersonFigures
    entries: list[tuple[TrainingSession, Attendance]]

    @property
    def absences(self) -> int:
        return sum(1 for _, attendance in self.entries if not attendance.attended)


def personal_record(person: User, year: int, today: date) -> PersonalRecord:
    first, last = year_bounds(year)
    entries = db.session.execute(
        select(S, A).join(A, A.session_id == S.id).where(A.user_id == person.id, S.held_on.between(first, last))
        .order_by(S.held_on.desc(), S.id.desc())).all()
    return PersonalRecord(person, year, people_figures([person], year, today)[0], [tuple(row) for row in entries])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
