"""The queue's filters that the dashboard's drill-down uses: intake dates (local, both included), risk rule,
review decision, and the two halves of the overdue queue (stale, uncollected) — in the API and on the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cardops.core.timeutil import clock_at, utcnow
from cardops.reissue import services
from tests.dashboard.district import local
from tests.guards import assert_error
from tests.reissue.workflow_support import new_request, request_in


def numbers(answer) -> set[str]:
    return {item["number"] for item in answer.get_json()["items"]}


def test_intake_dates_are_local_days_both_included(as_, clerk):
    made = {}
    for name, moment in (("before", "2026-02-28 23:59"), ("first", "2026-03-01 00:00"),
                         ("last", "2026-03-31 23:59"), ("after", "2026-04-01 00:00")):
        with clock_at(local(moment)):
            made[name] = new_request(clerk).number
    api = as_(clerk)
    assert numbers(api.get("/api/v1/requests?from=2026-03-01&to=2026-03-31")) == {made["first"], made["last"]}
    assert numbers(api.get("/api/v1/requests?from=2026-03-31")) == {made["last"], made["after"]}
    assert numbers(api.get("/api/v1/requests?to=2026-02-28")) == {made["before"]}


def test_flag_and_review_filters(as_, clerk, clerk2):
    reviewed = request_in("pending_review", clerk, clerk2)
    services.review(clerk2, reviewed, "approve")
    rejected = request_in("rejected", clerk, clerk2)
    plain = request_in("collected", clerk, clerk2)
    api = as_(clerk)
    flagged = numbers(api.get("/api/v1/requests?flag=PROXY_APPLICATION"))
    assert {reviewed.number, rejected.number} <= flagged and plain.number not in flagged
    assert numbers(api.get("/api/v1/requests?review=approve")) == {reviewed.number}
    assert numbers(api.get("/api/v1/requests?review=reject")) == {rejected.number}
    assert numbers(api.get("/api/v1/requests?flag=WATCHLIST")) == set()


def test_the_stale_and_uncollected_queues_split_the_overdue_queue(as_, clerk, clerk2):
    with clock_at(utcnow() - timedelta(days=10)):
        stale = new_request(clerk)
        uncollected = request_in("ready", clerk, clerk2)
    request_in("ready", clerk, clerk2)  # ready today: not over its limit
    api = as_(clerk)
    assert numbers(api.get("/api/v1/requests?queue=stale")) == {stale.number}
    assert numbers(api.get("/api/v1/requests?queue=uncollected")) == set()  # 10 days: not yet 30
    with clock_at(utcnow() - timedelta(days=40)):
        old = request_in("ready", clerk, clerk2)
    assert numbers(api.get("/api/v1/requests?queue=uncollected")) == {old.number}
    assert numbers(api.get("/api/v1/requests?queue=overdue")) == {stale.number, old.number}
    assert uncollected.number not in numbers(api.get("/api/v1/requests?queue=overdue"))


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-02-30", "from"), ("to=03/01/2026", "to"), ("flag=NOPE", "flag"), ("review=maybe", "review"),
    ("queue=late", "queue"),
])
def test_bad_filters_are_refused_naming_the_field(as_, clerk, query, field):
    error = assert_error(as_(clerk).get("/api/v1/requests?" + query), 400, "VALIDATION_ERROR")
    assert field in error["fields"]


def test_the_queue_page_keeps_and_shows_the_drill_down_filters(web, clerk, clerk2):
    with clock_at(local("2026-03-10 10:00")):
        march = request_in("pending_review", clerk, clerk2)
    new_request(clerk)
    page = web.login("clerk-a").page("/requests?from=2026-03-01&to=2026-03-31&flag=PROXY_APPLICATION")
    assert re.findall(r'<tr data-number="([^"]+)"', page) == [march.number]
    assert 'name="from" value="2026-03-01"' in page and 'name="flag" value="PROXY_APPLICATION"' in page
    assert "data-active-filters" in page and "2026-03-01 — 2026-03-31" in page and "清除条件" in page
    assert "筛选条件无效" in web.page("/requests?from=someday")
