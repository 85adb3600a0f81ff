"""Demo roster and a year of training for ``flask --app wsgi seed --demo``.

Planned on the demo timeline at their real dates and replayed through the services: the supervisor appoints the
ten outlets' trainers (one certification ends within 30 days, PT02's was renewed, PT07's trainer was suspended
in the autumn), two outlets take on a new clerk who is coached on the job, and each outlet holds a warning
education every month and business training every other month — except PT07, where nothing has happened since
the suspension but one visit of the supervisor, so its warning education is overdue and there is none this month.
The district gathers the trainers every quarter. Idempotent: nothing is planned when the roster has entries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from cardops.auth import services as accounts
from cardops.auth.models import User
from cardops.cases.models import LIBRARY_STATUSES, Case
from cardops.core.timeutil import LOCAL_TZ, to_local
from cardops.core.workdays import is_working_day
from cardops.extensions import db
from cardops.main.seed import DEMO_PASSWORD
from cardops.outlets.models import Outlet
from cardops.training import roster, services
from cardops.training.models import Trainer

WARNING_TOPICS = (
    "冒用已故人员身份补卡典型案例剖析", "代办补卡的授权核验要点与风险识别", "同一手机号多人申请的预警与处置",
    "人证比对不通过时的处置流程", "警惕“热心代办人”批量代办", "挂失补卡中的身份冒用防范",
    "预警名单命中后的上报与复核", "市卡中心通报案例学习：冒领养老金",
)
BUSINESS_TOPICS = (
    "补换卡业务规范与材料审核", "信息变更换卡操作要点", "新卡到达登记与发卡流程", "受理回执与取卡码的使用",
    "窗口服务规范与老年人服务", "双人复核制度与复核要点",
)
ONBOARDING_TOPICS = ("岗位职责与受理流程入门", "身份核验实操带教", "代办业务跟岗带教", "独立上岗前考核")
SPECIALTIES = (["防冒补核验", "代办业务"], ["新人带教"], ["窗口服务规范"], ["防冒补核验"], ["信息变更换卡"],
               ["代办业务", "老年人服务"], ["新人带教", "防冒补核验"], ["发卡流程"], ["案例分析"], ["窗口服务规范"])
MATERIALS = "课件：《社保卡补换卡防冒补工作手册》相关章节\n随堂测验题（10题）"

EXPIRING, RENEWED, SUSPENDED = "PT04", "PT02", "PT07"
SUSPENDED_DAYS_AGO = 75
NEW_HIRES = {"PT03": 150, "PT05": 70}  # outlet → days since the new clerk started


class _Plan:
    def __init__(self, timeline, users: dict[str, User], outlets: dict[str, Outlet]):
        self.timeline = timeline
        self.now = timeline.now
        self.today = to_local(self.now).date()
        self.users, self.outlets = users, outlets
        self.sessions: dict[str, object] = {}
        self.count = 0

    def moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        """Naive UTC of a local time on ``day``, never after now (today's events squeeze before it)."""
        planned = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
        return min(planned, self.now)

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def working_day(self, year: int, month: int, preferred: int) -> date | None:
        """The first working day from ``preferred`` on in that month, not after today (None: none yet); in the
        current month a day between its first and today."""
        day = date(year, month, min(preferred, 28))
        if (year, month) == (self.today.year, self.today.month) and day > self.today:
            day = date(year, month, 1) + timedelta(days=preferred % self.today.day)
        while not is_working_day(day) and day.month == month and day < self.today:
            day += timedelta(days=1)
        if day.month != month:
            return None
        return day if day <= self.today else None

    def log(self, key: str, day: date, actor, body: dict, *, hour: int = 16) -> None:
        def run():
            if body.get("kind") == "warning_education":
                body["cases"] = [c.id for c in db.session.scalars(
                    select(Case).where(Case.status.in_(LIBRARY_STATUSES), Case.occurred_on <= day)
                    .order_by(Case.id.desc()).limit(2))]
            self.sessions[key] = services.log_session(actor, {"date": day.isoformat(), **body})

        self.timeline.at(self.moment(day, hour, 30), run)
        self.count += 1


def _months_back(today: date, months: int) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    result = []
    for _ in range(months + 1):
        result.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(result))


def plan_demo_training(timeline) -> str:
    if db.session.scalar(select(Trainer.id).limit(1)) is not None:
        return "demo training: roster already present, none added"
    users = {u.username: u for u in db.session.scalars(select(User))}
    outlets = {o.code: o for o in db.session.scalars(select(Outlet).order_by(Outlet.code))}
    codes = [code for code in outlets if f"{code.lower()}-trainer" in users]
    if "supervisor" not in users or not codes:
        return "demo training: demo users missing, none added"
    plan = _Plan(timeline, users, outlets)
    _plan_roster(plan, codes)
    _plan_new_hires(plan)
    for index, code in enumerate(codes):
        _plan_outlet_year(plan, index, code)
    _plan_district(plan, codes)
    return (f"demo training: {len(codes)} trainers on the roster ({EXPIRING} expiring, {SUSPENDED} suspended), "
            f"{plan.count} sessions over a year")


def _plan_roster(plan: _Plan, codes: list[str]) -> None:
    sup = plan.users["supervisor"]
    appointed = plan.days_ago(395)
    for index, code in enumerate(codes):
        until = appointed.replace(year=appointed.year + 2)
        if code == EXPIRING:
            until = plan.today + timedelta(days=18)
        elif code == RENEWED:
            until = plan.days_ago(100) + timedelta(days=20)
        body = {"username": f"{code.lower()}-trainer", "appointed_on": appointed.isoformat(),
                "certified_until": until.isoformat(), "specialties": SPECIALTIES[index % len(SPECIALTIES)]}
        plan.timeline.at(plan.moment(appointed, 10, index), lambda body=body: roster.appoint(sup, body))

    def entry(code):
        return db.session.scalars(select(Trainer).join(User, Trainer.user_id == User.id)
                                  .where(User.username == f"{code.lower()}-trainer")).one()

    if RENEWED in codes:
        renewed = plan.days_ago(100)
        plan.timeline.at(plan.moment(renewed, 11), lambda: roster.update_trainer(sup, entry(RENEWED), {
            "certified_until": renewed.replace(year=renewed.year + 3).isoformat()}))
    if SUSPENDED in codes:
        plan.timeline.at(plan.moment(plan.days_ago(SUSPENDED_DAYS_AGO), 11), lambda: roster.update_trainer(
            sup, entry(SUSPENDED), {"status": "suspended", "reason": "本人长期病假，暂停小教员工作，病愈后复核恢复"}))


def _plan_new_hires(plan: _Plan) -> None:
    for code, days in NEW_HIRES.items():
        outlet, username = plan.outlets.get(code), f"{code.lower()}-clerk-c"
        if outlet is None or username in plan.users:
            continue

        def hire(outlet=outlet, username=username, code=code):
            plan.users[username] = accounts.create_user(None, username=username, display_name=f"{code} 新员工丙",
                                                        roles=["clerk"], outlet=outlet, password=DEMO_PASSWORD)

        start = plan.days_ago(days)
        plan.timeline.at(plan.moment(start, 8, 30), hire)
        trainer = plan.users[f"{code.lower()}-trainer"]
        for week, topic in enumerate(ONBOARDING_TOPICS):
            day = start + timedelta(days=2 + 7 * week)
            if day > plan.today:
                break
            plan.log(f"{code}-onboarding-{week}", day, trainer, {
                "topic": topic, "kind": "onboarding", "duration_minutes": 120,
                "attendees": [{"username": username, "score": 75 + 5 * week if week == 3 else None}]})


def _hired(plan: _Plan, code: str, day: date) -> bool:
    return code in NEW_HIRES and day > plan.days_ago(NEW_HIRES[code]) + timedelta(days=30)


def _plan_outlet_year(plan: _Plan, index: int, code: str) -> None:
    trainer = plan.users[f"{code.lower()}-trainer"]
    clerks = [f"{code.lower()}-clerk-a", f"{code.lower()}-clerk-b"]
    first_day = plan.days_ago(365)
    suspended_since = plan.days_ago(SUSPENDED_DAYS_AGO)
    for month_no, (year, month) in enumerate(_months_back(plan.today, 12)):
        day = plan.working_day(year, month, 6 + (index * 2 + month_no) % 14)
        if day is not None and day >= first_day and not (code == SUSPENDED and day >= suspended_since):
            people = clerks + ([f"{code.lower()}-clerk-c"] if _hired(plan, code, day) else [])
            quiz = month_no % 3 == 0
            attendees = [{"username": name, "attended": not ((index + month_no) % 5 == 0 and n == 1),
                          "score": (82 + (index * 3 + month_no * 7 + n * 5) % 17) if quiz else None}
                         for n, name in enumerate(people)]
            for attendee in attendees:
                if not attendee["attended"]:
                    attendee["score"] = None
            plan.log(f"{code}-we-{year}-{month}", day, trainer, {
                "topic": WARNING_TOPICS[(index + month_no) % len(WARNING_TOPICS)], "kind": "warning_education",
                "duration_minutes": 60 if (index + month_no) % 3 else 90, "materials": MATERIALS,
                "attendees": attendees})
        business = plan.working_day(year, month, 18 + index % 8)
        if ((index + month_no) % 2 == 0 and business is not None and business >= first_day
                and business < plan.today and not (code == SUSPENDED and business >= suspended_since)):
            plan.log(f"{code}-business-{year}-{month}", business, trainer, {
                "topic": BUSINESS_TOPICS[(index + month_no) % len(BUSINESS_TOPICS)], "kind": "business",
                "duration_minutes": 90 + 30 * (month_no % 2),
                "attendees": [{"username": name} for name in clerks]}, hour=17)
    if code == SUSPENDED:  # the district keeps the outlet going: the supervisor visits and trains
        visit = plan.days_ago(30)
        plan.log(f"{code}-visit", visit, plan.users["supervisor"], {
            "outlet_code": code, "topic": "督导到点指导：补换卡业务规范", "kind": "business",
            "duration_minutes": 60, "attendees": [{"username": name} for name in clerks]}, hour=15)
    if index == 0:  # a trainer corrects the real length of a recent session the next day
        key = f"{code}-we-{plan.today.year}-{plan.today.month}"
        held = plan.working_day(plan.today.year, plan.today.month, 6 + (index * 2 + 12) % 14)
        if held is not None and held < plan.today:
            def correct():
                session = plan.sessions[key]
                services.correct_session(trainer, session, {"duration_minutes": session.duration_minutes + 30})

            plan.timeline.at(plan.moment(held + timedelta(days=1), 9), correct)


def _plan_district(plan: _Plan, codes: list[str]) -> None:
    leader = plan.users.get("supervisor2") or plan.users["supervisor"]
    for number, days in enumerate((330, 240, 150, 45)):
        day = plan.days_ago(days)
        while not is_working_day(day):
            day += timedelta(days=1)
        suspended = plan.days_ago(SUSPENDED_DAYS_AGO)
        attendees = [{"username": f"{code.lower()}-trainer"} for code in codes
                     if not (code == SUSPENDED and day >= suspended)]
        attendees += [{"username": f"{code.lower()}-clerk-a"} for code in codes[number::4]]
        plan.log(f"district-{number}", day, leader, {
            "outlet_code": None, "topic": f"全区小教员集中警示教育（第{number + 1}期）", "kind": "warning_education",
            "duration_minutes": 120, "materials": MATERIALS, "attendees": attendees}, hour=14)
