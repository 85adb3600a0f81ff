"""SQL statements per request, from the application's own ``X-SQL-Count`` header (``CARDOPS_COUNT_SQL=1``).

Each page and endpoint is asked at page sizes 10 and 50 through Flask's test client against the benchmark
database: the two counts must be equal (no statement per row, no N+1). Writes are counted once each.
"""

from __future__ import annotations

import re

from .pools import add_counter_requests, unused_nonce
from .scenarios import CLERK, COUNTER_CLERK, SUPERVISOR, Context

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGE_SIZES = (10, 50)


def _count(response) -> int:
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{response.request.path} answered {response.status_code}: {response.get_data()[:200]}")
    return int(response.headers["X-SQL-Count"])


def _login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": CSRF_RE.search(page).group(1)})
    if answer.status_code != 302:
        raise RuntimeError(f"test-client sign-in of {username} answered {answer.status_code}")


def measure(app, ctx: Context, password: str) -> list[dict]:
    """``[{endpoint, counts: {10: n, 50: n} | {"-": n}, equal}]`` for every page and API call.

    ``app`` must have been created with ``CARDOPS_COUNT_SQL=True`` (the counter is wired in at start-up) and
    ``PAGINATION_TOTAL_SECONDS=0``: every total counted, so that both page sizes run the same statements."""
    rows = []
    clerk_api = {"Authorization": f"Bearer {ctx.tokens[CLERK]}"}
    supervisor_api = {"Authorization": f"Bearer {ctx.tokens[SUPERVISOR]}"}
    number, search = ctx.numbers[0], ctx.searches[0]
    lists = [
        ("GET /api/v1/requests (clerk, no filter)", "/api/v1/requests?per_page={n}", clerk_api),
        ("GET /api/v1/requests?kind=lost&status=collected", "/api/v1/requests?kind=lost&status=collected&per_page={n}",
         clerk_api),
        ("GET /api/v1/requests (supervisor, all outlets)", "/api/v1/requests?per_page={n}", supervisor_api),
        ("GET /api/v1/requests?status=pending_review (supervisor)",
         "/api/v1/requests?status=pending_review&per_page={n}", supervisor_api),
        ("GET /api/v1/requests?q=<name> (clerk)", "/api/v1/requests?q=" + search.split("%20")[0] + "&per_page={n}",
         clerk_api),
    ]
    with app.test_client() as client:
        for label, path, headers in lists:
            counts = {n: _count(client.get(path.format(n=n), headers=headers)) for n in PAGE_SIZES}
            rows.append({"endpoint": label, "counts": counts})
        rows.append({"endpoint": "GET /api/v1/requests/<number>",
                     "counts": {"-": _count(client.get(f"/api/v1/requests/{number}", headers=clerk_api))}})
        rows.append({"endpoint": "GET /api/v1/requests?q=<name> <last4>",
                     "counts": {"-": _count(client.get(f"/api/v1/requests?q={search}", headers=clerk_api))}})
        public_number, last4 = ctx.public[0]
        rows.append({"endpoint": "GET /api/v1/public/status", "counts": {"-": _count(client.get(
            f"/api/v1/public/status?number={public_number}&id_last4={last4}"))}})
        rows += _writes(client, ctx, {"Authorization": f"Bearer {ctx.tokens[COUNTER_CLERK]}"})
    if "reissue.queue" in ctx.endpoints:
        with app.test_client() as client:
            _login(client, CLERK, password)
            for label, path in (("GET /requests (HTML queue)", "/requests?per_page={n}"),
                                ("GET /requests?queue=open (HTML)", "/requests?queue=open&per_page={n}")):
                rows.append({"endpoint": label,
                             "counts": {n: _count(client.get(path.format(n=n))) for n in PAGE_SIZES}})
            rows.append({"endpoint": "GET /requests/<number> (HTML)",
                         "counts": {"-": _count(client.get(f"/requests/{number}"))}})
            rows.append({"endpoint": "GET /home (HTML)", "counts": {"-": _count(client.get("/home"))}})
        with app.test_client() as client:
            _login(client, SUPERVISOR, password)
            rows.append({"endpoint": "GET /review (HTML, supervisor)",
                         "counts": {n: _count(client.get(f"/review?per_page={n}")) for n in PAGE_SIZES}})
    for row in rows:
        values = list(row["counts"].values())
        row["equal"] = len(set(values)) == 1 if len(values) > 1 else None
    return rows


def _writes(client, ctx: Context, headers: dict) -> list[dict]:
    from .pools import STEPS_LOST_IN_PERSON

    waiting = add_counter_requests(ctx.engine, ctx.data_key, clerk_username=COUNTER_CLERK, count=2,
                                   checks_passed=False, nonce=unused_nonce(ctx.engine, "8"))
    ready = add_counter_requests(ctx.engine, ctx.data_key, clerk_username=COUNTER_CLERK, count=1,
                                 checks_passed=True, nonce=unused_nonce(ctx.engine, "8"))
    from cardops.core.pii import id_check_char

    first17 = f"7{unused_nonce(ctx.engine, '7'):03d}00" + "19800101" + "001"
    body = {"kind": "lost", "channel": "in_person",
            "applicant": {"id_number": first17 + id_check_char(first17), "name": "测试", "phone": "13900000000"}}
    rows = [
        {"endpoint": "POST /api/v1/requests (intake)", "counts": {"-": _count(
            client.post("/api/v1/requests", json=body, headers=headers))}},
        {"endpoint": "POST /api/v1/requests/<number>/checks", "counts": {"-": _count(client.post(
            f"/api/v1/requests/{waiting[0]}/checks", json={"step": STEPS_LOST_IN_PERSON[0], "result": "pass"},
            headers=headers))}},
        {"endpoint": "POST /api/v1/requests/<number>/submit", "counts": {"-": _count(client.post(
            f"/api/v1/requests/{ready[0]}/submit", json={}, headers=headers))}},
    ]
    return rows
