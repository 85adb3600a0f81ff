"""Sign in and out as each role in a real browser (SPEC §1, §9)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("username", "role", "who", "nav_has", "nav_lacks"), [
    ("pt01-clerk-a", "clerk", "PT01 受理员甲", [], ["审计日志", "用户"]),
    ("pt03-trainer", "trainer", "PT03 小教员", [], ["审计日志", "用户"]),
    ("supervisor", "supervisor", "区卡中心 王督导", ["审计日志"], ["用户"]),
    ("admin", "admin", "系统管理员", ["审计日志", "用户", "网点", "API 令牌"], []),
])
def test_each_role_signs_in_to_its_home_and_out(browser_page, login_as, screenshot, username, role, who,
                                                nav_has, nav_lacks):
    page = browser_page
    page.goto("/")
    assert page.url.endswith("/login")
    screenshot(page, "login")
    login_as(page, username)

    assert re.search(r"/home$", page.url), page.url
    assert page.locator(f'.roles[data-roles~="{role}"]').is_visible()
    assert who in page.locator(".userbox .who").inner_text()
    nav = page.locator("nav.mainnav").inner_text()
    assert all(label in nav for label in nav_has), nav
    assert not any(label in nav.split() for label in nav_lacks), nav
    screenshot(page, f"home-{role}")

    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    assert page.url.endswith("/login")
    assert "您已安全退出" in page.locator(".flashes").inner_text()
    page.goto("/home")
    assert "/login" in page.url  # the session really ended


def test_wrong_password_shows_the_chinese_error(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a", "wrong-password-123")
    assert page.url.endswith("/login")
    error = page.locator(".field.has-error .error")
    assert error.inner_text() == "用户名或密码错误"
    assert page.locator("input[name=username]").input_value() == "pt01-clerk-a"
    assert page.locator("input[name=password]").input_value() == ""  # never echoed back
    screenshot(page, "login-wrong-password")


def test_admin_pages_render(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "admin")
    for path, name in [("/admin/users", "admin-users"), ("/admin/users/new", "admin-user-new"),
                       ("/admin/outlets", "admin-outlets"), ("/admin/tokens", "admin-tokens")]:
        page.goto(path)
        assert page.locator("h1").is_visible()
        screenshot(page, name)
    page.goto("/admin/users/new")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".field.has-error").count() >= 3
    screenshot(page, "admin-user-new-errors")


def test_supervisor_audit_page_verifies_the_chain(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "supervisor")
    page.get_by_role("link", name="审计日志").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="校验审计链").click()
    page.wait_for_load_state()
    assert page.locator('[data-chain="ok"]').is_visible()
    assert page.locator("table tbody tr").count() >= 1
    screenshot(page, "audit")


def test_language_switch_to_english(browser_page, login_as, screenshot):
    page = browser_page
    page.goto("/login")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign in").is_visible()
    login_as(page, "supervisor")
    assert page.get_by_role("button", name="Sign out").is_visible()
    screenshot(page, "home-supervisor-en")
    page.get_by_role("link", name="中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="退出").is_visible()
