"""The outlets' figures of SPEC §8 — ONE service, called by the API, the page and the exports alike.

What each figure counts (the page prints the same in a short note):

* ``requests``, ``turnaround_hours``, ``risk`` and ``reviews`` are about the requests **created** in the period
  (local dates, both included), whatever happened to them since.
* ``turnaround_hours``: per stage, the median and the 90th percentile of the hours between the two stamps, over
  the period's requests that reached the stage's end; percentiles by linear interpolation between the closest
  ranks — PostgreSQL's ``percentile_cont`` (computed in SQL there; from the period's values in Python on SQLite,
  the same formula). Two decimals; null when no request reached the stage.
* ``overdue`` and ``pending`` are the outlet's backlog **now** (``as_of``), whatever the period: ``stale`` and
  ``uncollected_30`` are the same definitions as the overdue queue and the reminders (``reissue.deadlines``);
  ``pending.review`` waits for review, ``pending.pickup`` is a card at the outlet not yet collected.
* ``training``: ``sessions`` held at the outlet in the period; ``hours`` = minutes of the sessions (the outlet's
  and district-wide) attended by the outlet's current staff in the period ÷ 60, one decimal;
  ``last_warning_education`` = the latest warning-education session held at the outlet on or before the
  period's end (or today, when the period ends later).
* ``totals``: sums over the rows; the percentiles over all the rows' requests; the latest warning education.

A fixed number of statements whatever the number of outlets or requests, all through the outlet scope.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, Select, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, array

from cardops.auth.models import User
from cardops.core.access import scoped
from cardops.core.errors import NotFound
from cardops.core.i18n import N_
from cardops.core.timeutil import isoformat_utc, local_today, to_local, utcnow
from cardops.dashboard.percentiles import percentile_cont
from cardops.dashboard.periods import Period
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import deadlines
from cardops.reissue.models import ReissueRequest, RiskFlag
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import Kind, Status
from cardops.risk.registry import RiskLevel
from cardops.training.models import Attendance, TrainingSession
from cardops.training.queries import last_warning_education

R = ReissueRequest
TS = TrainingSession

# The stages of a request's journey: from which stamp to which.
STAGES = {
    "intake_to_submitted": (R.created_at, R.submitted_at),
    "submitted_to_ready": (R.submitted_at, R.arrived_at),
    "ready_to_collected": (R.arrived_at, R.collected_at),
}
STAGE_LABELS = {"intake_to_submitted": N_("受理→提交制卡"), "submitted_to_ready": N_("制卡→到卡"),
                "ready_to_collected": N_("到卡→领取")}
PERCENTILES = {"median": 0.5, "p90": 0.9}
HOURS_DECIMALS = 2


@dataclass
class OutletStats:
    """The answer of ``outlet_stats``: one row per outlet (dicts shaped as the API answers) and the totals."""

    period: Period
    as_of: datetime
    outlets: list[Outlet]
    rows: list[dict]
    totals: dict
    single_outlet: bool

    def to_dict(self) -> dict:
        return {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                "as_of": isoformat_utc(self.as_of), "outlets": self.rows, "totals": self.totals}


def outlets_in_scope(actor, outlet_code: str | None) -> list[Outlet]:
    """The outlets ``actor`` may see (all for a supervisor, their own for a clerk), or the one asked for: an
    outlet out of scope or unknown is 404."""
    stmt = scoped(select(Outlet).order_by(Outlet.code), actor, Outlet.id)
    if outlet_code:
        outlet = db.session.scalars(stmt.where(Outlet.code == outlet_code.strip().upper())).one_or_none()
        if outlet is None:
            raise NotFound(N_("没有这个网点，或您无权查看它的数据"))
        return [outlet]
    return list(db.session.scalars(stmt))


def outlet_stats(actor, period: Period, outlet_code: str | None = None) -> OutletStats:
    outlets = outlets_in_scope(actor, outlet_code)
    single = bool(outlet_code)
    now = utcnow()
    requests = _requests_of(actor, period, outlets[0].id if single else None)
    counts = _request_counts(requests)
    flags = _flag_counts(requests, period)
    turnaround, turnaround_total = _turnaround(requests)
    backlog = _backlog(actor, now, [o.id for o in outlets] if single else None)
    training = _training(actor, period, outlets, single)

    with_figures = set(counts) | set(backlog) | set(training["sessions"]) | set(training["minutes"])
    # Closed outlets appear only for periods they have figures in (an outlet asked for by code always).
    shown = [o for o in outlets if o.active or single or o.id in with_figures]
    rows = [_row(o.code, o.name, counts.get(o.id), flags.get(o.id), turnaround.get(o.id), backlog.get(o.id),
                 _outlet_training(training, o.id)) for o in shown]
    totals = _totals(rows, turnaround_total, training, shown)
    return OutletStats(period, now, shown, rows, totals, single)


def requests_by_day(actor, stats: OutletStats) -> dict[tuple[int, date], int]:
    """How many requests each outlet of ``stats`` took in on each local day of its period (the page's chart of
    requests over time): at most days × outlets rows, grouped in the database."""
    requests = _requests_of(actor, stats.period, stats.outlets[0].id if stats.single_outlet else None)
    day = _local_day(R.created_at)
    found = {}
    for outlet_id, local_day, n in db.session.execute(requests(R.outlet_id, day, func.count())
                                                      .group_by(R.outlet_id, day)):
        found[(outlet_id, local_day if isinstance(local_day, date) else date.fromisoformat(local_day))] = n
    return found


# --- the statements -----------------------------------------------------------------------------------------

def _requests_of(actor, period: Period, outlet_id: int | None):
    def requests(*columns) -> Select:
        """The actor's requests created in the period (of the one outlet asked for)."""
        stmt = scoped(select(*columns), actor, R.outlet_id).where(R.created_at >= period.start_utc,
                                                                  R.created_at < period.end_utc)
        return stmt if outlet_id is None else stmt.where(R.outlet_id == outlet_id)

    return requests


def _local_day(column):
    """The local date of a naive-UTC timestamp. Asia/Shanghai has kept +08:00 all year since 1991, so a fixed
    offset is exact (a zone with daylight saving would need the database's time-zone support)."""
    offset = to_local(utcnow()).utcoffset()
    if _is_postgresql():
        return func.date(column + offset)
    return func.date(column, f"{int(offset.total_seconds())} seconds")

def _request_counts(requests) -> dict[int, Counter]:
    """Per outlet: how many requests of each (kind, status, risk level, review decision) — one grouped scan."""
    columns = (R.outlet_id, R.kind, R.status, R.risk_level, R.review_decision)
    found: dict[int, Counter] = defaultdict(Counter)
    for outlet_id, kind, status, level, decision, n in db.session.execute(
            requests(*columns, func.count()).group_by(*columns)):
        tally = found[outlet_id]
        tally["total"] += n
        tally[("kind", kind)] += n
        tally[("status", status)] += n
        tally[("level", level)] += n
        tally[("review", decision)] += n
    return found


def _flag_counts(requests, period: Period) -> dict[int, Counter]:
    """Per outlet: how many of the period's requests each rule flagged (one flag per request and rule)."""
    stmt = (requests(R.outlet_id, RiskFlag.code, func.count()).join(RiskFlag, RiskFlag.request_id == R.id)
            # A flag is raised at or after its request's intake: older flags cannot belong to the period.
            .where(RiskFlag.at >= period.start_utc)
            .group_by(R.outlet_id, RiskFlag.code))
    found: dict[int, Counter] = defaultdict(Counter)
    for outlet_id, code, n in db.session.execute(stmt):
        found[outlet_id][code] += n
    return found


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _hours(start, end):
    if _is_postgresql():
        return func.date_part("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _turnaround(requests) -> tuple[dict[int, dict], dict]:
    """Per outlet and for all of them: {stage: (median, p90)} of the hours each stage took."""
    if _is_postgresql():
        return _turnaround_in_sql(requests)
    return _turnaround_from_values(requests)


def _turnaround_in_sql(requests):
    fractions = cast(array(list(PERCENTILES.values())), ARRAY(Float))
    # A stage not reached yet has a NULL duration, which the aggregate leaves out.
    columns = [func.percentile_cont(fractions).within_group(_hours(start, end)).label(stage)
               for stage, (start, end) in STAGES.items()]
    # ROLLUP: the outlets' rows and, with outlet_id NULL, the row of all of them.
    stmt = requests(R.outlet_id, func.grouping(R.outlet_id).label("is_total"), *columns) \
        .group_by(func.rollup(R.outlet_id))
    per_outlet, total = {}, {}
    for row in db.session.execute(stmt):
        values = {stage: tuple(getattr(row, stage)) if getattr(row, stage) else (None, None) for stage in STAGES}
        if row.is_total:
            total = values
        else:
            per_outlet[row.outlet_id] = values
    return per_outlet, total


def _turnaround_from_values(requests):
    columns = [_hours(start, end).label(stage) for stage, (start, end) in STAGES.items()]
    values: dict[int | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in db.session.execute(requests(R.outlet_id, *columns).where(R.submitted_at.is_not(None))):
        for stage in STAGES:
            hours = getattr(row, stage)
            if hours is not None:
                values[row.outlet_id][stage].append(hours)
                values[None][stage].append(hours)
    computed = {key: {stage: tuple(percentile_cont(by_stage.get(stage, []), fraction)
                                   for fraction in PERCENTILES.values()) for stage in STAGES}
                for key, by_stage in values.items()}
    return {k: v for k, v in computed.items() if k is not None}, computed.get(None, {})


def _backlog(actor, now: datetime, outlet_ids: list[int] | None) -> dict[int, dict]:
    """Per outlet, now: requests over their time limits (the overdue queue's and the reminders' definitions)
    and what waits for review or pickup."""
    stale, uncollected = deadlines.stale(now), deadlines.uncollected(now, deadlines.UNCOLLECTED_DAYS)
    review, pickup = R.status == Status.PENDING_REVIEW, R.status == Status.READY
    stmt = scoped(select(R.outlet_id, *(func.count().filter(c) for c in (stale, uncollected, review, pickup)))
                  .where(or_(stale, uncollected, review, pickup)).group_by(R.outlet_id), actor, R.outlet_id)
    if outlet_ids is not None:
        stmt = stmt.where(R.outlet_id.in_(outlet_ids))
    return {outlet_id: {"stale": a, "uncollected_30": b, "review": c, "pickup": d}
            for outlet_id, a, b, c, d in db.session.execute(stmt)}


def _training(actor, period: Period, outlets: list[Outlet], single: bool) -> dict:
    ids = [o.id for o in outlets]
    held = TS.held_on.between(period.start, period.end)
    sessions = scoped(select(TS.outlet_id, func.count()).where(held).group_by(TS.outlet_id), actor, TS.outlet_id)
    minutes = scoped(select(User.outlet_id, func.sum(TS.duration_minutes)).select_from(Attendance)
                     .join(TS, TS.id == Attendance.session_id).join(User, User.id == Attendance.user_id)
                     .where(held, Attendance.attended.is_(True)).group_by(User.outlet_id), actor, User.outlet_id)
    if single:
        sessions, minutes = sessions.where(TS.outlet_id.in_(ids)), minutes.where(User.outlet_id.in_(ids))
    last_day = min(period.end, local_today())
    return {"sessions": {k: n for k, n in db.session.execute(sessions) if k is not None},
            "minutes": {k: int(n or 0) for k, n in db.session.execute(minutes) if k is not None},
            "last_warning_education": last_warning_education(ids, on_or_before=last_day)}


# --- rows ---------------------------------------------------------------------------------------------------

def _hours_value(value) -> float | None:
    return None if value is None else round(float(value), HOURS_DECIMALS)


def _turnaround_dict(values: dict | None) -> dict:
    values = values or {}
    return {stage: dict(zip(PERCENTILES, (_hours_value(v) for v in values.get(stage, (None, None))), strict=True))
            for stage in STAGES}


def _row(code: str | None, name: str, counts: Counter | None = None, flags: Counter | None = None,
         turnaround: dict | None = None, backlog: dict | None = None, training: dict | None = None) -> dict:
    counts, flags, backlog, training = counts or Counter(), flags or Counter(), backlog or {}, training or {}
    return {
        "outlet_code": code,
        "name": name,
        "requests": {"total": counts["total"],
                     "by_kind": {str(k): counts[("kind", k)] for k in Kind},
                     "by_status": {str(s): counts[("status", s)] for s in Status}},
        "turnaround_hours": _turnaround_dict(turnaround),
        "overdue": {"stale": backlog.get("stale", 0), "uncollected_30": backlog.get("uncollected_30", 0)},
        "pending": {"review": backlog.get("review", 0), "pickup": backlog.get("pickup", 0)},
        "risk": {"by_level": {str(level): counts[("level", level)] for level in RiskLevel},
                 "by_flag": {code: flags[code] for code in RULES.rules}},
        "reviews": {"approved": counts[("review", "approve")], "rejected": counts[("review", "reject")]},
        "training": {"sessions": training.get("sessions", 0), "hours": round(training.get("minutes", 0) / 60, 1),
                     "last_warning_education": _iso(training.get("last_warning_education"))},
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _outlet_training(training: dict, outlet_id: int) -> dict:
    return {"sessions": training["sessions"].get(outlet_id, 0), "minutes": training["minutes"].get(outlet_id, 0),
            "last_warning_education": training["last_warning_education"].get(outlet_id)}


ADDITIVE = ("requests", "overdue", "pending", "risk", "reviews")


def _sum(dicts: list[dict]) -> dict:
    """Key by key, the sum of the rows' counts (nested dicts alike)."""
    return {key: _sum([d[key] for d in dicts]) if isinstance(value, dict) else sum(d[key] for d in dicts)
            for key, value in dicts[0].items()}


def _totals(rows: list[dict], turnaround_total: dict, training: dict, outlets: list[Outlet]) -> dict:
    totals = _row(None, "合计", turnaround=turnaround_total, training={
        "sessions": sum(training["sessions"].get(o.id, 0) for o in outlets),
        "minutes": sum(training["minutes"].get(o.id, 0) for o in outlets),
        "last_warning_education": max(filter(None, (training["last_warning_education"].get(o.id) for o in outlets)),
                                      default=None)})
    if rows:
        totals.update({key: _sum([row[key] for row in rows]) for key in ADDITIVE})
    return totals
