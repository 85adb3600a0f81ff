"""Demo requests for ``flask --app wsgi seed --demo``: a living queue at PT01 and PT02 in every state, made
through the real services (risk flags, timeline and audit included). Idempotent: nothing happens when any
request exists already."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cardops.auth.models import User
from cardops.core.pii import id_check_char
from cardops.core.timeutil import to_local, utcnow
from cardops.extensions import db
from cardops.reissue import pickup, services
from cardops.reissue.models import ReissueRequest
from cardops.reissue.numbers import next_number
from cardops.risk import watchlist


def _id(birth: str, seq: int) -> str:
    first17 = f"310107{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def _person(name: str, birth: str, seq: int, phone_tail: int, **extra) -> dict:
    return {"id_number": _id(birth, seq), "name": name, "phone": f"1391234{phone_tail:04d}", **extra}


def _pass_checks(actor, request, *, skip: tuple[str, ...] = ()) -> None:
    for step in request.required_checks:
        if step not in skip:
            detail = {"face_match": "人证比对设备", "phone_callback": "持卡人本人接听并确认"}.get(step)
            services.record_check(actor, request, {"step": str(step), "result": "pass", "detail": detail,
                                                   "score": 93 if step == "face_match" else None})


def _backdate(request: ReissueRequest, days: int) -> None:
    """Move a request's history ``days`` into the past (and give it a number of that day)."""
    shift = timedelta(days=days)
    for name in ("created_at", "updated_at", "submitted_at", "arrived_at", "collected_at", "closed_at"):
        if getattr(request, name) is not None:
            setattr(request, name, getattr(request, name) - shift)
    if request.expected_date is not None:
        request.expected_date -= shift
    for item in [*request.checks, *request.events]:
        item.at -= shift
    request.number = next_number(request.outlet, to_local(request.created_at).date())


def seed_demo_requests() -> str:
    if db.session.scalar(select(ReissueRequest.id).limit(1)) is not None:
        return "demo requests: already present, none added"
    users = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_(["pt01-clerk-a", "pt01-clerk-b", "pt02-clerk-a", "supervisor"])))}
    if len(users) < 4:
        return "demo requests: demo users missing, none added"
    a, b, c, sup = users["pt01-clerk-a"], users["pt01-clerk-b"], users["pt02-clerk-a"], users["supervisor"]

    def intake(actor, kind, applicant, agent=None, **extra):
        body = {"kind": kind, "channel": "proxy" if agent else "in_person", "applicant": applicant, **extra}
        if agent:
            body["agent"] = agent
        return services.intake(actor, body)

    # PT01 — at the counter now
    intake(a, "lost", _person("王秀英", "19520314", 21, 1001))
    partly = intake(b, "damaged", _person("李建国", "19660802", 33, 1002))
    _pass_checks(b, partly, skip=("old_card_recovered",))
    stale = intake(a, "expired", _person("徐志强", "19710119", 15, 1013))
    _backdate(stale, 6)

    # PT01 — a proxy waiting for a second clerk (medium risk)
    proxy = intake(a, "expired", _person("张伟", "19400511", 17, 1003),
                   _person("张小明", "19700921", 19, 1004, relation="子女"))
    _pass_checks(a, proxy)
    services.submit(a, proxy)

    # PT01 — a deceased holder's card asked for by an agent: high risk, for the district
    watchlist.add_entry(sup, {"id_number": _id("19380207", 42), "reason": "deceased", "note": "民政数据比对：已故"})
    flagged = intake(a, "lost", _person("吴芳", "19380207", 42, 1005),
                     _person("钱永", "19800330", 51, 1006, relation="其他"))
    _pass_checks(a, flagged)
    services.submit(a, flagged)

    # PT01 — in production, arrived, overdue, collected, cancelled
    making = intake(b, "lost", _person("陈静", "19880626", 24, 1007))
    _pass_checks(b, making)
    services.submit(b, making)
    ready = intake(a, "info_change", _person("刘洋", "19920415", 35, 1008))
    _pass_checks(a, ready)
    services.submit(a, ready)
    services.arrive(b, ready, "3101070000012345")
    forgotten = intake(b, "damaged", _person("赵敏", "19751111", 46, 1009))
    _pass_checks(b, forgotten)
    services.submit(b, forgotten)
    services.arrive(b, forgotten)
    _backdate(forgotten, 45)
    forgotten.arrived_at = utcnow() - timedelta(days=38)
    done = intake(a, "lost", _person("周杰", "19830708", 57, 1010))
    _pass_checks(a, done)
    services.submit(a, done)
    services.arrive(a, done)
    services.collect(b, done, pickup.request_token(done), {"id_number": _id("19830708", 57), "name": "周杰"})
    _backdate(done, 12)
    dropped = intake(b, "expired", _person("孙丽", "19590925", 63, 1011))
    services.cancel(b, dropped, "申请人未带身份证原件，改日再来")

    # PT02
    intake(c, "lost", _person("马强", "19770403", 71, 1012))
    other_proxy = intake(c, "damaged", _person("胡婷", "19450817", 73, 1014),
                         _person("胡军", "19721002", 75, 1015, relation="子女"))
    _pass_checks(c, other_proxy)
    services.submit(c, other_proxy)
    elsewhere = intake(c, "expired", _person("郭磊", "19900101", 77, 1016))
    _pass_checks(c, elsewhere)
    services.submit(c, elsewhere)
    db.session.flush()
    count = db.session.scalar(select(func.count()).select_from(ReissueRequest))
    return f"demo requests: {count} added at PT01/PT02 (one applicant on the watchlist)"
