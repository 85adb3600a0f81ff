"""Notifications and reminder rules in a real browser: the bell, the list, a rule's schedule preview, run now."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_clerk_reads_a_reminder_from_the_bell(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    bell = page.locator("a.bell")
    unread = int(bell.get_attribute("data-unread"))
    assert unread > 0  # the demo's stale and uncollected requests were reminded by the demo's rule runs
    screenshot(page, "reminders-bell")
    bell.click()
    page.wait_for_load_state()
    assert page.url.endswith("/notifications")
    screenshot(page, "reminders-notifications")
    page.locator(".notification.unread .notification-title a").first.click()
    page.wait_for_load_state()
    assert re.search(r"/requests/PT01-\d{8}-\d{4}", page.url), page.url
    assert int(page.locator("a.bell").get_attribute("data-unread")) == unread - 1


def test_a_supervisor_previews_a_schedule_and_runs_a_rule(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "supervisor")
    page.goto("/reminders")
    assert page.locator('tr[data-rule="stale_requests"]').is_visible()
    screenshot(page, "reminders-rules")
    page.locator('tr[data-rule="weekly_digest"] a', has_text="设置").click()
    page.wait_for_load_state()
    page.fill("#schedule", "0 7 * * 1-5")
    page.get_by_role("button", name="预览运行时间").click()
    page.wait_for_load_state()
    preview = page.locator(".schedule-preview").inner_text()
    assert "每个工作日 07:00" in preview and len(page.locator(".next-runs li").all()) == 5
    screenshot(page, "reminders-rule-preview")
    page.get_by_role("button", name="立即运行").click()
    page.wait_for_load_state()
    assert "/reminders/runs/" in page.url
    assert "已运行" in page.locator(".flashes").inner_text()
    screenshot(page, "reminders-run")
