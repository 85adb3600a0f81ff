"""One request's life, from the counter to pickup, as ``cardops.reissue.services`` records it: the row, its
risk flags, identity checks, status timeline and the audit entries of every step, stopping at "now"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cardops.core.pii import mask_id_number, mask_phone
from cardops.reissue.workflow import OPEN_STATUSES, REISSUED_STATUSES, STEP_LABELS, Step, required_steps
from cardops.reissue.workflow import review_level_needed as review_level_for

UTC_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no daylight saving since 1991
OPEN = timedelta(hours=8, minutes=30)
CLOSE = timedelta(hours=17)
NEVER = datetime.max
RANK = {"low": 0, "medium": 1, "high": 2}
REISSUED = frozenset(str(s) for s in REISSUED_STATUSES)
OPEN_SET = frozenset(str(s) for s in OPEN_STATUSES)
RELATIONS = (("配偶", 30), ("子女", 40), ("父母", 15), ("兄弟姐妹", 8), ("其他", 7))
FAIL_RATE = {"id_document": 0.003, "face_match": 0.008, "proxy_authorization": 0.01, "phone_callback": 0.08}
CHECK_DETAIL = {
    ("id_document", "pass"): "读卡核验通过", ("id_document", "fail"): "证件照片与到柜人员明显不符",
    ("proxy_authorization", "pass"): "授权委托书及双方证件已核验", ("proxy_authorization", "fail"): "委托书签名存疑",
    ("loss_report", "pass"): "已确认挂失", ("old_card_recovered", "pass"): "旧卡已回收并剪角作废",
    ("phone_callback", "pass"): "持卡人本人电话确认", ("phone_callback", "fail"): "电话回访：持卡人否认申请",
}
CANCEL_REASONS = ("申请人材料不全，撤销", "申请人放弃办理", "申请人未带身份证原件")
REJECT_REASONS = {"WATCHLIST": "预警名单人员，疑似冒用身份", "FAILED_CHECK": "人证比对未通过，无法确认本人",
                  "PROXY_APPLICATION": "代办材料存疑，退回网点核实", None: "复核未通过，请网点重新核实"}


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day) - UTC_OFFSET


def local_day(moment: datetime) -> date:
    return (moment + UTC_OFFSET).date()


def failed_check_reason(failed_steps: list[str]) -> str:
    names = "、".join(dict.fromkeys(STEP_LABELS[Step(step)] for step in failed_steps))
    return f"身份核验“{names}”曾记录为不通过"


def highest(flags) -> str:
    level = "low"
    for flag in flags:
        if RANK[flag[1]] > RANK[level]:
            level = flag[1]
    return level


class Flow:
    """The mutable state of one request while its story is told."""

    def __init__(self, sim, t, outlet, clerk, applicant, agent, kind):
        self.sim, self.t, self.outlet, self.clerk = sim, t, outlet, clerk
        self.applicant, self.agent, self.kind = applicant, agent, kind
        self.channel = "proxy" if agent is not None else "in_person"
        self.id = sim._next_id("reissue_requests")
        day = local_day(t)
        sim.counters[(outlet.id, day)] += 1
        self.number = f"{outlet.code}-{day:%Y%m%d}-{sim.counters[(outlet.id, day)]:04d}"
        self.flags = [[code, level, reason, t] for code, level, reason in sim.intake_flags(t, applicant, agent)]
        self.level = highest(self.flags)
        self.version = 2 if self.level != "low" else 1  # the risk update after the insert bumps the version
        self.status, self.updated = "intake", t
        self.events = [("intake", None, "intake", clerk.id, t, None)]
        self.checks: list[tuple] = []
        self.failed: list[str] = []
        self.review = (None, None, None, None, None)  # decision, level, by, at, reason
        self.nonce = self.card = self.expected = self.collector = None
        self.submitted_at = self.arrived_at = self.collected_at = self.closed_at = self.closed_reason = None

    def audit(self, at, actor, action, detail):
        self.sim.audit(at, actor, f"reissue.{action}", "reissue_request", self.number, self.outlet.id,
                       {k: v for k, v in detail.items() if v is not None})

    def check(self, step: str, result: str, at: datetime, by, score=None):
        self.checks.append((step, result, CHECK_DETAIL.get((step, result)), score, by.id, at))
        self.version += 1
        self.updated = at
        before = self.level
        if result == "fail":
            self.failed.append(step)
            reason = failed_check_reason(self.failed)
            existing = next((f for f in self.flags if f[0] == "FAILED_CHECK"), None)
            if existing is None:
                self.flags.append(["FAILED_CHECK", "high", reason, at])
            else:
                existing[2] = reason
            self.level = highest(self.flags)
        self.audit(at, by, "check", {"step": step, "result": result, "score": score,
                                     "risk": self.level if self.level != before else None})

    def move(self, action: str, target: str, at: datetime, actor, reason: str | None = None):
        self.events.append((action, self.status, target, actor.id, at, reason))
        self.audit(at, actor, action, {"from": self.status, "to": target, "reason": reason})
        self.status, self.updated = target, at
        self.version += 1

    def close(self, action: str, target: str, at: datetime, actor, reason: str):
        self.closed_at, self.closed_reason = at, reason
        self.move(action, target, at, actor, reason)


def run_request(sim, t, outlet, clerk, applicant, agent, kind) -> None:
    flow = Flow(sim, t, outlet, clerk, applicant, agent, kind)
    people = sim.people
    detail = {"kind": kind, "channel": flow.channel, "applicant": mask_id_number(people.id_numbers[applicant]),
              "agent": mask_id_number(people.id_numbers[agent]) if agent is not None else None, "risk": flow.level}
    flow.audit(t + timedelta(milliseconds=sim.rng.uniform(5, 40)), clerk, "intake", detail)
    _play(flow)
    _write(flow)


def _play(flow: Flow) -> None:
    sim, rng, clerk = flow.sim, flow.sim.rng, flow.clerk
    fate = rng.random()
    walkout, abandoned = fate < 0.010, 0.010 <= fate < 0.013
    passed, retried, cur = set(), set(), flow.t
    while True:
        pending = [s for s in required_steps(kind=flow.kind, channel=flow.channel, risk_level=flow.level)
                   if s not in passed]
        if not pending:
            break
        if walkout and flow.checks:
            at = sim.after(cur, 2, 15)
            if at is not None:
                flow.close("cancel", "cancelled", at, clerk, rng.choice(CANCEL_REASONS))
            return
        if abandoned and len(flow.checks) >= 1 + flow.id % 2:
            at = sim.workdays_later(cur, rng.randint(3, 10))
            if at is not None:
                flow.close("cancel", "cancelled", at, rng.choice(flow.outlet.clerks), "申请人逾期未补齐材料，撤销")
            return
        step = str(pending[0])
        cur = sim.after(cur, 1, 6)
        if cur is None:
            return
        fails = step not in retried and rng.random() < FAIL_RATE.get(step, 0.0)
        score = (rng.randint(20, 58) if fails else rng.randint(72, 99)) if step == "face_match" else None
        flow.check(step, "fail" if fails else "pass", cur, clerk, score)
        if not fails:
            passed.add(step)
            continue
        if step == "phone_callback" or rng.random() < 0.55:
            at = sim.after(cur, 1, 10)
            if at is not None:
                flow.close("cancel", "cancelled", at, clerk, "身份核验未通过，终止受理")
            return
        retried.add(step)  # the clerk checks again (e.g. a second face match) and it passes

    cur = sim.after(cur, 1, 5)
    if cur is None:
        return
    needed = review_level_for(flow.level)
    if needed is None:
        flow.move("submit", "submitted", cur, clerk)
    else:
        flow.move("submit", "pending_review", cur, clerk)
        if needed == "outlet":
            at = sim.after(cur, 10, 300)
            others = [c for c in flow.outlet.clerks if c.id != clerk.id]
            reviewer = rng.choice(others) if rng.random() < 0.75 else rng.choice(sim.district.supervisors)
        else:
            wait = rng.randint(0, 2)
            at = sim.after(cur, 20, 180) if wait == 0 else sim.workdays_later(cur, wait)
            reviewer = rng.choice(sim.district.supervisors)
        if at is None:
            return
        codes = {f[0] for f in flow.flags}
        reject_share = (0.92 if "WATCHLIST" in codes else 0.35 if "FAILED_CHECK" in codes
                        else 0.08 if flow.level == "high" else 0.02)
        if rng.random() < reject_share:
            cause = next((c for c in ("WATCHLIST", "FAILED_CHECK", "PROXY_APPLICATION") if c in codes), None)
            reason = REJECT_REASONS[cause]
            flow.review = ("reject", needed, reviewer.id, at, reason)
            flow.close("reject", "rejected", at, reviewer, reason)
            return
        flow.review = ("approve", needed, reviewer.id, at, None)
        flow.move("approve", "submitted", at, reviewer)
        cur = at
    flow.submitted_at = cur
    flow.nonce = f"{rng.getrandbits(128):032x}"
    flow.expected = local_day(cur) + timedelta(days=sim.rules.production_days)

    at = sim.workdays_later(cur, rng.randint(5, 12))
    if at is None:
        return
    flow.card = f"SH{rng.randrange(10 ** 10):010d}"
    flow.arrived_at = at
    flow.move("arrive", "ready", at, rng.choice(flow.outlet.clerks))

    fate = rng.random()
    if fate < 0.97:
        wait = rng.randint(0, 3) if fate < 0.6 else rng.randint(4, 20) if fate < 0.9 else rng.randint(21, 90)
        at = sim.after(flow.arrived_at, 10, 240) if wait == 0 else sim.workdays_later(flow.arrived_at, wait)
        if at is None:
            return
        role = "agent" if flow.agent is not None and rng.random() < 0.7 else "applicant"
        flow.collector = (people_name(flow, role), role)
        flow.collected_at = at
        flow.move("collect", "collected", at, rng.choice(flow.outlet.clerks),
                  f"领取人：{'申请人本人' if role == 'applicant' else '代办人'}")
        return
    at = sim.workdays_later(flow.arrived_at, rng.randint(125, 140))  # about 180-200 days uncollected
    if at is not None:
        flow.close("return", "returned", at, rng.choice(flow.outlet.clerks), "逾期未领取，退回市卡中心")


def people_name(flow: Flow, role: str) -> str:
    pid = flow.agent if role == "agent" else flow.applicant
    return flow.sim.people.names[pid]


def _write(flow: Flow) -> None:
    sim, people, a, g = flow.sim, flow.sim.people, flow.applicant, flow.agent
    rng = sim.rng
    decision, review_level, reviewed_by, reviewed_at, review_reason = flow.review
    agent_cols = (None,) * 8
    if g is not None:
        relation = rng.choices([r for r, _ in RELATIONS], [w for _, w in RELATIONS])[0]
        agent_cols = (people.names[g], people.id_enc[g], people.id_hash[g], mask_id_number(people.id_numbers[g]),
                      people.phone_enc[g], people.phone_hash[g], mask_phone(people.phones[g]), relation)
    collector_name, collector_role = flow.collector or (None, None)
    id_number = people.id_numbers[a]
    sim.write_request((
        flow.id, flow.number, flow.outlet.id, flow.kind, flow.channel, flow.status, flow.version,
        people.names[a], people.id_enc[a], people.id_hash[a], mask_id_number(id_number), id_number[-4:],
        people.phone_enc[a], people.phone_hash[a], mask_phone(people.phones[a]),
        *agent_cols, None, flow.level,
        decision, review_level, reviewed_by, reviewed_at, review_reason,
        flow.nonce, flow.card, flow.expected, collector_name, collector_role, flow.closed_reason,
        flow.clerk.id, flow.t, flow.updated, flow.submitted_at, flow.arrived_at, flow.collected_at, flow.closed_at,
    ))
    for code, level, reason, at in flow.flags:
        sim.write_flag((sim._next_id("risk_flags"), flow.id, code, level, reason, at))
    for step, result, detail, score, by_id, at in flow.checks:
        sim.write_check((sim._next_id("request_checks"), flow.id, step, result, detail, score, by_id, at))
    for action, source, target, actor_id, at, reason in flow.events:
        sim.write_event((sim._next_id("request_events"), flow.id, action, source, target, actor_id, at, reason))
    ended = flow.closed_at or flow.collected_at
    sim.remember(flow.t, a, g, flow.status, NEVER if flow.status in OPEN_SET else ended)
    stats = sim.stats
    stats.requests += 1
    stats.checks += len(flow.checks)
    stats.flags += len(flow.flags)
    stats.events += len(flow.events)
    stats.status[flow.status] += 1
    stats.risk[flow.level] += 1
    stats.kinds[flow.kind] += 1
    stats.channels[flow.channel] += 1
    for flag in flow.flags:
        stats.flag_codes[flag[0]] += 1
