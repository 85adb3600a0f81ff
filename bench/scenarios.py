"""What a clerk's day asks of the server, as wrk items: pages, API calls and writes, each alone and mixed.

Preparation works on the served database: API tokens issued through the application's account services, HTML
sessions signed in through ``/login``, sample numbers and names from the measured clerk's outlet, and requests
waiting at a counter for the write scenarios.
"""

from __future__ import annotations

import http.cookiejar
import random
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from cardops.core.pii import PersonalDataCipher, id_check_char, mask_id_number, mask_phone
from cardops.core.timeutil import local_today, utcnow
from cardops.reissue.workflow import required_steps

from .district import BENCH_PASSWORD, GIVEN, SURNAMES, make_name
from .load import AUDIT_COLUMNS, ChainWriter, bench_audit_key
from .offline import dashboard_periods, data_end

USER_AGENT = "cardops-bench/1"  # Flask-Login's "strong" session protection hashes it: wrk sends the same
CLERK = "pt01-clerk-03"  # the clerk whose day is measured (not a trainer)
# Checks and submits work on requests made in bulk at another outlet, so the measured clerk's queues keep their shape.
COUNTER_CLERK = "pt10-clerk-05"
INTAKE_CLERKS = [f"pt{n:02d}-clerk-{4 + n % 10:02d}" for n in range(1, 11)]  # intake spread over the outlets
SUPERVISOR = "supervisor-01"
QUEUE_TABS = ("", "?queue=today", "?queue=open", "?queue=ready", "?queue=overdue")
API_FILTERS = ("status=ready", "status=submitted", "kind=lost&status=collected", "risk=high",
               "status=pending_review", "kind=damaged&risk=medium")
COUNTER_STEPS = [str(s) for s in required_steps(kind="lost", channel="in_person", risk_level="low")]


@dataclass
class Context:
    engine: sa.Engine
    data_key: str
    tokens: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    public: list[tuple[str, str]] = field(default_factory=list)
    submit_pool: int = 6000  # sized from the intake rate once that scenario has run

    def bearer(self, username: str, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens[username]}", "User-Agent": USER_AGENT, **extra}

    def session(self, username: str) -> dict:
        return {"Cookie": self.cookies[username], "User-Agent": USER_AGENT}


def prepare(app, engine: sa.Engine, data_key: str) -> Context:
    """Tokens through ``auth.services.issue_token`` (hash stored, audited), and the samples the scenarios use."""
    from cardops.auth import services as accounts
    from cardops.extensions import db

    ctx = Context(engine, data_key)
    with app.app_context():
        for username in (CLERK, COUNTER_CLERK, SUPERVISOR, *INTAKE_CLERKS):
            _, ctx.tokens[username] = accounts.issue_token(None, accounts.find_user(username), "bench")
        db.session.commit()
        db.session.remove()
    with engine.connect() as conn:
        outlet_id = conn.scalar(sa.text("SELECT outlet_id FROM users WHERE username = :u"), {"u": CLERK})
        rows = conn.execute(sa.text("SELECT number, applicant_name, applicant_id_last4 FROM reissue_requests "
                                    "WHERE outlet_id = :o ORDER BY md5(number) LIMIT 2000"), {"o": outlet_id}).all()
        ctx.public = [tuple(r) for r in conn.execute(sa.text(
            "SELECT number, applicant_id_last4 FROM reissue_requests ORDER BY md5(number || 'p') LIMIT 2000"))]
    ctx.numbers = [r.number for r in rows]
    # 张三 123X: the surname and first given character typed, then the last four ID characters
    ctx.searches = [urllib.parse.quote(f"{r.applicant_name[:2]} {r.applicant_id_last4}") for r in rows]
    return ctx


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url: str, username: str) -> str:
    """Sign in through the login form, as a browser would; return the session's Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base_url + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": BENCH_PASSWORD, "csrf_token": token})
    try:
        opener.open(base_url + "/login", data=form.encode(), timeout=30)
    except urllib.error.HTTPError as answer:  # 302: signed in
        if answer.code != 302:
            raise RuntimeError(f"sign-in of {username} answered {answer.code}") from None
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def unused_nonce(engine: sa.Engine, first_digit: str) -> int:
    """A 3-digit run number not used yet in the region codes ``{first_digit}NNN…`` of the benchmark's own people, so
    a new run's applicants never collide with the open requests of an earlier run on the same database."""
    with engine.connect() as conn:
        used = set(conn.scalars(sa.text("SELECT DISTINCT substr(applicant_id_masked, 2, 3) FROM reissue_requests "
                                        "WHERE applicant_id_masked LIKE :p"), {"p": f"{first_digit}%"}))
    return random.choice([n for n in range(1000) if f"{n:03d}" not in used])


def waiting_requests(ctx: Context, count: int, *, checks_passed: bool) -> list[str]:
    """``count`` lost-card, in-person requests of new people in ``intake`` at the counter clerk's outlet (with their
    required checks passed, for submits), written in bulk with their timeline and audit entries in one transaction:
    making thousands through the API would take minutes. Returns their numbers."""
    nonce, engine = unused_nonce(ctx.engine, "8"), ctx.engine
    cipher, rng, now, today = PersonalDataCipher(ctx.data_key), random.Random(nonce), utcnow(), local_today()
    tables = {t: sa.Table(t, sa.MetaData(), autoload_with=engine)
              for t in ("reissue_requests", "request_checks", "request_events", "audit_entries")}
    steps = COUNTER_STEPS if checks_passed else []
    with engine.begin() as conn:
        clerk = conn.execute(sa.text("SELECT u.id, u.username, u.outlet_id, o.code FROM users u JOIN outlets o "
                                     "ON o.id = u.outlet_id WHERE u.username = :u"), {"u": COUNTER_CLERK}).one()
        # The chain's lock first, then the counter: the order of every audited write of the application.
        head = conn.execute(sa.text("SELECT seq, last_hash FROM audit_head WHERE id = 1"
                                    + (" FOR UPDATE" if engine.dialect.name == "postgresql" else ""))).one()
        last = conn.scalar(sa.text(
            "INSERT INTO request_counters (outlet_id, day, last) VALUES (:o, :d, :n) ON CONFLICT (outlet_id, day) "
            "DO UPDATE SET last = request_counters.last + :n RETURNING last"), {"o": clerk.outlet_id, "d": today,
                                                                                "n": count})
        rows = []
        for i in range(count):
            first17 = f"8{nonce:03d}{i // 1000 % 100:02d}19{60 + i // 100000 % 40:02d}0101{i % 1000:03d}"
            id_number, phone = first17 + id_check_char(first17), f"137{rng.randrange(10 ** 8):08d}"
            created = now - timedelta(milliseconds=50 * (count - i))  # one after the other, as at a counter
            rows.append({
                "number": f"{clerk.code}-{today:%Y%m%d}-{last - count + 1 + i:04d}", "outlet_id": clerk.outlet_id,
                "kind": "lost", "channel": "in_person", "status": "intake", "version": 1 + len(steps),
                "applicant_name": make_name(rng), "applicant_id_enc": cipher.encrypt(id_number),
                "applicant_id_hash": cipher.blind_index(id_number), "applicant_id_masked": mask_id_number(id_number),
                "applicant_id_last4": id_number[-4:], "applicant_phone_enc": cipher.encrypt(phone),
                "applicant_phone_hash": cipher.blind_index(phone), "applicant_phone_masked": mask_phone(phone),
                "risk_level": "low", "created_by_id": clerk.id, "created_at": created, "updated_at": created})
        table = tables["reissue_requests"]
        ids = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        checks, events, entries = [], [], []
        for request_id, row in zip(ids, rows, strict=True):
            events.append({"request_id": request_id, "action": "intake", "to_status": "intake",
                           "actor_id": clerk.id, "at": row["created_at"]})
            about = ("reissue_request", row["number"], clerk.outlet_id, "127.0.0.1")
            entries.append((utcnow(), clerk.id, clerk.username, "reissue.intake", *about, {
                "kind": "lost", "channel": "in_person", "applicant": row["applicant_id_masked"], "risk": "low"}))
            for step in steps:
                score = 90 if step == "face_match" else None
                checks.append({"request_id": request_id, "step": step, "result": "pass", "score": score,
                               "by_id": clerk.id, "at": now})
                entries.append((utcnow(), clerk.id, clerk.username, "reissue.check", *about,
                                {"step": step, "result": "pass", **({"score": score} if score else {})}))
        audit = []
        chain = ChainWriter(audit.append, key=bench_audit_key(ctx.data_key), seq=head.seq, last_hash=head.last_hash)
        chain.extend(entries)
        conn.execute(tables["request_events"].insert(), events)
        if checks:
            conn.execute(tables["request_checks"].insert(), checks)
        conn.execute(tables["audit_entries"].insert(), [dict(zip(AUDIT_COLUMNS[1:], entry[1:], strict=True))
                                                        for entry in audit])  # ids from the sequence
        conn.execute(sa.text("UPDATE audit_head SET seq = :s, last_hash = :h WHERE id = 1"),
                     {"s": chain.seq, "h": chain.last_hash})
    return [row["number"] for row in rows]


# --- the scenarios ----------------------------------------------------------------------------------------------

def _get(paths, headers) -> list[dict]:
    return [{"type": "get", "paths": list(paths), "headers": headers}]


def intake(ctx: Context) -> list[dict]:
    return [{"type": "intake", "path": "/api/v1/requests", "tokens": [f"Bearer {ctx.tokens[u]}" for u in INTAKE_CLERKS],
             "names": [s + g for s in SURNAMES[:40] for g in GIVEN[:10]],
             "kinds": ["lost", "lost", "damaged", "expired", "info_change"], "nonce": unused_nonce(ctx.engine, "9")}]


def check(ctx: Context, pool: int = 2000) -> list[dict]:
    """Each wrk thread walks its share of the pool, recording the next step of each request in turn."""
    return [{"type": "check", "numbers": waiting_requests(ctx, pool, checks_passed=False), "steps": COUNTER_STEPS,
             "headers": ctx.bearer(COUNTER_CLERK, **{"Content-Type": "application/json"})}]


def submit(ctx: Context, pool: int | None = None) -> list[dict]:
    """A request is submitted once: the pool holds what the write rate measured so far can use up."""
    return [{"type": "submit", "numbers": waiting_requests(ctx, pool or ctx.submit_pool, checks_passed=True),
             "headers": ctx.bearer(COUNTER_CLERK, **{"Content-Type": "application/json"})}]


MIX = {  # a clerk's day: mostly looking things up, some counter work, the supervisor now and then
    "queue_html": 20, "request_html": 15, "api_search": 15, "api_detail": 10, "api_list": 8, "check": 10,
    "intake": 6, "submit": 4, "review_queue_api": 4, "public_status": 8,
}


def mixed(ctx: Context) -> list[dict]:
    small = {"check": lambda c: check(c, 1000), "submit": lambda c: submit(c, 1000)}
    return [{**item, "weight": weight} for name, weight in MIX.items()
            for item in small.get(name, SCENARIOS[name].build)(ctx)]


def dashboard(ctx: Context, which: str) -> list[dict]:
    """The outlets' figures: a supervisor's last full year of every outlet, or a clerk's last full month."""
    start, end = dashboard_periods(data_end(ctx.engine))[which]
    return _get([f"/api/v1/stats/outlets?from={start}&to={end}"], ctx.bearer(SUPERVISOR if which == "year" else CLERK))


@dataclass(frozen=True)
class Scenario:
    title: str
    build: object  # (Context) -> wrk items
    pages: bool = False  # a list: its statements are also counted at 10 and 50 rows per page
    connections: int | None = None  # None: the run's (16); fewer where the request is one person's, not a counter's


SCENARIOS = {
    "queue_html": Scenario("clerk queue page (HTML /requests and its tabs)", lambda c: _get(
        (f"/requests{tab}" for tab in QUEUE_TABS), c.session(CLERK)), pages=True),
    "request_html": Scenario("request page (HTML /requests/<number>)", lambda c: _get(
        (f"/requests/{n}" for n in c.numbers), c.session(CLERK))),
    "api_list": Scenario("API list with filters", lambda c: _get(
        (f"/api/v1/requests?{f}" for f in API_FILTERS), c.bearer(CLERK)), pages=True),
    "api_detail": Scenario("API detail", lambda c: _get((f"/api/v1/requests/{n}" for n in c.numbers), c.bearer(CLERK))),
    "api_search": Scenario("API search: name + last 4 ID characters", lambda c: _get(
        (f"/api/v1/requests?q={q}" for q in c.searches), c.bearer(CLERK))),
    "intake": Scenario("intake (POST, risk rules + audit)", intake),
    "check": Scenario("record a check (POST)", check),
    "submit": Scenario("submit (POST)", submit),
    "review_queue_api": Scenario("supervisor review queue (API)", lambda c: _get(
        ["/api/v1/requests?status=pending_review"], c.bearer(SUPERVISOR)), pages=True),
    "review_queue_html": Scenario("supervisor review queue (HTML /review)", lambda c: _get(
        ["/review"], c.session(SUPERVISOR)), pages=True),
    "public_status": Scenario("public status look-up (rate limit raised)", lambda c: _get(
        (f"/api/v1/public/status?number={n}&id_last4={last4}" for n, last4 in c.public), {"User-Agent": USER_AGENT})),
    "mixed": Scenario("a clerk's day (weighted mix)", mixed),
    # A supervisor asks for a year of figures now and then, not sixteen at once: one request per worker.
    "dashboard_year": Scenario("dashboard: a supervisor's year of every outlet (API, 2 connections)",
                               lambda c: dashboard(c, "year"), connections=2),
    "dashboard_month": Scenario("dashboard: a clerk's month of their outlet (API, 2 connections)",
                                lambda c: dashboard(c, "month"), connections=2),
}
