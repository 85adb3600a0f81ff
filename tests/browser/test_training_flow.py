"""A trainer logs a warning-education session in a real browser — the outlet's staff as a checklist, everyone
ticked present with one click, a score typed — and the clerk then finds the hours on their own record (SPEC §5)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def hours_on_record(page) -> float:
    page.get_by_role("link", name="我的培训").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/training/record")
    return float(page.locator('[data-figure="hours"] .value').inner_text())


def test_a_trainer_logs_warning_education_and_the_clerk_sees_the_hours(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt03-clerk-a")
    before = hours_on_record(page)
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()

    login_as(page, "pt03-trainer")
    page.locator('[data-panel="training-trainer"]').get_by_role("link", name="登记培训").click()
    page.wait_for_load_state()
    assert page.url.endswith("/training/sessions/new")
    rows = page.locator("tr[data-user]")
    assert [rows.nth(i).get_attribute("data-user") for i in range(rows.count())] == [
        "pt03-clerk-a", "pt03-clerk-b", "pt03-clerk-c"]
    score_a = page.locator('tr[data-user="pt03-clerk-a"] .score-input')
    assert score_a.is_disabled()  # a score only for someone present
    page.locator("label:text-is('警示教育')").click()
    page.fill("input[name=topic]", "冒用已故人员身份补卡的识别与处置")
    page.fill("input[name=duration_minutes]", "90")
    page.get_by_role("button", name="全部出席").click()
    assert score_a.is_enabled()
    score_a.fill("92")
    page.locator('tr[data-user="pt03-clerk-c"] input[value=absent]').check()
    page.locator('tr[data-user="pt03-clerk-c"] input[value=present]').check()
    page.fill("textarea[name=materials]", "课件：防冒补工作手册第三章")
    screenshot(page, "training-log-form")
    page.get_by_role("button", name="登记培训").click()
    page.wait_for_load_state()

    assert re.search(r"/training/sessions/\d+$", page.url), page.url
    assert "培训已登记" in page.locator(".flashes").inner_text()
    attended = page.locator('tr[data-attendee][data-attended="yes"]')
    assert attended.count() == 3
    assert page.locator('tr[data-attendee="pt03-clerk-a"] td').nth(3).inner_text() == "92"
    assert page.locator(".badge", has_text="警示教育").first.is_visible()
    screenshot(page, "training-session")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()

    login_as(page, "pt03-clerk-a")
    after = hours_on_record(page)
    assert round(after - before, 1) == 1.5
    newest = page.locator("table.record-table tbody tr").first
    assert "冒用已故人员身份补卡的识别与处置" in newest.inner_text() and "出席" in newest.inner_text()
    assert "92" in newest.inner_text()
    screenshot(page, "training-clerk-record")


def test_the_supervisor_sees_the_overdue_outlet_and_the_roster(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "supervisor")
    assert "PT07" in page.locator('[data-panel="training-supervisor"]').inner_text()
    page.get_by_role("link", name="培训统计").first.click()
    page.wait_for_load_state()
    assert page.locator('tr.row-overdue[data-outlet="PT07"]').is_visible()
    screenshot(page, "training-summary")
    page.get_by_role("link", name="小教员名册").first.click()
    page.wait_for_load_state()
    assert page.locator('tr[data-trainer="pt04-trainer"][data-certification="expiring"]').is_visible()
    assert page.locator('tr[data-trainer="pt07-trainer"][data-status="suspended"]').is_visible()
    screenshot(page, "training-roster")
    page.goto("/training/sessions/new")
    page.select_option("select[name=outlet_code]", "PT05")
    assert page.locator('.attendance-group[data-outlet="PT05"]').is_visible()
    assert not page.locator('.attendance-group[data-outlet="PT01"]').is_visible()
    page.select_option("select[name=outlet_code]", "district")
    assert page.locator('.attendance-group[data-outlet="PT01"]').is_visible()
