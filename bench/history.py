"""Years of a district's counter work, told request by request in memory, with the application deciding.

The generator decides what *happens* — who comes to which counter when, alone or through an agent, which check
fails, how long a review takes and how it ends, when the card arrives and is collected — as the data and
probabilities below. What the application *concludes* from it comes from the application's own code:

* risk: every rule of ``cardops.reissue.rules.RULES`` gets its facts from ``FACTS`` — counted here from the
  history generated so far, per person (one person, one keyed hash) in the rule's window, as the rule's database
  look-up counts them — and decides with its own ``decide``: levels, reasons and thresholds (the configuration's
  ``RISK_*``) are the application's; flags are kept as ``services.evaluate_risk`` keeps them;
* the checks a request needs (``required_steps``), the review it needs (``review_level_needed``), from where and
  to where each move leads (``TRANSITIONS``), and who may review it (``reissue.permissions.refusal``).

Time stops at "now", so the last weeks hold a district's open work. Rows go to one writer per table; audit
entries are released in chronological order (a heap) to the chain writer.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from cardops.core.pii import mask_id_number, mask_phone
from cardops.core.timeutil import LOCAL_TZ
from cardops.core.workdays import is_working_day
from cardops.reissue import pickup
from cardops.reissue.permissions import REVIEW_ACTIONS, refusal
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import (
    OPEN_STATUSES,
    REISSUED_STATUSES,
    RELATIONS,
    SUBMIT_FOR_REVIEW_TARGET,
    TRANSITIONS,
    ReviewLevel,
    Status,
    required_steps,
    review_level_needed,
)
from cardops.risk.registry import RiskContext, RiskLevel, RuleRegistry, highest_level

from .district import District, OutletInfo, People, Staff

# --- what happens: data and probabilities ----------------------------------------------------------------------

OPEN, CLOSE = timedelta(hours=8, minutes=30), timedelta(hours=17)  # office hours, local time
NEVER = datetime.max
KIND_WEIGHTS = {"lost": 55, "damaged": 15, "expired": 20, "info_change": 10}
PROXY_SHARE = 0.15
RELATION_WEIGHTS = (30, 40, 15, 8, 7)  # of workflow.RELATIONS
WATCHLIST_SHARE = 0.0015
WATCHLIST_WEIGHTS = {"deceased": 60, "identity_theft": 20, "police_hold": 12, "other": 8}
WATCHLIST_NOTES = {"deceased": "民政死亡数据比对", "identity_theft": "本人报案身份证被冒用",
                   "police_hold": "公安协查通报", "other": "督导核查中"}
FAIL_RATE = {"id_document": 0.003, "face_match": 0.008, "proxy_authorization": 0.01, "phone_callback": 0.08}
CHECK_DETAIL = {
    ("id_document", "pass"): "读卡核验通过", ("id_document", "fail"): "证件照片与到柜人员明显不符",
    ("proxy_authorization", "pass"): "授权委托书及双方证件已核验", ("proxy_authorization", "fail"): "委托书签名存疑",
    ("loss_report", "pass"): "已确认挂失", ("old_card_recovered", "pass"): "旧卡已回收并剪角作废",
    ("phone_callback", "pass"): "持卡人本人电话确认", ("phone_callback", "fail"): "电话回访：持卡人否认申请",
}
GIVE_UP_AFTER_FAIL = 0.55  # a failed check ends the request (else the clerk checks again, and it passes)
CANCEL_REASONS = ("申请人材料不全，撤销", "申请人放弃办理", "申请人未带身份证原件")
REVIEW_BY_CLERK = 0.75  # a reviewer is first sought among the outlet's clerks (the app may say: a supervisor)
REJECT_SHARE = {"WATCHLIST": 0.92, "FAILED_CHECK": 0.35, RiskLevel.HIGH: 0.08, None: 0.02}
REJECT_REASONS = {"WATCHLIST": "预警名单人员，疑似冒用身份", "FAILED_CHECK": "人证比对未通过，无法确认本人",
                  "PROXY_APPLICATION": "代办材料存疑，退回网点核实", None: "复核未通过，请网点重新核实"}
COLLECT_REASON = {"applicant": "领取人：申请人本人", "agent": "领取人：代办人"}  # as services.collect words it
COLLECTED_BY_AGENT = 0.7
RETURN_REASON = "逾期未领取，退回市卡中心"
MONTH_FACTOR = (1.1, 0.75, 1.1, 1.0, 1.0, 1.05, 1.1, 1.05, 1.0, 0.85, 1.0, 1.05)
WEEKDAY_FACTOR = (1.15, 1.0, 1.0, 1.0, 0.95, 0.8, 0.8)

# --- what the application concludes: each rule's facts, counted in memory ----------------------------------------

APPLICANT, AGENT = "申请人", "代办人"  # the keys of reissue.rules.listed_people's facts


def _recent_reissues(sim: Simulation, flow: Flow) -> int:
    since = flow.created_at - timedelta(days=sim.config["RISK_RECENT_REISSUE_DAYS"])
    return sum(1 for at, status in sim.history.get(flow.applicant, ()) if at >= since and status in REISSUED_STATUSES)


def _applicants_sharing_phone(sim: Simulation, flow: Flow) -> int:
    events = sim.phone_history.get(sim.people.phone_hash[flow.applicant])  # only ring phones are shared
    since = flow.created_at - timedelta(days=sim.config["RISK_SHARED_PHONE_DAYS"])
    return len({pid for at, pid in events or () if at >= since and pid != flow.applicant})


def _agents_other_applicants(sim: Simulation, flow: Flow) -> int:
    if flow.agent is None:
        return 0
    since = flow.created_at - timedelta(days=sim.config["RISK_SERIAL_AGENT_DAYS"])
    return len({pid for at, pid in sim.agent_history.get(flow.agent, ()) if at >= since and pid != flow.applicant})


def _listed_people(sim: Simulation, flow: Flow) -> dict[str, str]:
    listed = sorted((sim.watchlisted[pid], who) for pid, who in ((flow.applicant, APPLICANT), (flow.agent, AGENT))
                    if pid in sim.watchlisted and sim.watchlisted[pid][1] <= flow.created_at)  # by entry id
    return {who: reason for (_, _, reason), who in listed}


FACTS = {
    "PROXY_APPLICATION": lambda sim, flow: flow.agent is not None,
    "RECENT_REISSUE": _recent_reissues,
    "SHARED_PHONE": _applicants_sharing_phone,
    "SERIAL_AGENT": _agents_other_applicants,
    "WATCHLIST": _listed_people,
    "FAILED_CHECK": lambda sim, flow: [],  # appended to as checks fail
}


def rules_on_facts(rules: RuleRegistry = RULES) -> RuleRegistry:
    """The application's rules, each reading its facts from ``flow.facts`` instead of the database."""
    missing = set(rules.rules) - set(FACTS)
    if missing:
        raise SystemExit(f"bench.history counts no facts for the risk rules {sorted(missing)}: add them to FACTS")
    twin = RuleRegistry()
    for code, rule in rules.rules.items():
        twin.rules[code] = dataclasses.replace(rule, facts=lambda flow, ctx, code=code: flow.facts[code])
    return twin


# --- the rows, in the column order the writers are given ----------------------------------------------------------

COLUMNS = {
    "reissue_requests": (
        "id", "number", "outlet_id", "kind", "channel", "status", "version",
        "applicant_name", "applicant_id_enc", "applicant_id_hash", "applicant_id_masked", "applicant_id_last4",
        "applicant_phone_enc", "applicant_phone_hash", "applicant_phone_masked",
        "agent_name", "agent_id_enc", "agent_id_hash", "agent_id_masked", "agent_phone_enc", "agent_phone_hash",
        "agent_phone_masked", "agent_relation", "risk_level",
        "review_decision", "review_level", "reviewed_by_id", "reviewed_at", "review_reason",
        "pickup_nonce", "card_number", "expected_date", "collector_name", "collector_role", "closed_reason",
        "created_by_id", "created_at", "updated_at", "submitted_at", "arrived_at", "collected_at", "closed_at"),
    "request_checks": ("id", "request_id", "step", "result", "detail", "score", "by_id", "at"),
    "risk_flags": ("id", "request_id", "code", "level", "reason", "at"),
    "request_events": ("id", "request_id", "action", "from_status", "to_status", "actor_id", "at", "reason"),
}
WATCHLIST_COLUMNS = ("id", "id_enc", "id_hash", "id_masked", "reason", "note", "created_by_id", "created_at")


UTC_OFFSET = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))  # Asia/Shanghai has no daylight saving: one offset, cheaper


def local_day(moment: datetime) -> date:
    return (moment + UTC_OFFSET).date()


def local_midnight(day: date) -> datetime:
    """Naive UTC of the start of the local ``day``."""
    return datetime(day.year, day.month, day.day) - UTC_OFFSET


class Flow:
    """One request while its story is told; shaped like ``ReissueRequest`` where the app's code looks at it."""

    def __init__(self, sim: Simulation, t: datetime, outlet: OutletInfo, clerk: Staff, applicant: int,
                 agent: int | None, kind: str):
        self.sim, self.outlet, self.clerk, self.kind = sim, outlet, clerk, kind
        self.applicant, self.agent = applicant, agent
        self.id = sim.next_id("reissue_requests")
        self.outlet_id, self.created_by_id, self.created_at, self.updated_at = outlet.id, clerk.id, t, t
        self.channel = "proxy" if agent is not None else "in_person"
        day = local_day(t)
        sim.counters[(outlet.id, day)] += 1
        self.number = f"{outlet.code}-{day:%Y%m%d}-{sim.counters[(outlet.id, day)]:04d}"
        self.status = Status.INTAKE
        self.events = [("intake", None, Status.INTAKE, clerk.id, t, None)]
        self.checks: list[tuple] = []
        self.flags: dict[str, tuple] = {}  # code → (level, reason, at)
        self.facts = {code: count(sim, self) for code, count in FACTS.items()}
        self.risk_level = sim.assess(self, t)
        self.version = 1 if self.risk_level == RiskLevel.LOW else 2  # the risk update after the insert
        self.review = (None, None, None, None, None)  # decision, level, by, at, reason
        self.nonce = self.card = self.expected = self.collector = None
        self.submitted_at = self.arrived_at = self.collected_at = self.closed_at = self.closed_reason = None

    def audit(self, at: datetime, actor: Staff, action: str, detail: dict) -> None:
        self.sim.audit(at, actor, f"reissue.{action}", "reissue_request", self.number, self.outlet_id,
                       {k: v for k, v in detail.items() if v is not None})

    def check(self, step: str, result: str, at: datetime, by: Staff, score: int | None = None) -> None:
        self.checks.append((step, result, CHECK_DETAIL.get((step, result)), score, by.id, at))
        self.version += 1
        self.updated_at, before = at, self.risk_level
        if result == "fail":
            self.facts["FAILED_CHECK"].append(step)
            self.risk_level = self.sim.assess(self, at)
            self.version += self.risk_level != before  # a second flush when the level changed
        self.audit(at, by, "check", {"step": step, "result": result, "score": score,
                                     "risk": self.risk_level if self.risk_level != before else None})

    def move(self, action: str, at: datetime, actor: Staff, reason: str | None = None, target: str | None = None):
        spec = TRANSITIONS[action]
        if self.status not in spec.sources or (action in REVIEW_ACTIONS and refusal(actor, self, action) is not None):
            raise RuntimeError(f"the application refuses {action} on {self.number} ({self.status}) by {actor.username}")
        target = target or spec.target
        self.events.append((action, self.status, target, actor.id, at, reason))
        self.audit(at, actor, action, {"from": self.status, "to": target, "reason": reason})
        self.status, self.updated_at = target, at
        self.version += 1

    def close(self, action: str, at: datetime, actor: Staff, reason: str) -> None:
        self.closed_at, self.closed_reason = at, reason
        self.move(action, at, actor, reason)


class Simulation:
    def __init__(self, *, people: People, district: District, requests: int, years: float, now: datetime,
                 rng: random.Random, config, writers: dict, audit_sink, audit_batch: int = 20000):
        self.people, self.district, self.total, self.now, self.rng = people, district, requests, now, rng
        self.config, self.ctx, self.rules = config, RiskContext(now=now, config=config), rules_on_facts()
        self.writers, self.audit_sink, self.audit_batch = writers, audit_sink, audit_batch
        today = local_day(now)
        first = today - timedelta(days=round(365.25 * years))
        self.days = [d for d in (first + timedelta(days=n) for n in range((today - first).days + 1))
                     if is_working_day(d)]
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.ids: Counter = Counter()
        self.counters: Counter = Counter()  # (outlet_id, local day) → last number handed out
        self.busy_until: list[datetime | None] = [None] * len(people)  # one open request per applicant
        self.history: dict[int, list] = defaultdict(list)  # applicant → [(created_at, final status)]
        self.phone_history = {people.phone_hash[ring[0]]: [] for ring in people.rings}  # → [(created_at, applicant)]
        self.agent_history: dict[int, list] = defaultdict(list)  # agent → [(created_at, applicant)]
        self.watchlisted: dict[int, tuple[int, datetime, str]] = {}  # person → (entry id, listed at, reason)
        self.planned: dict[int, list[tuple[int, int | None]]] = defaultdict(list)  # day → [(applicant, agent)]
        self.heap: list = []
        self.order = itertools.count()  # ties in time keep the order of telling
        self.pending_audit: list = []
        self.logins: set = set()
        self.last_login: dict[int, datetime] = {}
        self.stats: dict[str, Counter] = defaultdict(Counter)  # status, risk, kinds, channels, flag_codes
        self.rows = dict.fromkeys(("requests", "checks", "events", "flags"), 0)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def assess(self, flow: Flow, at: datetime) -> RiskLevel:
        """``services.evaluate_risk`` on the flow's facts: flags added, updated or dropped; the level returned."""
        findings = self.rules.evaluate(flow, self.ctx)
        flow.flags = {f.code: (str(f.level), f.reason, flow.flags[f.code][2] if f.code in flow.flags else at)
                      for f in findings}
        return highest_level(findings)

    # --- time ----------------------------------------------------------------------------------------------------

    def office_time(self, day: date) -> datetime | None:
        """A random moment in office hours on ``day`` (naive UTC), or None when that is still to come."""
        moment = local_midnight(day) + OPEN + (CLOSE - OPEN) * self.rng.random()
        return moment if moment <= self.now else None

    def workdays_later(self, moment: datetime, days: int) -> datetime | None:
        index = self.day_index.get(local_day(moment))
        if index is None or index + days >= len(self.days):
            return None
        return moment if days == 0 else self.office_time(self.days[index + days])

    def after(self, moment: datetime | None, minutes_low: float, minutes_high: float) -> datetime | None:
        if moment is None:
            return None
        later = moment + timedelta(minutes=self.rng.uniform(minutes_low, minutes_high))
        return later if later <= self.now else None

    # --- audit ---------------------------------------------------------------------------------------------------

    def audit(self, at, actor: Staff | None, action, object_type, object_id, outlet_id, detail: dict) -> None:
        if actor is not None and (day := local_day(at), actor.id) not in self.logins:  # the day's sign-in first
            self.logins.add((day, actor.id))
            login = min(local_midnight(day) + timedelta(hours=8, seconds=self.rng.uniform(0, 1740)),
                        at - timedelta(seconds=30))
            self.last_login[actor.id] = max(login, self.last_login.get(actor.id, login))
            self.push((login, actor.id, actor.username, "auth.login", None, None, actor.outlet_id, actor.ip, {}))
        self.push((at, getattr(actor, "id", None), getattr(actor, "username", None), action, object_type, object_id,
                   outlet_id, getattr(actor, "ip", None), detail))

    def push(self, entry: tuple) -> None:
        """``entry``: (at, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail)."""
        heapq.heappush(self.heap, (entry[0], next(self.order), entry))

    def release_audit(self, before: datetime) -> None:
        while self.heap and self.heap[0][0] < before:
            self.pending_audit.append(heapq.heappop(self.heap)[2])
        if len(self.pending_audit) >= self.audit_batch or before is NEVER:
            self.audit_sink(self.pending_audit)
            self.pending_audit = []

    # --- the story -----------------------------------------------------------------------------------------------

    def plan(self) -> list[tuple]:
        """Put rings, serial agents, the watchlist and impostors on the calendar; return the watchlist rows."""
        rng, people, days = self.rng, self.people, len(self.days)
        for ring in people.rings:  # people sharing a phone come within a few weeks of each other
            start = rng.randrange(days)
            for pid in ring:
                self.planned[min(days - 1, start + rng.randint(0, 40))].append((pid, None))
        for _ in range(max(2, round(self.total * PROXY_SHARE * 0.01 / 4.5))):  # an agent's round of 3-6 people
            agent, start = rng.randrange(len(people)), rng.randrange(days)
            for _ in range(rng.randint(3, 6)):
                self.planned[min(days - 1, start + rng.randint(0, 18))].append((rng.randrange(len(people)), agent))
        rows = []
        listed = rng.sample(range(len(people)), max(3, round(len(people) * WATCHLIST_SHARE)))
        for entry_id, (pid, day) in enumerate(zip(listed, sorted(rng.randrange(days) for _ in listed),
                                                  strict=True), start=1):
            at = self.office_time(self.days[day]) or self.now - timedelta(minutes=5)
            reason = rng.choices(list(WATCHLIST_WEIGHTS), list(WATCHLIST_WEIGHTS.values()))[0]
            supervisor = rng.choice(self.district.supervisors)
            self.watchlisted[pid] = (entry_id, at, reason)
            masked = mask_id_number(people.id_numbers[pid])
            rows.append((entry_id, people.id_enc[pid], people.id_hash[pid], masked, reason, WATCHLIST_NOTES[reason],
                         supervisor.id, at))
            self.audit(at, supervisor, "watchlist.add", "watchlist_entry", str(entry_id), None,
                       {"id_number": masked, "reason": reason})
            if rng.random() < 0.2 and day + 1 < days:  # someone tries to get this person's card
                agent = rng.randrange(len(people)) if rng.random() < 0.5 else None
                self.planned[min(days - 1, day + rng.randint(1, 200))].append((pid, agent))
        return rows

    def daily_counts(self) -> list[int]:
        """Exactly ``total`` requests over the working days: seasons, weekdays, growth, today's hours so far."""
        first = self.days[0]
        weights = [MONTH_FACTOR[d.month - 1] * WEEKDAY_FACTOR[d.weekday()] * self.rng.uniform(0.88, 1.12)
                   * (1 + 0.02 * (d - first).days / 365) for d in self.days]
        if self.days[-1] == local_day(self.now):
            opening = local_midnight(self.days[-1]) + OPEN
            weights[-1] *= min(1.0, max(0.0, (self.now - opening) / (CLOSE - OPEN)))
        total, running, counts, assigned = sum(weights), 0.0, [], 0
        for weight in weights:
            running += weight
            upto = round(running / total * self.total)
            counts.append(upto - assigned)
            assigned = upto
        return counts

    def run(self, progress=None) -> None:
        rng, outlets = self.rng, self.district.outlets
        carry: list = []
        for index, (day, count) in enumerate(zip(self.days, self.daily_counts(), strict=True)):
            if progress and index and index % max(1, len(self.days) // 10) == 0:
                progress(f"    {day}: {self.rows['requests']:,} requests")
            planned = carry + self.planned.pop(index, [])
            carry, planned = planned[count:], planned[:count]
            if count:
                opening = local_midnight(day) + OPEN
                span = max(1.0, (min(opening - OPEN + CLOSE, self.now) - opening).total_seconds())
                times = sorted(opening + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
                specs = planned + [None] * (count - len(planned))
                rng.shuffle(specs)
                for t, spec, outlet in zip(times, specs, rng.choices(outlets, [o.weight for o in outlets], k=count),
                                           strict=True):
                    self.request(t, outlet, spec)
            self.release_audit(local_midnight(day + timedelta(days=1)))
        self.release_audit(NEVER)

    def request(self, t: datetime, outlet: OutletInfo, spec: tuple[int, int | None] | None) -> None:
        rng, busy, count = self.rng, self.busy_until, len(self.people)
        applicant = spec[0] if spec else None
        while applicant is None or (busy[applicant] is not None and busy[applicant] > t):
            applicant = rng.randrange(count)  # the planned person is busy with another request: someone else
        agent = spec[1] if spec else (rng.randrange(count) if rng.random() < PROXY_SHARE else None)
        if agent == applicant:
            agent = None if spec else (agent + 1) % count
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        clerk = rng.choice(outlet.clerks)
        flow = Flow(self, t, outlet, clerk, applicant, agent, kind)
        people = self.people
        flow.audit(t + timedelta(milliseconds=rng.uniform(5, 40)), clerk, "intake", {
            "kind": kind, "channel": flow.channel, "applicant": mask_id_number(people.id_numbers[applicant]),
            "agent": mask_id_number(people.id_numbers[agent]) if agent is not None else None,
            "risk": flow.risk_level})
        self.play(flow)
        self.write(flow)

    def play(self, flow: Flow) -> None:
        rng, clerk = self.rng, flow.clerk
        fate = rng.random()
        walkout, abandoned = fate < 0.010, 0.010 <= fate < 0.013
        passed, retried, cur, level, required = set(), set(), flow.created_at, None, []
        while True:
            if level != flow.risk_level:  # a failed check raises the risk, and with it what is required
                level = flow.risk_level
                required = required_steps(kind=flow.kind, channel=flow.channel, risk_level=level)
            pending = [s for s in required if s not in passed]
            if not pending:
                break
            if walkout and flow.checks:
                if (at := self.after(cur, 2, 15)) is not None:
                    flow.close("cancel", at, clerk, rng.choice(CANCEL_REASONS))
                return
            if abandoned and len(flow.checks) >= 1 + flow.id % 2:
                if (at := self.workdays_later(cur, rng.randint(3, 10))) is not None:
                    flow.close("cancel", at, rng.choice(flow.outlet.clerks), "申请人逾期未补齐材料，撤销")
                return
            step = pending[0]
            if (cur := self.after(cur, 1, 6)) is None:
                return
            fails = step not in retried and rng.random() < FAIL_RATE.get(step, 0.0)
            score = (rng.randint(20, 58) if fails else rng.randint(72, 99)) if step == "face_match" else None
            flow.check(str(step), "fail" if fails else "pass", cur, clerk, score)
            if not fails:
                passed.add(step)
            elif step == "phone_callback" or rng.random() < GIVE_UP_AFTER_FAIL:
                if (at := self.after(cur, 1, 10)) is not None:
                    flow.close("cancel", at, clerk, "身份核验未通过，终止受理")
                return
            else:
                retried.add(step)

        if (cur := self.after(cur, 1, 5)) is None:
            return
        needed = review_level_needed(flow.risk_level)
        if needed is not None:
            flow.move("submit", cur, clerk, target=SUBMIT_FOR_REVIEW_TARGET)
            if needed == ReviewLevel.OUTLET:
                at = self.after(cur, 10, 300)
            else:
                wait = rng.randint(0, 2)
                at = self.after(cur, 20, 180) if wait == 0 else self.workdays_later(cur, wait)
            if at is None:
                return
            cause = next((c for c in ("WATCHLIST", "FAILED_CHECK") if c in flow.flags), None)
            share = REJECT_SHARE.get(cause) or REJECT_SHARE.get(flow.risk_level) or REJECT_SHARE[None]
            decision = "reject" if rng.random() < share else "approve"
            reviewer = rng.choice(flow.outlet.clerks if rng.random() < REVIEW_BY_CLERK else self.district.supervisors)
            if refusal(reviewer, flow, decision) is not None:
                reviewer = rng.choice(self.district.supervisors)
            reason = None
            if decision == "reject":
                reason = REJECT_REASONS[next((c for c in REJECT_REASONS if c in flow.flags), None)]
            flow.review = (decision, str(needed), reviewer.id, at, reason)
            if decision == "reject":
                flow.close("reject", at, reviewer, reason)
                return
            clerk, cur = reviewer, at
        flow.submitted_at, flow.nonce = cur, pickup.new_nonce()
        flow.expected = local_day(cur) + timedelta(days=self.config["CARD_PRODUCTION_DAYS"])
        flow.move("approve" if needed else "submit", cur, clerk)

        if (at := self.workdays_later(cur, rng.randint(5, 12))) is None:
            return
        flow.card, flow.arrived_at = f"SH{rng.randrange(10 ** 10):010d}", at
        flow.move("arrive", at, rng.choice(flow.outlet.clerks))
        fate = rng.random()
        if fate < 0.97:  # collected: most within days, some after weeks
            wait = rng.randint(0, 3) if fate < 0.6 else rng.randint(4, 20) if fate < 0.9 else rng.randint(21, 90)
            at = self.after(at, 10, 240) if wait == 0 else self.workdays_later(at, wait)
            if at is not None:
                role = "agent" if flow.agent is not None and rng.random() < COLLECTED_BY_AGENT else "applicant"
                flow.collector = (self.people.names[flow.agent if role == "agent" else flow.applicant], role)
                flow.collected_at = at
                flow.move("collect", at, rng.choice(flow.outlet.clerks), COLLECT_REASON[role])
        elif (at := self.workdays_later(at, rng.randint(125, 140))) is not None:  # 180-200 days uncollected
            flow.close("return", at, rng.choice(flow.outlet.clerks), RETURN_REASON)

    def write(self, flow: Flow) -> None:
        people, a, g, w = self.people, flow.applicant, flow.agent, self.writers
        agent_columns = (None,) * 8
        if g is not None:
            relation = self.rng.choices(RELATIONS, RELATION_WEIGHTS)[0]
            agent_columns = (people.names[g], people.id_enc[g], people.id_hash[g], mask_id_number(people.id_numbers[g]),
                             people.phone_enc[g], people.phone_hash[g], mask_phone(people.phones[g]), relation)
        collector_name, collector_role = flow.collector or (None, None)
        id_number = people.id_numbers[a]
        w["reissue_requests"]((
            flow.id, flow.number, flow.outlet_id, flow.kind, flow.channel, str(flow.status), flow.version,
            people.names[a], people.id_enc[a], people.id_hash[a], mask_id_number(id_number), id_number[-4:],
            people.phone_enc[a], people.phone_hash[a], mask_phone(people.phones[a]), *agent_columns,
            str(flow.risk_level), *flow.review, flow.nonce, flow.card, flow.expected, collector_name, collector_role,
            flow.closed_reason, flow.created_by_id, flow.created_at, flow.updated_at, flow.submitted_at,
            flow.arrived_at, flow.collected_at, flow.closed_at))
        for code, (level, reason, at) in flow.flags.items():
            w["risk_flags"]((self.next_id("risk_flags"), flow.id, code, level, reason, at))
        for check in flow.checks:
            w["request_checks"]((self.next_id("request_checks"), flow.id, *check))
        for action, source, target, actor_id, at, reason in flow.events:
            w["request_events"]((self.next_id("request_events"), flow.id, action, source and str(source),
                                 str(target), actor_id, at, reason))
        t = flow.created_at
        self.history[a].append((t, flow.status))
        if (phone := self.phone_history.get(people.phone_hash[a])) is not None:
            phone.append((t, a))
        if g is not None:
            self.agent_history[g].append((t, a))
        self.busy_until[a] = NEVER if flow.status in OPEN_STATUSES else (flow.closed_at or flow.collected_at)
        stats, rows = self.stats, self.rows
        stats["status"][str(flow.status)] += 1
        stats["risk"][str(flow.risk_level)] += 1
        stats["kinds"][flow.kind] += 1
        stats["channels"][flow.channel] += 1
        for code in flow.flags:
            stats["flag_codes"][code] += 1
        rows["requests"] += 1
        rows["checks"] += len(flow.checks)
        rows["events"] += len(flow.events)
        rows["flags"] += len(flow.flags)
