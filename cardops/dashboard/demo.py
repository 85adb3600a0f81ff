"""A year of the district for ``seed --demo``, so the dashboard has something to show: requests at all ten
outlets on working days, each life planned with its real dates — intake, checks, submission, review where the
risk needs it, arrival from the city card center, pickup, or a card returned after 180 days — and replayed
through the reissue services (numbers, risk flags, timeline and audit entries carry the day they happened).

Planted among them, what a supervisor should see: proxy applications reviewed at the outlet, a phone shared
by three applicants, an agent applying for one elderly person after another, people losing their new card
again within the year, failed face matches, a deceased person's card asked for, a few requests forgotten at the
counter and cards nobody came for. Deterministic (a fixed seed). Nothing is planned when any request exists.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from cardops.auth.models import User
from cardops.core.pii import id_check_char
from cardops.core.timeutil import LOCAL_TZ, to_local
from cardops.core.workdays import is_working_day
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import pickup, services
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import Status
from cardops.risk import watchlist

SEED = 20261126
HISTORY_DAYS = 365
# Requests a working day at each outlet (busier streets, quieter towns): about 350 in the year, what the
# services replay in about 10 s on SQLite (a real district takes in many times more).
DAILY_RATE = {"PT01": 0.2, "PT02": 0.17, "PT03": 0.13, "PT04": 0.14, "PT05": 0.1, "PT06": 0.12, "PT07": 0.18,
              "PT08": 0.13, "PT09": 0.14, "PT10": 0.1}
KINDS = (("lost", 50), ("damaged", 15), ("expired", 22), ("info_change", 13))
PROXY_SHARE = 0.12
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌志德福根宝林凤珍云海燕忠良"
RELATIONS = ("子女", "配偶", "父母", "兄弟姐妹", "其他")


def _local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


class _People:
    """Unique made-up residents: valid ID numbers (area 310107, sequence ≥ 100, apart from the other demo
    data), names and mobile numbers (137…, apart from the other demo data)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.phones = itertools.count(13700001000)

    def person(self, *, born=(1938, 2004), **extra) -> dict:
        while True:
            birth = f"{self.rng.randint(*born)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
            first17 = f"310107{birth}{self.rng.randint(100, 999):03d}"
            if first17 not in self.used:
                break
        self.used.add(first17)
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return {"id_number": first17 + id_check_char(first17), "name": name, "phone": str(next(self.phones)),
                **extra}


class _District:
    """The planner: each request's life as events on the demo timeline, every step checking at run time that
    the request is where the plan expects (so a plan never forces a refused action)."""

    def __init__(self, timeline, rng: random.Random, staff: dict[str, list[User]], supervisors: list[User]):
        self.timeline, self.rng, self.staff, self.supervisors = timeline, rng, staff, supervisors
        self.now = timeline.now
        self.people = _People(rng)
        self.requests: dict[int, ReissueRequest] = {}
        self.keys = itertools.count()
        self.finished: list[tuple[str, dict, datetime]] = []  # (outlet, applicant, collected at): for re-losses
        self.planned = 0

    def at(self, moment: datetime, action) -> bool:
        if moment >= self.now:
            return False
        self.timeline.at(moment, action)
        return True

    def working_day_at(self, moment: datetime, days: int, hour: int) -> datetime:
        """``days`` days after ``moment``, moved on to a working day, at ``hour``:xx local time."""
        day = to_local(moment).date() + timedelta(days=days)
        while not is_working_day(day):
            day += timedelta(days=1)
        return _local(day, hour, self.rng.randint(0, 59))

    # --- one request -----------------------------------------------------------------------------------------

    def life(self, code: str, moment: datetime, *, kind: str | None = None, applicant: dict | None = None,
             agent: dict | None = None, fail_face: bool = False, fate: str = "normal",
             reject: bool | None = None) -> None:
        """One request from intake on. ``fate``: normal, cancel (withdrawn at the counter), counter (left
        there), unreviewed (waits for review still); ``reject``: the reviewer's decision when review is needed."""
        rng, key = self.rng, next(self.keys)
        self.planned += 1
        clerk, desk = rng.choice(self.staff[code]), rng.choice(self.staff[code])
        applicant = applicant or self.people.person()
        if agent is None and rng.random() < PROXY_SHARE:
            agent = self.people.person(born=(1950, 1995), relation=rng.choice(RELATIONS))
        body = {"kind": kind or rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0],
                "channel": "proxy" if agent else "in_person", "applicant": applicant}
        if agent:
            body["agent"] = agent
        self.at(moment, lambda: self.requests.__setitem__(key, services.intake(clerk, body)))
        step = moment + timedelta(minutes=rng.randint(3, 12))
        if fate == "cancel":
            reason = rng.choice(("申请人未带身份证原件，改日再来", "申请人决定先办理临时挂失", "代办授权书未签字"))
            self.step(step, key, Status.INTAKE, lambda r: services.cancel(clerk, r, reason))
            return
        if fate == "counter":
            return
        if fail_face:
            check = {"step": "face_match", "result": "fail", "score": rng.randint(35, 62),
                     "detail": "人证比对分数过低，到柜人员与证件照片不符"}
            self.step(step, key, Status.INTAKE, lambda r: services.record_check(clerk, r, check))
            step += timedelta(minutes=rng.randint(5, 15))
        self.step(step, key, Status.INTAKE, lambda r: self._checks_and_submit(clerk, r))
        if fate == "unreviewed":
            return
        # Medium risk is reviewed at the outlet within hours, high risk by the district the next working day.
        reject = rng.random() < 0.05 if reject is None else reject
        district_review = self.working_day_at(step, 1, rng.choice((9, 10, 11, 14, 15)))
        for level, at in (("outlet", step + timedelta(minutes=rng.randint(20, 240))), ("district", district_review)):
            reviewer = rng.choice(self.supervisors if level == "district" else
                                  [u for u in self.staff[code] if u.id != clerk.id])
            self.step(at, key, Status.PENDING_REVIEW,
                      lambda r, lv=level, who=reviewer: self._review(r, lv, who, reject))
        if reject:
            return
        arrival = self.working_day_at(district_review, rng.randint(5, 11), rng.choice((9, 10, 11)))
        if not self.step(arrival, key, Status.SUBMITTED, lambda r: services.arrive(desk, r)):
            return
        waited = rng.choices((rng.randint(0, 5), rng.randint(6, 20), rng.randint(21, 75), 400), (62, 25, 10, 3))[0]
        collected = max(self.working_day_at(arrival, waited, rng.choice((10, 11, 14, 15, 16))),
                        arrival + timedelta(minutes=rng.randint(30, 90)))
        collector = agent if agent and rng.random() < 0.5 else applicant
        person = {"id_number": collector["id_number"], "name": collector["name"]}
        if self.step(collected, key, Status.READY,
                     lambda r: services.collect(desk, r, pickup.request_token(r), person)):
            self.finished.append((code, applicant, collected))
            return
        self.step(self.working_day_at(arrival, 183, 10), key, Status.READY,
                  lambda r: services.return_card(desk, r, "逾期180天未领取，联系未果，退回市卡中心"))

    def step(self, moment: datetime, key: int, status: Status, operation) -> bool:
        """``operation(request)`` at ``moment`` if the request is then in ``status``; False if after now."""

        def run():
            request = self.requests.get(key)
            if request is not None and request.status == status:
                operation(request)

        return self.at(moment, run)

    @staticmethod
    def _checks_and_submit(clerk, request) -> None:
        for _ in range(3):  # a failed check raises the risk, which may require one more step
            for step in request.missing_checks:
                detail = {"face_match": "人证比对设备", "phone_callback": "持卡人本人接听并确认"}.get(step)
                services.record_check(clerk, request, {"step": str(step), "result": "pass", "detail": detail,
                                                       "score": 88 if step == "face_match" else None})
        services.submit(clerk, request)

    @staticmethod
    def _review(request, level: str, reviewer, reject: bool) -> None:
        if request.review_level_needed != level:
            return
        reason = ("核实后发现代办材料不全，请补齐后重新申请" if reject else
                  "已电话联系持卡人本人确认" if level == "district" else None)
        services.review(reviewer, request, "reject" if reject else "approve", reason)

    # --- the year ------------------------------------------------------------------------------------------

    def ordinary_days(self) -> None:
        today = to_local(self.now).date()
        for back in range(HISTORY_DAYS, 0, -1):
            day = today - timedelta(days=back)
            if not is_working_day(day):
                continue
            for code, rate in DAILY_RATE.items():
                if code not in self.staff:
                    continue
                for _ in range(int(rate) + (self.rng.random() < rate % 1)):
                    fate = self.rng.choices(("normal", "cancel"), (97, 3))[0]
                    self.life(code, _local(day, self.rng.randint(9, 16), self.rng.randint(0, 59)), fate=fate,
                              fail_face=self.rng.random() < 0.012)

    def stories(self) -> None:
        """The patterns a supervisor should see, at known outlets and times."""
        rng, today = self.rng, to_local(self.now).date()

        def day(back: int, hour: int = 10) -> datetime:
            return self.working_day_at(_local(today - timedelta(days=back), 0), 0, hour)

        # One phone for three applicants within two months (PT04): the third is flagged, the outlet checks.
        phone = "13700999001"
        for back in (70, 41, 23):
            self.life("PT04", day(back), applicant=self.people.person() | {"phone": phone}, reject=False)
        # One "helpful" agent for one elderly person after another (PT07): flagged from the third, refused.
        agent = self.people.person(born=(1960, 1975), relation="其他")
        for back, refuse in ((118, False), (111, False), (104, True), (97, True)):
            self.life("PT07", day(back, 14), applicant=self.people.person(born=(1930, 1945)), agent=agent,
                      reject=refuse)
        # A deceased holder (listed by the district) asked for by an "old neighbour" (PT09): refused.
        deceased = self.people.person(born=(1931, 1936))
        supervisor = self.supervisors[0]
        self.at(day(160, 9), lambda: watchlist.add_entry(supervisor, {
            "id_number": deceased["id_number"], "reason": "deceased", "note": "民政死亡数据比对"}))
        self.life("PT09", day(150, 15), kind="lost", applicant=deceased, reject=True,
                  agent=self.people.person(born=(1955, 1970), relation="其他"))
        # People who lost the new card again within the year: flagged RECENT_REISSUE, reviewed at the outlet.
        earlier = self.finished[:len(self.finished) * 2 // 3]
        for code, applicant, collected in rng.sample(earlier, min(6, len(earlier))):
            back = (today - to_local(collected).date()).days - rng.randint(60, 150)
            if back > 3:
                self.life(code, day(back), kind="lost", applicant=applicant, reject=False)
        # Forgotten: at the counter for days (PT03, PT08), a proxy nobody reviewed (PT06).
        for code, back in (("PT03", 6), ("PT08", 9), ("PT08", 4)):
            self.life(code, day(back, 11), fate="counter")
        self.life("PT06", day(7, 15), agent=self.people.person(relation="子女"), fate="unreviewed")


def plan_demo_district(timeline) -> str:
    if db.session.scalar(select(ReissueRequest.id).limit(1)) is not None:
        return "dashboard demo: requests already present, none added"
    outlets = {o.id: o.code for o in db.session.scalars(select(Outlet))}
    users = list(db.session.scalars(select(User).where(User.username.like("%-clerk-_") | User.username.like(
        "%-trainer") | User.username.in_(("supervisor", "supervisor2")))))
    staff: dict[str, list[User]] = {}
    for user in users:
        if user.outlet_id is not None and user.has_role("clerk") and user.username.startswith(
                outlets[user.outlet_id].lower() + "-"):
            staff.setdefault(outlets[user.outlet_id], []).append(user)
    supervisors = sorted((u for u in users if u.has_role("supervisor")), key=lambda u: u.username)
    if len(staff) < len(DAILY_RATE) or any(len(s) < 2 for s in staff.values()) or not supervisors:
        return "dashboard demo: demo users missing, none added"
    for members in staff.values():
        members.sort(key=lambda u: u.username)
    district = _District(timeline, random.Random(SEED), staff, supervisors)
    district.ordinary_days()
    district.stories()
    return f"dashboard demo: {district.planned} requests at the ten outlets over the past year, with their history"
