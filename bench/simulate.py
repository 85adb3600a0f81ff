"""Years of counter work, day by day, as the application would have recorded it.

Requests arrive on official working days in office hours; each one is taken through the workflow the way
``cardops.reissue.services`` would take it: risk rules evaluated at intake from the history so far (the same
windows and thresholds, by keyed hash), the required checks of ``workflow.required_steps`` (some failing),
review by a second clerk or a supervisor, card arrival, pickup or return — stopping wherever "now" falls, so
recent weeks hold the open work of a real district. Rows are handed to writers per table; audit entries
are released in chronological order (a heap) to the chain writer.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cardops.core.pii import mask_id_number
from cardops.core.workdays import is_working_day
from cardops.risk.models import WATCHLIST_REASON_LABELS, WatchlistReason

from .district import District, OutletInfo, Staff
from .lifecycle import CLOSE, NEVER, OPEN, REISSUED, local_day, local_midnight, run_request
from .population import People

KINDS = ("lost", "damaged", "expired", "info_change")
KIND_WEIGHTS = (55, 15, 20, 10)
PROXY_SHARE = 0.15
WATCHLIST_REASONS = (("deceased", 60), ("identity_theft", 20), ("police_hold", 12), ("other", 8))
WATCHLIST_NOTES = {"deceased": "民政死亡数据比对", "identity_theft": "本人报案身份证被冒用",
                   "police_hold": "公安协查通报", "other": "督导核查中"}


@dataclass
class Rules:
    """The thresholds of ``config.Config`` (SPEC §3.4 defaults unless the environment says otherwise)."""

    recent_days: int = 365
    recent_medium: int = 1
    recent_high: int = 2
    shared_days: int = 90
    shared_others: int = 2
    serial_days: int = 30
    serial_others: int = 2
    production_days: int = 10

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(config.RISK_RECENT_REISSUE_DAYS, config.RISK_RECENT_REISSUE_MEDIUM,
                   config.RISK_RECENT_REISSUE_HIGH, config.RISK_SHARED_PHONE_DAYS, config.RISK_SHARED_PHONE_OTHERS,
                   config.RISK_SERIAL_AGENT_DAYS, config.RISK_SERIAL_AGENT_OTHERS,
                   getattr(config, "CARD_PRODUCTION_DAYS", 10))


REQUEST_COLUMNS = (
    "id", "number", "outlet_id", "kind", "channel", "status", "version",
    "applicant_name", "applicant_id_enc", "applicant_id_hash", "applicant_id_masked", "applicant_id_last4",
    "applicant_phone_enc", "applicant_phone_hash", "applicant_phone_masked",
    "agent_name", "agent_id_enc", "agent_id_hash", "agent_id_masked", "agent_phone_enc", "agent_phone_hash",
    "agent_phone_masked", "agent_relation", "note", "risk_level",
    "review_decision", "review_level", "reviewed_by_id", "reviewed_at", "review_reason",
    "pickup_nonce", "card_number", "expected_date", "collector_name", "collector_role", "closed_reason",
    "created_by_id", "created_at", "updated_at", "submitted_at", "arrived_at", "collected_at", "closed_at",
)
CHECK_COLUMNS = ("id", "request_id", "step", "result", "detail", "score", "by_id", "at")
FLAG_COLUMNS = ("id", "request_id", "code", "level", "reason", "at")
EVENT_COLUMNS = ("id", "request_id", "action", "from_status", "to_status", "actor_id", "at", "reason")
WATCHLIST_COLUMNS = ("id", "id_enc", "id_hash", "id_masked", "reason", "note", "created_by_id", "created_at")
COLUMNS = {"reissue_requests": REQUEST_COLUMNS, "request_checks": CHECK_COLUMNS, "risk_flags": FLAG_COLUMNS,
           "request_events": EVENT_COLUMNS}


@dataclass
class Planned:
    """A request the story needs on a given day: a phone ring, a serial agent's round, an impostor."""

    applicant: int
    agent: int | None = None


@dataclass
class Stats:
    requests: int = 0
    checks: int = 0
    flags: int = 0
    events: int = 0
    audit: int = 0
    watchlist: int = 0
    status: Counter = field(default_factory=Counter)
    risk: Counter = field(default_factory=Counter)
    flag_codes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)


class Simulation:
    def __init__(self, *, people: People, district: District, requests: int, years: float, now: datetime,
                 rng: random.Random, rules: Rules, writers: dict, audit_sink, audit_batch: int = 20000):
        self.people, self.district, self.total, self.now, self.rng, self.rules = (
            people, district, requests, now, rng, rules)
        self.write_request = writers["reissue_requests"]
        self.write_check = writers["request_checks"]
        self.write_flag = writers["risk_flags"]
        self.write_event = writers["request_events"]
        self.audit_sink, self.audit_batch = audit_sink, audit_batch
        self.stats = Stats()
        today = local_day(now)
        first = today - timedelta(days=round(365.25 * years))
        self.days = [first + timedelta(days=n) for n in range((today - first).days + 1)
                     if is_working_day(first + timedelta(days=n))]
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.start = local_midnight(first)
        self.ids = Counter()
        self.counters: Counter = Counter()  # (outlet_id, local day) → last number handed out
        self.busy_until: list[datetime | None] = [None] * len(people)
        self.history: dict[int, list] = defaultdict(list)  # applicant → [(created_at, final status)]
        self.phone_history: dict[str, list] = {}  # ring phones only: everyone else's phone is their own
        self.agent_history: dict[int, list] = defaultdict(list)  # agent → [(created_at, applicant)]
        self.watchlisted: dict[int, tuple[int, datetime, str]] = {}
        self.planned: dict[int, list[Planned]] = defaultdict(list)
        self.heap: list = []
        self.pending_audit: list = []
        self.logins: set = set()
        self.last_login: dict[int, datetime] = {}
        self._heap_n = 0
        for ring in people.rings:
            self.phone_history[people.phone_hash[ring[0]]] = []

    # --- time ------------------------------------------------------------------------------------------

    def office_time(self, day: date) -> datetime | None:
        """A random moment in office hours on ``day`` (naive UTC), or None when that is still to come."""
        moment = local_midnight(day) + OPEN + timedelta(seconds=self.rng.uniform(0, (CLOSE - OPEN).total_seconds()))
        return moment if moment <= self.now else None

    def workdays_later(self, moment: datetime, days: int) -> datetime | None:
        index = self.day_index.get(local_day(moment))
        if index is None or index + days >= len(self.days):
            return None
        if days == 0:
            return moment
        return self.office_time(self.days[index + days])

    def after(self, moment: datetime | None, minutes_low: float, minutes_high: float) -> datetime | None:
        if moment is None:
            return None
        later = moment + timedelta(minutes=self.rng.uniform(minutes_low, minutes_high))
        return later if later <= self.now else None

    # --- audit -----------------------------------------------------------------------------------------

    def audit(self, at: datetime, actor: Staff | None, action: str, object_type, object_id, outlet_id,
              detail: dict) -> None:
        if actor is not None:
            self._login(actor, at)
        self._push(at, (at, getattr(actor, "id", None), getattr(actor, "username", None), action, object_type,
                        object_id, outlet_id, getattr(actor, "ip", None), detail))

    def _login(self, actor: Staff, at: datetime) -> None:
        day = local_day(at)
        if (day, actor.id) in self.logins:
            return
        self.logins.add((day, actor.id))
        moment = local_midnight(day) + timedelta(hours=8, seconds=self.rng.uniform(0, 1740))
        moment = min(moment, at - timedelta(seconds=30))
        self.last_login[actor.id] = max(moment, self.last_login.get(actor.id, moment))
        self._push(moment, (moment, actor.id, actor.username, "auth.login", None, None, actor.outlet_id, actor.ip, {}))

    def _push(self, at: datetime, entry: tuple) -> None:
        self._heap_n += 1
        heapq.heappush(self.heap, (at, self._heap_n, entry))

    def release_audit(self, before: datetime) -> None:
        heap, pending = self.heap, self.pending_audit
        while heap and heap[0][0] < before:
            pending.append(heapq.heappop(heap)[2])
        if len(pending) >= self.audit_batch:
            self.flush_audit()

    def flush_audit(self) -> None:
        if self.pending_audit:
            self.stats.audit += len(self.pending_audit)
            self.audit_sink(self.pending_audit)
            self.pending_audit = []

    def _next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- the story ---------------------------------------------------------------------------------------

    def plan(self, initial_entries: list[tuple]) -> list[tuple]:
        """Place rings, serial agents, the watchlist and impostors on the calendar; return watchlist rows."""
        rng, people, days = self.rng, self.people, len(self.days)
        for entry in initial_entries:
            self._push(entry[0], entry)
        for ring in people.rings:
            start = rng.randrange(days)
            for pid in ring:
                self.planned[min(days - 1, start + rng.randint(0, 40))].append(Planned(pid))
        episodes = max(2, round(self.total * PROXY_SHARE * 0.01 / 4.5))
        for _ in range(episodes):
            agent, start = rng.randrange(len(people)), rng.randrange(days)
            for _ in range(rng.randint(3, 6)):
                self.planned[min(days - 1, start + rng.randint(0, 18))].append(Planned(rng.randrange(len(people)),
                                                                                        agent))
        watch_rows = []
        listed = rng.sample(range(len(people)), max(3, round(len(people) * 0.0015)))
        when = sorted(rng.randrange(days) for _ in listed)
        for entry_id, (pid, day_index) in enumerate(zip(listed, when, strict=True), start=1):
            at = self.office_time(self.days[day_index]) or self.now - timedelta(minutes=5)
            reason = rng.choices([r for r, _ in WATCHLIST_REASONS], [w for _, w in WATCHLIST_REASONS])[0]
            supervisor = rng.choice(self.district.supervisors)
            self.watchlisted[pid] = (entry_id, at, reason)
            masked = mask_id_number(people.id_numbers[pid])
            watch_rows.append((entry_id, people.id_enc[pid], people.id_hash[pid], masked, reason,
                               WATCHLIST_NOTES[reason], supervisor.id, at))
            self.audit(at, supervisor, "watchlist.add", "watchlist_entry", str(entry_id), None,
                       {"id_number": masked, "reason": reason})
            if rng.random() < 0.2 and day_index + 1 < days:  # someone tries to get this person's card
                attempt = min(days - 1, day_index + rng.randint(1, 200))
                agent = rng.randrange(len(people)) if rng.random() < 0.5 else None
                self.planned[attempt].append(Planned(pid, agent if agent != pid else None))
        self.stats.watchlist = len(watch_rows)
        return watch_rows

    def daily_counts(self) -> list[int]:
        """Spread exactly ``total`` requests over the working days: seasons, weekdays, growth, today so far."""
        rng, weights = self.rng, []
        month_factor = (1.1, 0.75, 1.1, 1.0, 1.0, 1.05, 1.1, 1.05, 1.0, 0.85, 1.0, 1.05)
        weekday_factor = (1.15, 1.0, 1.0, 1.0, 0.95, 0.8, 0.8)
        first = self.days[0]
        for day in self.days:
            weight = month_factor[day.month - 1] * weekday_factor[day.weekday()] * rng.uniform(0.88, 1.12)
            weight *= 1 + 0.02 * (day - first).days / 365
            weights.append(weight)
        opening = local_midnight(self.days[-1]) + OPEN
        if self.days[-1] == local_day(self.now):  # today counts only the hours already past
            weights[-1] *= min(1.0, max(0.0, (self.now - opening) / (CLOSE - OPEN)))
        total_weight, running, counts, assigned = sum(weights), 0.0, [], 0
        for weight in weights:
            running += weight
            upto = round(running / total_weight * self.total)
            counts.append(upto - assigned)
            assigned = upto
        return counts

    def run(self, progress=None) -> Stats:
        counts = self.daily_counts()
        outlets = self.district.outlets
        outlet_weights = [o.weight for o in outlets]
        carry: list[Planned] = []
        report_every = max(1, len(self.days) // 10)
        for index, day in enumerate(self.days):
            if progress and index and index % report_every == 0:
                progress(f"    {day}: {self.stats.requests:,} requests, {self.stats.audit:,} audit entries")
            planned = carry + self.planned.pop(index, [])
            count = counts[index]
            if count == 0:
                carry = planned
                continue
            carry = planned[count:]
            planned = planned[:count]
            opening = local_midnight(day) + OPEN
            span = (min(local_midnight(day) + CLOSE, self.now) - opening).total_seconds()
            times = sorted(opening + timedelta(seconds=self.rng.uniform(0, max(span, 1))) for _ in range(count))
            specs = planned + [None] * (count - len(planned))
            self.rng.shuffle(specs)
            chosen_outlets = self.rng.choices(outlets, outlet_weights, k=count)
            for moment, spec, outlet in zip(times, specs, chosen_outlets, strict=True):
                self.request(moment, outlet, spec)
            self.release_audit(local_midnight(day + timedelta(days=1)))
        self.release_audit(NEVER)
        self.flush_audit()
        return self.stats

    def _free_person(self, at: datetime, wanted: int | None = None) -> int:
        busy = self.busy_until
        if wanted is not None and (busy[wanted] is None or busy[wanted] <= at):
            return wanted
        while True:
            pid = self.rng.randrange(len(busy))
            if busy[pid] is None or busy[pid] <= at:
                return pid

    def request(self, t: datetime, outlet: OutletInfo, spec: Planned | None) -> None:
        rng, people = self.rng, self.people
        applicant = self._free_person(t, spec.applicant if spec else None)
        agent = None
        if spec is not None and spec.agent is not None and spec.agent != applicant:
            agent = spec.agent
        elif spec is None and rng.random() < PROXY_SHARE:
            agent = rng.randrange(len(people))
            agent = agent if agent != applicant else (agent + 1) % len(people)
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        clerk = rng.choice(outlet.clerks)
        run_request(self, t, outlet, clerk, applicant, agent, kind)

    # --- risk at intake (cardops.risk.rules, replayed over the generated history) ---------------------

    def intake_flags(self, t: datetime, applicant: int, agent: int | None) -> list[tuple[str, str, str]]:
        rules, people, flags = self.rules, self.people, []
        if agent is not None:
            flags.append(("PROXY_APPLICATION", "medium", "代办申请，须由第二人复核"))
        since = t - timedelta(days=rules.recent_days)
        recent = sum(1 for created, status in self.history.get(applicant, ())
                     if created >= since and status in REISSUED)
        if recent >= rules.recent_high or recent >= rules.recent_medium:
            level = "high" if recent >= rules.recent_high else "medium"
            flags.append(("RECENT_REISSUE", level, f"申请人近{rules.recent_days}天内已补换卡{recent}次"))
        phone_events = self.phone_history.get(people.phone_hash[applicant])
        if phone_events:
            since = t - timedelta(days=rules.shared_days)
            others = {pid for created, pid in phone_events if created >= since and pid != applicant}
            if len(others) >= rules.shared_others:
                flags.append(("SHARED_PHONE", "medium",
                              f"申请人手机号近{rules.shared_days}天已登记在{len(others)}名其他申请人的申请上"))
        if agent is not None:
            since = t - timedelta(days=rules.serial_days)
            others = {pid for created, pid in self.agent_history.get(agent, ()) if created >= since
                      and pid != applicant}
            if len(others) >= rules.serial_others:
                flags.append(("SERIAL_AGENT", "high",
                              f"代办人近{rules.serial_days}天已为{len(others)}名其他申请人代办"))
        listed = sorted((self.watchlisted[pid][0], who, self.watchlisted[pid][2])
                        for pid, who in ((applicant, "申请人"), (agent, "代办人"))
                        if pid in self.watchlisted and self.watchlisted[pid][1] <= t)
        if listed:
            parts, seen = [], set()
            for _, who, reason in listed:
                if who not in seen:
                    seen.add(who)
                    parts.append(f"{who}在预警名单上（{WATCHLIST_REASON_LABELS[WatchlistReason(reason)]}）")
            flags.append(("WATCHLIST", "high", "；".join(parts)))
        return flags

    def remember(self, t: datetime, applicant: int, agent: int | None, status: str, busy_until: datetime) -> None:
        self.history[applicant].append((t, status))
        phone_events = self.phone_history.get(self.people.phone_hash[applicant])
        if phone_events is not None:
            phone_events.append((t, applicant))
        if agent is not None:
            self.agent_history[agent].append((t, applicant))
        self.busy_until[applicant] = busy_until

