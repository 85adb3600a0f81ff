"""The supervision dashboard in a real browser (SPEC §8): the charts drawn by the vendored ECharts under the
Content-Security-Policy, the period picker, sorting the outlets, one drill-down followed to the queue, a clerk's
own outlet; screenshots at 1366×768 and on a 1920 screen."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def overview_column(page, column: int) -> list[float]:
    cells = page.locator(f"#overview tbody tr td:nth-child({column + 1})")
    return [float(cells.nth(i).get_attribute("data-value") or "-1") for i in range(cells.count())]


def test_a_supervisor_reads_the_year_and_drills_down(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "supervisor")
    page.click("nav.mainnav >> text=督导看板")
    page.wait_for_load_state("networkidle")
    assert page.locator(".preset.active").inner_text() == "本月"
    page.click(".preset[data-preset=this_year]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".preset.active").inner_text() == "本年"
    page.wait_for_selector("[data-chart][data-drawn]")
    assert page.locator("[data-chart][data-drawn] canvas").count() == 4
    assert page.locator("#overview tbody tr").count() == 10
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_timeout(300)  # the charts follow the window's size
    screenshot(page, "dashboard-supervisor-1366")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    screenshot(page, "dashboard-supervisor-1920")

    # Sort the outlets by their requests (the second column), largest first.
    page.click("#overview thead th:text-is('申请')")
    requests = overview_column(page, 1)
    assert requests == sorted(requests, reverse=True) and len(requests) == 10
    assert page.locator("#overview th[aria-sort=descending]").count() == 1

    # Drill down: the busiest outlet's high-risk requests in the queue, as many as the table said.
    row = page.locator("#overview tbody tr").first
    outlet = row.get_attribute("data-outlet")
    high = row.locator("td:nth-child(4) a")
    expected = int(high.inner_text())
    high.click()
    page.wait_for_load_state()
    assert re.search(rf"/requests\?risk=high&outlet_code={outlet}&from=\d{{4}}-01-01&to=\d{{4}}-12-31$", page.url)
    assert page.locator("tr[data-number]").count() == expected
    assert page.locator("[data-active-filters]").is_visible()
    screenshot(page, "dashboard-drill-down-queue")


def test_a_custom_period_and_a_clerks_own_outlet(browser_page, login_as, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    login_as(page, "pt03-clerk-a")
    page.goto("/dashboard?period=last_month")
    page.wait_for_selector("[data-chart][data-drawn]")
    assert page.locator("#overview tbody tr").count() == 1
    assert page.locator("#overview tbody tr").get_attribute("data-outlet") == "PT03"
    assert page.locator("select[name=outlet_code]").count() == 0
    screenshot(page, "dashboard-clerk-1366")
    page.fill("input[name=from]", "2026-05-01")
    page.fill("input[name=to]", "2026-04-01")
    page.click("form.period-picker button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-period-error] [data-field=from]").is_visible()
    page.goto("/dashboard?outlet_code=PT04")
    assert "404" in page.locator(".error-code").inner_text()
