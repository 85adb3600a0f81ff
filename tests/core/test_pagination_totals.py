"""Totals of paginated lists: cheap ones are counted on every call, slow ones are reused for a short while
(``count(*)`` over years of history would otherwise cost more than the page it is shown with)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.core.pagination import paginate
from cardops.extensions import db
from cardops.outlets.models import Outlet


@pytest.fixture
def totals(app):
    saved = {k: app.config[k] for k in ("PAGINATION_SLOW_COUNT_MS", "PAGINATION_TOTAL_SECONDS")}
    app.extensions.pop("cardops_slow_totals", None)
    yield app.config
    app.config.update(saved)
    app.extensions.pop("cardops_slow_totals", None)


def _add_outlet(code: str) -> None:
    db.session.add(Outlet(code=code, name=f"测试网点{code}"))
    db.session.flush()


def test_cheap_totals_are_always_counted(totals):
    totals["PAGINATION_SLOW_COUNT_MS"] = 60_000  # nothing here takes a minute to count
    before = paginate(select(Outlet).order_by(Outlet.code), 1, 5).total
    _add_outlet("TX01")
    assert paginate(select(Outlet).order_by(Outlet.code), 1, 5).total == before + 1


def test_slow_totals_are_reused_for_the_same_query(totals):
    totals["PAGINATION_SLOW_COUNT_MS"] = 0  # every count counts as slow
    stmt = select(Outlet).order_by(Outlet.code)
    first = paginate(stmt, 1, 5)
    _add_outlet("TX02")
    again = paginate(stmt, 2, 5)
    assert again.total == first.total  # the remembered figure
    assert [o.code for o in paginate(stmt, 3, 5).items] == ["TX02"]  # the items are always fresh
    assert paginate(stmt.where(Outlet.code.like("TX%")), 1, 5).total == 1  # another query: its own count


def test_reuse_can_be_switched_off(totals):
    totals["PAGINATION_SLOW_COUNT_MS"] = 0
    totals["PAGINATION_TOTAL_SECONDS"] = 0
    stmt = select(Outlet).order_by(Outlet.code)
    first = paginate(stmt, 1, 5).total
    _add_outlet("TX03")
    assert paginate(stmt, 1, 5).total == first + 1
