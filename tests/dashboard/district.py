"""A small hand-built district with known timestamps, driven through the real services, and the figures it
must give for March 2026 (local dates). Every figure of SPEC §8 is decided by a line below.

PT01 (clerk-a, clerk-b): six requests in March, one the day before, one the day after:
  A  lost,     01 Mar 00:30 local (first day, first hour)  submitted +1 h, arrived +240 h, collected +48 h
  B  damaged,  31 Mar 23:30 local (last day, last hour)    submitted +2 h, arrived +100 h, never collected
  C  lost,     28 Feb 23:59 local — outside, left at the counter (stale now)
  D  expired,  01 Apr 00:00 local — outside, submitted
  E  expired,  proxy (medium), 10 Mar 10:00                 submitted for review +0.5 h, approved +3 h by clerk-b,
                                                            arrived +200 h, collected +10 h
  F  expired,  15 Mar 09:00, left at the counter (stale now)
  G  lost,     watchlisted applicant (high), 20 Mar 14:00   rejected by the supervisor
  H  damaged,  05 Mar 11:00, cancelled
PT02 (clerk-other, clerk-other-b): I lost, 02 Mar 10:00, submitted +0.25 h; J damaged, proxy, 25 Mar 10:00,
  waiting for review ever since (pending review, stale).
PT03: nothing.
Training: PT01 warning education 12 Mar (90 min: clerk-a present, clerk-b absent); PT01 business 10 Feb (outside);
  district warning education 20 Mar (120 min: clerk-a and clerk-other present); PT02 onboarding 03 Mar (30 min:
  clerk-other); PT02 warning education 05 Apr (after the period).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cardops.core.timeutil import LOCAL_TZ, clock_at
from cardops.extensions import db
from cardops.reissue import services
from cardops.risk import watchlist
from cardops.training.models import Attendance, TrainingSession
from tests.reissue.helpers import intake_body, make_id, person
from tests.reissue.workflow_support import collect_as_applicant, pass_missing_checks

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def local(text: str) -> datetime:
    """Naive UTC of a local (Asia/Shanghai) ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def hours(moment: datetime, h: float) -> datetime:
    return moment + timedelta(hours=h)


def _intake(clerk, when: datetime, **body):
    with clock_at(when):
        return services.intake(clerk, intake_body(**body))


def _submitted(clerk, when: datetime, after: float, **body):
    request = _intake(clerk, when, **body)
    with clock_at(when):
        pass_missing_checks(clerk, request)
    with clock_at(hours(when, after)):
        services.submit(clerk, request)
    return request


def _arrive_and_collect(clerk, request, arrive_at: datetime, collect_at: datetime | None = None):
    with clock_at(arrive_at):
        services.arrive(clerk, request)
    if collect_at is not None:
        with clock_at(collect_at):
            collect_as_applicant(clerk, request)


def build_district(clerk, clerk2, other_clerk, other_clerk2, supervisor) -> dict:
    r = {}
    t = local("2026-03-01 00:30")
    r["A"] = _submitted(clerk, t, 1, kind="lost")
    _arrive_and_collect(clerk, r["A"], hours(t, 1 + 240), hours(t, 1 + 240 + 48))
    t = local("2026-03-31 23:30")
    r["B"] = _submitted(clerk, t, 2, kind="damaged")
    _arrive_and_collect(clerk, r["B"], hours(t, 2 + 100))
    r["C"] = _intake(clerk, local("2026-02-28 23:59"), kind="lost")
    r["D"] = _submitted(clerk, local("2026-04-01 00:00"), 1, kind="expired")

    t = local("2026-03-10 10:00")
    r["E"] = _submitted(clerk, t, 0.5, kind="expired", channel="proxy")
    with clock_at(hours(t, 3)):
        services.review(clerk2, r["E"], "approve")
    _arrive_and_collect(clerk, r["E"], hours(t, 3 + 200), hours(t, 3 + 200 + 10))

    r["F"] = _intake(clerk, local("2026-03-15 09:00"), kind="expired")

    listed = make_id(birth="19360101")
    with clock_at(local("2026-03-01 09:00")):
        watchlist.add_entry(supervisor, {"id_number": listed, "reason": "deceased"})
    t = local("2026-03-20 14:00")
    r["G"] = _submitted(clerk, t, 0.2, kind="lost", applicant=person(id_number=listed, name="吴老太"))
    with clock_at(hours(t, 20)):
        services.review(supervisor, r["G"], "reject", "持卡人已故")

    r["H"] = _intake(clerk, local("2026-03-05 11:00"), kind="damaged")
    with clock_at(local("2026-03-05 11:10")):
        services.cancel(clerk, r["H"], "申请人未带身份证原件")

    r["I"] = _submitted(other_clerk, local("2026-03-02 10:00"), 0.25, kind="lost")
    r["J"] = _submitted(other_clerk, local("2026-03-25 10:00"), 0.1, kind="damaged", channel="proxy")

    def session(outlet, held_on, kind, minutes, attendance):
        s = TrainingSession(held_on=held_on, outlet_id=outlet.id if outlet else None, trainer_id=clerk.id,
                            topic="测试培训", kind=kind, duration_minutes=minutes, created_by_id=clerk.id)
        s.attendances = [Attendance(user_id=user.id, attended=present) for user, present in attendance]
        db.session.add(s)

    pt01, pt02 = clerk.outlet, other_clerk.outlet
    session(pt01, date(2026, 3, 12), "warning_education", 90, [(clerk, True), (clerk2, False)])
    session(pt01, date(2026, 2, 10), "business", 60, [(clerk, True)])
    session(None, date(2026, 3, 20), "warning_education", 120, [(clerk, True), (other_clerk, True)])
    session(pt02, date(2026, 3, 3), "onboarding", 30, [(other_clerk, True)])
    session(pt02, date(2026, 4, 5), "warning_education", 60, [(other_clerk, True)])
    db.session.flush()
    return r


ZERO_FLAGS = {"PROXY_APPLICATION": 0, "RECENT_REISSUE": 0, "SHARED_PHONE": 0, "SERIAL_AGENT": 0, "WATCHLIST": 0,
              "FAILED_CHECK": 0}
NO_TURNAROUND = {stage: {"median": None, "p90": None}
                 for stage in ("intake_to_submitted", "submitted_to_ready", "ready_to_collected")}


def expected_rows() -> dict[str, dict]:
    """What March 2026 must say, outlet by outlet, and in total (``None``)."""
    statuses = dict.fromkeys(("intake", "pending_review", "submitted", "ready", "collected", "rejected",
                              "cancelled", "returned"), 0)
    pt01 = {
        "outlet_code": "PT01", "name": "长寿路街道社区事务受理服务中心",
        "requests": {"total": 6, "by_kind": {"lost": 2, "damaged": 2, "expired": 2, "info_change": 0},
                     "by_status": {**statuses, "intake": 1, "ready": 1, "collected": 2, "rejected": 1,
                                   "cancelled": 1}},
        # intake→submitted 1, 2, 3 h; submitted→ready 100, 200, 240 h; ready→collected 10, 48 h
        "turnaround_hours": {"intake_to_submitted": {"median": 2.0, "p90": 2.8},
                             "submitted_to_ready": {"median": 200.0, "p90": 232.0},
                             "ready_to_collected": {"median": 29.0, "p90": 44.2}},
        "overdue": {"stale": 2, "uncollected_30": 1},  # C (outside the period: now is now) and F; B
        "pending": {"review": 0, "pickup": 1},
        "risk": {"by_level": {"low": 4, "medium": 1, "high": 1},
                 "by_flag": {**ZERO_FLAGS, "PROXY_APPLICATION": 1, "WATCHLIST": 1}},
        "reviews": {"approved": 1, "rejected": 1},
        "training": {"sessions": 1, "hours": 3.5, "last_warning_education": "2026-03-12"},
    }
    pt02 = {
        "outlet_code": "PT02", "name": "曹杨新村街道社区事务受理服务中心",
        "requests": {"total": 2, "by_kind": {"lost": 1, "damaged": 1, "expired": 0, "info_change": 0},
                     "by_status": {**statuses, "submitted": 1, "pending_review": 1}},
        "turnaround_hours": {**NO_TURNAROUND, "intake_to_submitted": {"median": 0.25, "p90": 0.25}},
        "overdue": {"stale": 1, "uncollected_30": 0},
        "pending": {"review": 1, "pickup": 0},
        "risk": {"by_level": {"low": 1, "medium": 1, "high": 0}, "by_flag": {**ZERO_FLAGS, "PROXY_APPLICATION": 1}},
        "reviews": {"approved": 0, "rejected": 0},
        "training": {"sessions": 1, "hours": 2.5, "last_warning_education": None},
    }
    pt03 = {
        "outlet_code": "PT03", "name": "长风新村街道社区事务受理服务中心",
        "requests": {"total": 0, "by_kind": {"lost": 0, "damaged": 0, "expired": 0, "info_change": 0},
                     "by_status": statuses},
        "turnaround_hours": NO_TURNAROUND,
        "overdue": {"stale": 0, "uncollected_30": 0},
        "pending": {"review": 0, "pickup": 0},
        "risk": {"by_level": {"low": 0, "medium": 0, "high": 0}, "by_flag": ZERO_FLAGS},
        "reviews": {"approved": 0, "rejected": 0},
        "training": {"sessions": 0, "hours": 0.0, "last_warning_education": None},
    }
    totals = {
        "outlet_code": None, "name": "合计",
        "requests": {"total": 8, "by_kind": {"lost": 3, "damaged": 3, "expired": 2, "info_change": 0},
                     "by_status": {**statuses, "intake": 1, "pending_review": 1, "submitted": 1, "ready": 1,
                                   "collected": 2, "rejected": 1, "cancelled": 1}},
        # intake→submitted 0.25, 1, 2, 3 h over the district
        "turnaround_hours": {"intake_to_submitted": {"median": 1.5, "p90": 2.7},
                             "submitted_to_ready": {"median": 200.0, "p90": 232.0},
                             "ready_to_collected": {"median": 29.0, "p90": 44.2}},
        "overdue": {"stale": 3, "uncollected_30": 1},
        "pending": {"review": 1, "pickup": 1},
        "risk": {"by_level": {"low": 5, "medium": 2, "high": 1},
                 "by_flag": {**ZERO_FLAGS, "PROXY_APPLICATION": 2, "WATCHLIST": 1}},
        "reviews": {"approved": 1, "rejected": 1},
        "training": {"sessions": 2, "hours": 6.0, "last_warning_education": "2026-03-12"},
    }
    return {"PT01": pt01, "PT02": pt02, "PT03": pt03, None: totals}
