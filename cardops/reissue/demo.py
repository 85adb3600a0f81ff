"""Demo requests for ``flask --app wsgi seed --demo``: a living queue at PT01 and PT02 in every state.

Each request's life is planned on the demo timeline with its real dates — intake, checks, submission, review,
arrival, pickup — and replayed through the services, so numbers, risk flags, timeline and audit entries all carry
the day they happened. Idempotent: nothing is planned when any request exists already.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from cardops.auth.models import User
from cardops.core.pii import id_check_char
from cardops.core.timeutil import LOCAL_TZ, to_local
from cardops.extensions import db
from cardops.reissue import pickup, services
from cardops.reissue.models import ReissueRequest
from cardops.risk import watchlist

DEMO_USERS = ("pt01-clerk-a", "pt01-clerk-b", "pt02-clerk-a", "supervisor")


def demo_id(birth: str, seq: int) -> str:
    first17 = f"310107{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def _person(name: str, birth: str, seq: int, phone_tail: int, **extra) -> dict:
    return {"id_number": demo_id(birth, seq), "name": name, "phone": f"1391234{phone_tail:04d}", **extra}


def _pass_checks(actor, request, *, skip: tuple[str, ...] = ()) -> None:
    for step in request.required_checks:
        if step not in skip:
            detail = {"face_match": "人证比对设备", "phone_callback": "持卡人本人接听并确认"}.get(step)
            services.record_check(actor, request, {"step": str(step), "result": "pass", "detail": detail,
                                                   "score": 93 if step == "face_match" else None})


class _Story:
    """Requests planned on the timeline, found again by a short name when their later steps run."""

    def __init__(self, timeline):
        self.timeline = timeline
        self.now = timeline.now
        self.requests: dict[str, ReissueRequest] = {}

    def day(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """Naive UTC of a local office time ``days_ago`` days back."""
        local_day = to_local(self.now).date() - timedelta(days=days_ago)
        return datetime.combine(local_day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)

    def today(self, minute: int) -> datetime:
        """Today's first hour at the counter (09:00 + ``minute``), squeezed before now when seeded earlier."""
        start = max(self.day(0, 0), min(self.day(0, 9), self.now - timedelta(hours=1)))
        return start + min(timedelta(hours=1), self.now - start) * (minute / 60)

    def intake(self, name: str, moment: datetime, actor, kind: str, applicant: dict, agent: dict | None = None):
        body = {"kind": kind, "channel": "proxy" if agent else "in_person", "applicant": applicant}
        if agent:
            body["agent"] = agent

        def run():
            self.requests[name] = services.intake(actor, body)

        self.timeline.at(moment, run)

    def then(self, name: str, moment: datetime, step) -> None:
        self.timeline.at(moment, lambda: step(self.requests[name]))


def plan_demo_requests(timeline) -> str:
    if db.session.scalar(select(ReissueRequest.id).limit(1)) is not None:
        return "demo requests: already present, none added"
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(DEMO_USERS)))}
    if len(users) < len(DEMO_USERS):
        return "demo requests: demo users missing, none added"
    a, b, c, sup = (users[name] for name in DEMO_USERS)
    story = _Story(timeline)
    checks, submit = _pass_checks, services.submit

    # PT01 — a card produced, arrived and handed over a few weeks ago
    story.intake("done", story.day(25, 9, 20), a, "lost", _person("周杰", "19830708", 57, 1010))
    story.then("done", story.day(25, 9, 28), lambda r: checks(a, r))
    story.then("done", story.day(25, 9, 31), lambda r: submit(a, r))
    story.then("done", story.day(14, 10, 5), lambda r: services.arrive(a, r))
    story.then("done", story.day(12, 15, 40), lambda r: services.collect(
        b, r, pickup.request_token(r), {"id_number": demo_id("19830708", 57), "name": "周杰"}))

    # PT01 — a card that arrived 38 days ago and was never collected (over the 30-day limit)
    story.intake("forgotten", story.day(45, 14, 10), b, "damaged", _person("赵敏", "19751111", 46, 1009))
    story.then("forgotten", story.day(45, 14, 18), lambda r: checks(b, r))
    story.then("forgotten", story.day(45, 14, 20), lambda r: submit(b, r))
    story.then("forgotten", story.day(38, 9, 45), lambda r: services.arrive(b, r))

    # PT01 — a deceased holder's card asked for by an agent: the district listed the ID weeks ago
    timeline.at(story.day(20, 11, 0), lambda: watchlist.add_entry(
        sup, {"id_number": demo_id("19380207", 42), "reason": "deceased", "note": "民政数据比对：已故"}))

    # PT01 — arrived two days ago, waiting for the holder
    story.intake("ready", story.day(12, 10, 30), a, "info_change", _person("刘洋", "19920415", 35, 1008))
    story.then("ready", story.day(12, 10, 38), lambda r: checks(a, r))
    story.then("ready", story.day(12, 10, 40), lambda r: submit(a, r))
    story.then("ready", story.day(2, 9, 50), lambda r: services.arrive(b, r, "3101070000012345"))

    # PT01 — at the counter six days ago and forgotten there (over the 2-working-day limit)
    story.intake("stale", story.day(6, 10, 15), a, "expired", _person("徐志强", "19710119", 15, 1013))

    # PT01 — withdrawn by the applicant
    story.intake("dropped", story.day(4, 11, 5), b, "expired", _person("孙丽", "19590925", 63, 1011))
    story.then("dropped", story.day(4, 11, 12), lambda r: services.cancel(b, r, "申请人未带身份证原件，改日再来"))

    # PT01 — in production since three days ago
    story.intake("making", story.day(3, 14, 0), b, "lost", _person("陈静", "19880626", 24, 1007))
    story.then("making", story.day(3, 14, 9), lambda r: checks(b, r))
    story.then("making", story.day(3, 14, 10), lambda r: submit(b, r))

    # PT01 — a proxy application waiting for a second clerk (medium risk)
    story.intake("proxy", story.day(1, 15, 20), a, "expired", _person("张伟", "19400511", 17, 1003),
                 _person("张小明", "19700921", 19, 1004, relation="子女"))
    story.then("proxy", story.day(1, 15, 29), lambda r: checks(a, r))
    story.then("proxy", story.day(1, 15, 30), lambda r: submit(a, r))

    # PT01 — today: the watchlisted holder's agent (high risk, for the district), and two at the counter
    story.intake("flagged", story.today(10), a, "lost", _person("吴芳", "19380207", 42, 1005),
                 _person("钱永", "19800330", 51, 1006, relation="其他"))
    story.then("flagged", story.today(18), lambda r: checks(a, r))
    story.then("flagged", story.today(20), lambda r: submit(a, r))
    story.intake("waiting", story.today(40), a, "lost", _person("王秀英", "19520314", 21, 1001))
    story.intake("partly", story.today(50), b, "damaged", _person("李建国", "19660802", 33, 1002))
    story.then("partly", story.today(55), lambda r: checks(b, r, skip=("old_card_recovered",)))

    # PT02 — in production, a proxy waiting for review, one at the counter
    story.intake("elsewhere", story.day(5, 10, 0), c, "expired", _person("郭磊", "19900101", 77, 1016))
    story.then("elsewhere", story.day(5, 10, 8), lambda r: checks(c, r))
    story.then("elsewhere", story.day(5, 10, 10), lambda r: submit(c, r))
    story.intake("other_proxy", story.day(1, 10, 0), c, "damaged", _person("胡婷", "19450817", 73, 1014),
                 _person("胡军", "19721002", 75, 1015, relation="子女"))
    story.then("other_proxy", story.day(1, 10, 9), lambda r: checks(c, r))
    story.then("other_proxy", story.day(1, 10, 10), lambda r: submit(c, r))
    story.intake("new_pt02", story.today(30), c, "lost", _person("马强", "19770403", 71, 1012))
    return "demo requests: 13 at PT01/PT02 in every state, with their history (one applicant on the watchlist)"
