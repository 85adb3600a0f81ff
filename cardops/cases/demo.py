"""Demo cases for ``flask --app wsgi seed --demo``: a library across categories and outlets, last year's round
finalised, this year's open with some scores missing, and cases in every state.

Every step is planned on the demo timeline at a real moment and replayed through the services, so each case,
score and audit entry carries the day it happened. Last year's round: written in the autumn, nominated in
December, scored, finalised in January; this year's cases follow up to today. The moments scale with the demo's
history, so seeding works on any day of the year. Idempotent: nothing is planned when any case exists already.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from cardops.auth.models import User
from cardops.cases import selection, services
from cardops.cases.demo_stories import DRAFT, LAST_YEAR, THIS_YEAR
from cardops.cases.models import Case
from cardops.core.timeutil import LOCAL_TZ, to_local
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest

SUPERVISORS = ("supervisor", "supervisor2")


def _local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


class _Plan:
    """Moments spread over a window of the timeline, and the cases found again by their story's key."""

    def __init__(self, timeline, users: dict[str, User]):
        self.timeline = timeline
        self.users = users
        self.cases: dict[str, Case] = {}

    def at(self, moment: datetime, action) -> None:
        self.timeline.at(min(moment, self.timeline.now), action)

    def write(self, story: dict, year: int, moment: datetime, request_number=None) -> None:
        author = self.users[story["author"]]
        # It happened on the story's day, or — the demo's history being short — a few days before it was written.
        month, day = story.get("occurred", (1, 1))
        written = to_local(moment).date()
        occurred = min(date(year, month, day), written - timedelta(days=3 + len(story["title"]) % 9))
        occurred = min(max(occurred, date(year, 1, 1)), written)
        body = {"title": story["title"], "occurred_on": occurred.isoformat(), "category": story["category"],
                "narrative": story["narrative"], "lessons": story["lessons"], "outlet_code": story.get("outlet")}

        def run():
            body["request_number"] = request_number() if callable(request_number) else None
            self.cases[story["key"]] = services.create_case(author, body)

        self.at(moment, run)

    def then(self, key: str, moment: datetime, step) -> None:
        self.at(moment, lambda: step(self.cases[key]))


def _window(start: datetime, end: datetime):
    """``point(f)``: the moment a fraction ``f`` of the way from ``start`` to ``end``."""
    return lambda fraction: start + (end - start) * fraction


def _plan_last_year(plan: _Plan, year: int, start: datetime, end: datetime) -> None:
    point = _window(start, end)
    sup, sup2 = (plan.users[name] for name in SUPERVISORS)
    count = len(LAST_YEAR)
    for n, story in enumerate(LAST_YEAR):
        key = story["key"]
        author = plan.users[story["author"]]
        returned = story.get("returned")
        first = {**story, "narrative": story["narrative"].replace(returned[1], "").strip()} if returned else story
        plan.write(first, year, point(0.02 + 0.3 * n / count))
        plan.then(key, point(0.03 + 0.3 * n / count), lambda c, a=author: services.submit_case(a, c))
        if returned:
            plan.then(key, point(0.36), lambda c, r=returned[0]: services.return_case(sup, c, r))
            plan.then(key, point(0.40), lambda c, a=author, s=story: services.update_case(
                a, c, {"narrative": s["narrative"]}))
            plan.then(key, point(0.41), lambda c, a=author: services.submit_case(a, c))
        reviewer = sup2 if story["author"] != "supervisor2" else sup
        plan.then(key, point(0.45 + 0.1 * n / count), lambda c, r=reviewer: services.accept_case(r, c))
        plan.then(key, point(0.6 + 0.02 * n / count), lambda c: services.nominate_case(sup, c, year))
        for who, scored, offset in zip((sup, sup2), story["scores"], (0.7, 0.82), strict=True):
            if scored is not None:
                values = dict(zip(("typicality", "educational_value", "impact"), scored, strict=True))
                plan.then(key, point(offset + 0.1 * n / count),
                          lambda c, w=who, v=values: selection.score_case(w, year, c, v))
    plan.at(point(1.0), lambda: selection.finalise(sup, year))


def _plan_this_year(plan: _Plan, year: int, start: datetime, end: datetime) -> None:
    point = _window(start, end)
    sup, sup2 = (plan.users[name] for name in SUPERVISORS)
    count = len(THIS_YEAR)
    for n, story in enumerate(THIS_YEAR):
        key, flow = story["key"], story["flow"]
        author = plan.users[story["author"]]
        written = 0.05 + 0.6 * n / count
        plan.write(story, year, point(written))
        plan.then(key, point(written + 0.01), lambda c, a=author: services.submit_case(a, c))
        if flow == "submitted":
            continue
        if flow == "returned":
            plan.then(key, point(written + 0.03), lambda c, s=story: services.return_case(sup, c, s["return_reason"]))
            continue
        plan.then(key, point(written + 0.03), lambda c: services.accept_case(sup, c))
        if flow == "accepted":
            continue
        plan.then(key, point(0.75 + 0.05 * n / count), lambda c: services.nominate_case(sup2, c, year))
        for who, scored, offset in zip((sup, sup2), story["scores"], (0.85, 0.92), strict=True):
            if scored is not None:
                values = dict(zip(("typicality", "educational_value", "impact"), scored, strict=True))
                plan.then(key, point(offset + 0.05 * n / count),
                          lambda c, w=who, v=values: selection.score_case(w, year, c, v))


def _todays_risky_request() -> str | None:
    """The number of today's high-risk request at PT01 (the reissue demo's watchlisted holder), if there is one."""
    return db.session.scalar(
        select(ReissueRequest.number).join(Outlet, Outlet.id == ReissueRequest.outlet_id)
        .where(Outlet.code == "PT01", ReissueRequest.risk_level == "high")
        .order_by(ReissueRequest.created_at.desc()).limit(1))


def plan_demo_cases(timeline) -> str:
    if db.session.scalar(select(Case.id).limit(1)) is not None:
        return "demo cases: already present, none added"
    authors = {s["author"] for s in (*LAST_YEAR, *THIS_YEAR, DRAFT)} | set(SUPERVISORS)
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(authors)))}
    if len(users) < len(authors):
        return "demo cases: demo users missing, none added"
    plan = _Plan(timeline, users)
    now = timeline.now
    this_year = to_local(now).year
    history_start = now - DEMO_HISTORY_DAYS + timedelta(days=1)
    # Last year's round: written from September (or when the demo's history begins) and finalised on 12 January
    # (or just before now, early in January); this year's cases from then on until an hour ago.
    last_start = max(history_start, _local(date(this_year - 1, 9, 1)))
    final_at = min(_local(date(this_year, 1, 12)), now - timedelta(hours=3))
    _plan_last_year(plan, this_year - 1, last_start, final_at)
    this_start = max(final_at + (now - final_at) / 50, _local(date(this_year, 1, 1), 0))
    this_end = max(now - timedelta(hours=1), this_start + (now - this_start) / 2)
    _plan_this_year(plan, this_year, this_start, this_end)
    plan.write({**DRAFT, "occurred": (12, 31)}, this_year, now - timedelta(minutes=1),
               request_number=_todays_risky_request)
    total = len(LAST_YEAR) + len(THIS_YEAR) + 1
    return (f"demo cases: {total} across the outlets; {this_year - 1} selection finalised, "
            f"{this_year} open with scores missing")
