"""What a clerk's day asks of the server, as wrk items: pages, API calls and writes, each alone and mixed.

Preparation happens against the running server's database: API tokens issued through the application's
account services (audited like any other), an HTML session signed in through ``/login`` with its CSRF token,
sample numbers and names from the clerk's outlet, and pools of waiting requests for the write scenarios.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import sqlalchemy as sa

from .district import BENCH_PASSWORD
from .pools import add_counter_requests, unused_nonce
from .population import GIVEN, SURNAMES
from .server import USER_AGENT

CLERK = "pt01-clerk-03"  # the clerk whose day is measured (not a trainer; PT01 exists in both modes)
# Checks and submits work on waiting requests made in bulk; they sit at another outlet so that the measured
# clerk's queues keep a real day's shape.
COUNTER_CLERK = "pt10-clerk-05"
INTAKE_CLERKS = [f"pt{n:02d}-clerk-{4 + n % 10:02d}" for n in range(1, 11)]  # intake spread over the outlets
SUPERVISOR = "supervisor-01"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Scenario:
    name: str
    title: str
    kind: str  # read | write
    build: object  # (Context) -> list of wrk items
    needs: str | None = None  # an endpoint the app must have (HTML pages arrive with the UI work)
    targets: dict = field(default_factory=dict)


@dataclass
class Context:
    engine: sa.Engine
    data_key: str
    base_url: str
    endpoints: set[str]
    tokens: dict[str, str] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    public: list[tuple[str, str]] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    submit_pool: int = 6000  # sized from the write rate once the intake scenario has run

    def bearer(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[username]}", "User-Agent": USER_AGENT}

    def session(self, username: str) -> dict:
        return {"Cookie": self.cookies[username], "User-Agent": USER_AGENT}


def issue_tokens(app, usernames) -> dict[str, str]:
    """One fresh API token per user, through ``auth.services.issue_token`` (hash stored, audit appended)."""
    from cardops.auth import services as accounts
    from cardops.extensions import db

    tokens = {}
    with app.app_context():
        for username in usernames:
            user = accounts.find_user(username)
            if user is None:
                raise RuntimeError(f"user {username} is missing: was the database made by bench.generate?")
            _, tokens[username] = accounts.issue_token(None, user, "bench")
        db.session.commit()
    return tokens


def sign_in(base_url: str, username: str, password: str = BENCH_PASSWORD) -> str:
    """Sign in through the login form, as a browser would, and return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.addheaders = [("User-Agent", USER_AGENT)]  # Flask-Login's "strong" protection hashes the agent
    page = opener.open(base_url + "/login", timeout=10).read().decode()
    token = CSRF_RE.search(page)
    if token is None:
        raise RuntimeError("the login page has no CSRF token")
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token.group(1)})
    try:
        opener.open(base_url + "/login", data=form.encode(), timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise RuntimeError(f"sign-in of {username} answered {answer.code}") from None
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "cardops_session" not in cookies:
        raise RuntimeError(f"sign-in of {username} did not return a session")
    return cookies


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def load_samples(ctx: Context, *, size: int = 2000) -> None:
    """Numbers and searches from the clerk's outlet (what their screen shows), public look-ups from anywhere."""
    with ctx.engine.connect() as conn:
        outlet_id = conn.scalar(sa.text("SELECT outlet_id FROM users WHERE username = :u"), {"u": CLERK})
        rows = conn.execute(sa.text(
            "SELECT number, applicant_name, applicant_id_last4 FROM reissue_requests "
            "WHERE outlet_id = :o ORDER BY md5(number) LIMIT :n"), {"o": outlet_id, "n": size}).all()
        public = conn.execute(sa.text(
            "SELECT number, applicant_id_last4 FROM reissue_requests ORDER BY md5(number || 'p') LIMIT :n"),
            {"n": size}).all()
    ctx.numbers = [r.number for r in rows]
    # 张三 123X: the surname and first given character typed, then the last four ID characters
    ctx.searches = [urllib.parse.quote(f"{r.applicant_name[:2]} {r.applicant_id_last4}") for r in rows]
    ctx.public = [(r.number, r.applicant_id_last4) for r in public]


# --- items ---------------------------------------------------------------------------------------------------

QUEUE_TABS = ("", "?queue=today", "?queue=open", "?queue=ready", "?queue=overdue")
API_FILTERS = ("status=ready", "status=submitted", "kind=lost&status=collected", "risk=high",
               "status=pending_review", "kind=damaged&risk=medium")


def queue_page(ctx):
    return [{"type": "get", "paths": [f"/requests{tab}" for tab in QUEUE_TABS], "headers": ctx.session(CLERK)}]


def request_page(ctx):
    return [{"type": "get", "paths": [f"/requests/{n}" for n in ctx.numbers], "headers": ctx.session(CLERK)}]


def api_list(ctx):
    return [{"type": "get", "paths": [f"/api/v1/requests?{f}" for f in API_FILTERS], "headers": ctx.bearer(CLERK)}]


def api_detail(ctx):
    return [{"type": "get", "paths": [f"/api/v1/requests/{n}" for n in ctx.numbers], "headers": ctx.bearer(CLERK)}]


def api_search(ctx):
    return [{"type": "get", "paths": [f"/api/v1/requests?q={q}" for q in ctx.searches],
             "headers": ctx.bearer(CLERK)}]


def review_queue_api(ctx):
    return [{"type": "get", "paths": ["/api/v1/requests?status=pending_review"],
             "headers": ctx.bearer(SUPERVISOR)}]


def review_queue_html(ctx):
    return [{"type": "get", "paths": ["/review"], "headers": ctx.session(SUPERVISOR)}]


def public_status(ctx):
    return [{"type": "get", "paths": [f"/api/v1/public/status?number={n}&id_last4={last4}" for n, last4 in ctx.public],
             "headers": {"User-Agent": USER_AGENT}}]


def intake(ctx):
    names = [s + g for s in SURNAMES[:40] for g in GIVEN[:10]]
    return [{"type": "intake", "path": "/api/v1/requests", "tokens": [f"Bearer {ctx.tokens[u]}" for u in INTAKE_CLERKS],
             "names": names, "kinds": ["lost", "lost", "damaged", "expired", "info_change"],
             "nonce": unused_nonce(ctx.engine, "9")}]


def check(ctx, pool: int = 2000):
    """Each thread walks its share of the pool, recording the next step of each request in turn."""
    numbers = add_counter_requests(ctx.engine, ctx.data_key, clerk_username=COUNTER_CLERK, count=pool,
                                   checks_passed=False, nonce=unused_nonce(ctx.engine, "8"))
    return [{"type": "check", "numbers": numbers, "steps": ["id_document", "face_match", "loss_report"],
             "headers": {**ctx.bearer(COUNTER_CLERK), "Content-Type": "application/json"}}]


def submit(ctx, pool: int | None = None):
    """Each request can be submitted once: the pool holds what the write rate measured so far can use up."""
    pool = pool or ctx.submit_pool
    numbers = add_counter_requests(ctx.engine, ctx.data_key, clerk_username=COUNTER_CLERK, count=pool,
                                   checks_passed=True, nonce=unused_nonce(ctx.engine, "8"))
    return [{"type": "submit", "numbers": numbers,
             "headers": {**ctx.bearer(COUNTER_CLERK), "Content-Type": "application/json"}}]


MIX = (  # a clerk's day: mostly looking things up, some counter work, the supervisor now and then
    ("queue_html", 20), ("request_html", 15), ("api_search", 15), ("api_detail", 10), ("api_list", 8),
    ("check", 10), ("intake", 6), ("submit", 4), ("review_queue_api", 4), ("public_status", 8),
)


def mixed(ctx):
    items = []
    for name, weight in MIX:
        scenario = SCENARIOS[name]
        if scenario.needs and scenario.needs not in ctx.endpoints:
            continue
        built = scenario.build(ctx, 1000 if name == "check" else None) if name in ("check", "submit") \
            else scenario.build(ctx)
        for item in built:
            items.append({**item, "weight": weight})
    return items


READ_P95_MS, WRITE_P95_MS = 50, 100
SCENARIOS = {s.name: s for s in (
    Scenario("queue_html", "clerk queue page (HTML /requests and its tabs)", "read", queue_page, "reissue.queue"),
    Scenario("request_html", "request page (HTML /requests/<number>)", "read", request_page, "reissue.detail"),
    Scenario("api_list", "API list with filters", "read", api_list),
    Scenario("api_detail", "API detail", "read", api_detail),
    Scenario("api_search", "API search: name + last 4 ID characters", "read", api_search),
    Scenario("intake", "intake (POST, risk rules + audit)", "write", intake),
    Scenario("check", "record a check (POST)", "write", check),
    Scenario("submit", "submit (POST)", "write", submit),
    Scenario("review_queue_api", "supervisor review queue (API)", "read", review_queue_api),
    Scenario("review_queue_html", "supervisor review queue (HTML /review)", "read", review_queue_html,
             "reissue.review_queue"),
    Scenario("public_status", "public status look-up (rate limit raised)", "read", public_status),
    Scenario("mixed", "a clerk's day (weighted mix)", "mixed", mixed),
)}
