"""Totals of paginated lists: exact for the API; bounded for pages (counting years of history would cost more
than the page itself), and then honestly labelled "10,000+"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.core import pagination
from cardops.core.pagination import paginate
from cardops.extensions import db
from cardops.outlets.models import Outlet
from tests.guards import counting_statements


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_COUNT_LIMIT", 3)


def _add_outlets(*codes: str) -> None:
    db.session.add_all(Outlet(code=code, name=f"测试网点{code}") for code in codes)
    db.session.flush()


def test_exact_totals_follow_the_data():
    stmt = select(Outlet).order_by(Outlet.code)
    before = paginate(stmt, 1, 5).total
    _add_outlets("TX01")
    listing = paginate(stmt, 1, 5)
    assert listing.total == before + 1 and not listing.total_is_bounded


def test_a_bounded_count_stops_at_the_limit_and_says_so(small_limit):
    stmt = select(Outlet).where(Outlet.code.like("TX%")).order_by(Outlet.code)
    _add_outlets("TX01", "TX02", "TX03")
    exactly = paginate(stmt, 1, 2, bounded=True)
    assert exactly.total == 3 and not exactly.total_is_bounded and exactly.pages == 2
    _add_outlets("TX04", "TX05")
    bounded = paginate(stmt, 2, 2, bounded=True)
    assert bounded.total == 3 and bounded.total_is_bounded
    assert [o.code for o in bounded.items] == ["TX03", "TX04"]  # the items are always exact
    assert bounded.has_next  # more than the count says: paging goes on
    assert paginate(stmt, 1, 2).total == 5  # the API's count stays exact


def test_a_page_shows_a_bounded_total_as_such(small_limit, client, auth, supervisor, make_user):
    make_user("clerk"), make_user("clerk")
    auth.login("supervisor")  # the audit log now holds more than three entries (sign-ins included)
    html = client.get("/audit/?category=all&per_page=2").get_data(as_text=True)
    assert "共 3+ 条" in html and "下一页" in html


def test_a_page_with_room_to_spare_is_its_own_total_without_a_count():
    stmt = select(Outlet).where(Outlet.code.like("TX%")).order_by(Outlet.code)
    _add_outlets("TX01", "TX02", "TX03")
    with counting_statements() as statements:
        first = paginate(stmt, 1, 5, bounded=True)
        last = paginate(stmt, 2, 2)
    assert (first.total, first.pages, [o.code for o in first.items]) == (3, 1, ["TX01", "TX02", "TX03"])
    assert (last.total, last.pages, last.has_next) == (3, 2, False)
    assert len(statements) == 2 and not any("count(" in s.lower() for s in statements)


def test_a_full_or_an_empty_page_past_the_first_is_counted():
    stmt = select(Outlet).where(Outlet.code.like("TX%")).order_by(Outlet.code)
    _add_outlets("TX01", "TX02", "TX03", "TX04")
    with counting_statements() as statements:
        full = paginate(stmt, 1, 2)
        beyond = paginate(stmt, 9, 2)
    assert (full.total, full.has_next) == (4, True)
    assert (beyond.items, beyond.total, beyond.pages) == ([], 4, 2)
    assert sum("count(" in s.lower() for s in statements) == 2
    assert paginate(select(Outlet).where(Outlet.code == "none"), 1, 5).total == 0
