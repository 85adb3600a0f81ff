"""While the database is away a page is a friendly "暂时无法服务" page (503), styled, without CSP violations; once
it is back the same session goes on (issue #13)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser


@pytest.fixture
def page_expecting_503(chromium, live_server):
    """Like ``browser_page``, except that the browser's note about the 503 itself is expected; CSP violations and
    script errors still fail the test."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    unexpected = [p for p in problems if "status of 503" not in p and "status of 4" not in p]
    assert not unexpected, unexpected


def test_a_page_during_a_database_outage(page_expecting_503, login_as, screenshot, monkeypatch):
    page = login_as(page_expecting_503, "pt01-clerk-a")

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))

    monkeypatch.setattr(Session, "execute", down)
    response = page.goto("/requests")
    assert response.status == 503 and response.headers["retry-after"]
    assert page.locator("[data-unavailable]").is_visible()
    assert "暂时无法服务" in page.locator("h1").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('.error-code')).fontSize") != "16px"
    screenshot(page, "unavailable-503")

    monkeypatch.undo()
    page.reload()
    assert page.url.endswith("/requests") and page.locator(".userbox .who").is_visible()
