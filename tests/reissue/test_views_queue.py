"""The queue (受理队列): counts per queue, search, filters, pagination, scope; a constant number of queries."""

from __future__ import annotations

import re

import pytest

from cardops.extensions import db
from tests.guards import counting_statements, flashes
from tests.reissue.helpers import person
from tests.reissue.workflow_support import new_request, record, request_in


def numbers_in(html: str) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', html)


def count_of(html: str, queue: str) -> int:
    return int(re.search(rf'data-queue="{queue}"[^>]*>\s*<div class="value">(\d+)</div>', html).group(1))


def test_a_clerk_sees_their_outlets_requests_newest_first(web, clerk, other_clerk):
    first = new_request(clerk, applicant=person(name="王秀英"))
    second = new_request(clerk, applicant=person(name="李建国"))
    elsewhere = new_request(other_clerk, applicant=person(name="马强"))
    html = web.login("clerk-a").page("/requests")
    assert numbers_in(html) == [second.number, first.number]
    assert elsewhere.number not in html and "马强" not in html
    assert "<th>网点</th>" not in html


def test_queue_cards_count_and_filter(web, clerk, clerk2):
    request_in("intake", clerk, clerk2)
    review = request_in("pending_review", clerk, clerk2)
    ready = request_in("ready", clerk, clerk2)
    request_in("ready", clerk, clerk2)
    html = web.login("clerk-a").page("/requests")
    assert count_of(html, "today") == 4 and count_of(html, "review") == 1 and count_of(html, "ready") == 2
    assert count_of(html, "awaiting_card") == 0 and count_of(html, "overdue") == 0
    assert 'href="/requests?queue=review"' in html
    assert numbers_in(web.page("/requests?queue=review")) == [review.number]
    assert ready.number in numbers_in(web.page("/requests?queue=ready"))


def test_home_shows_the_queue_cards(web, clerk, clerk2):
    request_in("pending_review", clerk, clerk2)
    html = web.login("clerk-b").page("/home")
    assert count_of(html, "review") == 1 and 'href="/requests"' in html


def test_one_search_box_for_number_name_and_last_four(web, clerk):
    zhang = new_request(clerk, applicant=person(name="张秀兰"))
    li = new_request(clerk, applicant=person(name="李建国"))
    web.login("clerk-a")
    assert numbers_in(web.page(f"/requests?q={zhang.number.lower()}")) == [zhang.number]
    assert numbers_in(web.page("/requests?q=张")) == [zhang.number]
    assert numbers_in(web.page(f"/requests?q={li.applicant_id_last4}")) == [li.number]
    assert numbers_in(web.page(f"/requests?q=李建国 {li.applicant_id_last4}")) == [li.number]
    assert numbers_in(web.page("/requests?q=无此人")) == []


def test_filters_by_status_kind_and_risk(web, clerk, clerk2):
    lost = new_request(clerk, kind="lost")
    damaged = new_request(clerk, kind="damaged")
    proxy = new_request(clerk, channel="proxy")
    web.login("clerk-a")
    assert set(numbers_in(web.page("/requests?kind=damaged"))) == {damaged.number}
    assert set(numbers_in(web.page("/requests?risk=medium"))) == {proxy.number}
    assert set(numbers_in(web.page("/requests?status=intake&kind=lost"))) == {lost.number, proxy.number}
    html = web.page("/requests?status=nonsense")
    assert "筛选条件无效" in flashes(html) and len(numbers_in(html)) == 3


def test_supervisor_sees_every_outlet_and_filters_by_outlet(web, clerk, other_clerk, supervisor):
    here = new_request(clerk)
    there = new_request(other_clerk)
    web.login("supervisor")
    html = web.page("/requests")
    assert {here.number, there.number} <= set(numbers_in(html)) and "<th>网点</th>" in html
    assert numbers_in(web.page("/requests?outlet_code=PT02")) == [there.number]


def test_pagination(web, clerk):
    made = [new_request(clerk) for _ in range(5)]
    web.login("clerk-a")
    html = web.page("/requests?per_page=2&page=2")
    assert numbers_in(html) == [made[2].number, made[1].number]
    assert "第 2 / 3 页，共 5 条" in html and "page=3" in html and "page=1" in html
    assert len(numbers_in(web.page("/requests?page=abc"))) == 5  # a bad page number is simply page 1


def test_a_queue_tab_pages_through_the_count_its_card_shows(web, clerk, clerk2):
    ready = [request_in("ready", clerk, clerk2) for _ in range(3)]
    request_in("intake", clerk, clerk2)
    web.login("clerk-a")
    html = web.page("/requests?queue=ready&per_page=2&page=2")
    assert count_of(html, "ready") == 3 and "第 2 / 2 页，共 3 条" in html
    assert numbers_in(html) == [ready[0].number]
    # With another filter the tab's total is counted for that filter, not taken from the card.
    html = web.page("/requests?queue=ready&kind=damaged")
    assert numbers_in(html) == [] and "共 0 条" in html


def test_a_queue_tab_does_not_count_what_its_card_has_just_counted(web, clerk, clerk2):
    request_in("ready", clerk, clerk2), request_in("ready", clerk, clerk2)
    web.login("clerk-a")
    web.page("/requests?queue=ready&per_page=1")  # warm up (first-request caches)
    with counting_statements() as tab:  # a full page: its total is not in sight
        web.page("/requests?queue=ready&per_page=1")
    with counting_statements() as filtered:
        web.page("/requests?queue=ready&kind=lost&per_page=1")
    assert len(filtered) == len(tab) + 1, (tab, filtered)


def test_search_treats_wildcards_as_plain_characters(web, clerk):
    new_request(clerk, applicant=person(name="张秀兰"))
    web.login("clerk-a")
    assert numbers_in(web.page("/requests?q=%25")) == []  # '%' matches no name, not every name
    assert numbers_in(web.page("/requests?q=_")) == []
    assert numbers_in(web.page("/requests?q=PT01-%25")) == []


def test_only_one_navigation_entry_is_active(web, clerk):
    html = web.login("clerk-a").page("/requests/new")
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)" class="active"', nav) == ["/requests/new"]


@pytest.mark.parametrize("username", ["clerk-a", "supervisor"])
def test_the_list_costs_the_same_number_of_queries_for_3_or_30_rows(web, clerk, clerk2, supervisor, username):
    def add(n):
        for i in range(n):
            r = new_request(clerk, channel="proxy" if i % 2 else "in_person")
            record(clerk, r, "id_document")
            record(clerk, r, "face_match", "fail" if i % 3 == 0 else "pass")
        db.session.commit()

    web.login(username)

    def statements() -> int:
        web.page("/requests?per_page=50")  # warm up (first-request caches)
        with counting_statements() as seen:
            html = web.page("/requests?per_page=50")
        return len(seen), len(numbers_in(html))

    add(3)
    small, rows_small = statements()
    add(27)
    large, rows_large = statements()
    assert (rows_small, rows_large) == (3, 30)
    assert large == small, f"{small} statements for 3 rows, {large} for 30"
    assert small <= 12, small


def test_the_review_queue_costs_the_same_for_2_or_20_rows(web, clerk, clerk2, supervisor):
    def add(n):
        for _ in range(n):
            request_in("pending_review", clerk, clerk2)
        db.session.commit()

    web.login("supervisor")

    def statements():
        web.page("/review?per_page=50")
        with counting_statements() as seen:
            html = web.page("/review?per_page=50")
        return len(seen), len(numbers_in(html))

    add(2)
    small, rows_small = statements()
    add(18)
    large, rows_large = statements()
    assert (rows_small, rows_large) == (2, 20) and large == small
