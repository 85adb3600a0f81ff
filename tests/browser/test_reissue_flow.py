"""A clerk's day in a real browser: intake → checks → submit → receipt → arrival → pickup, and the review of
a proxy request by a second clerk (SPEC §3)."""

from __future__ import annotations

import itertools
import re

import pytest

from cardops.core.pii import id_check_char

pytestmark = pytest.mark.browser

# Abolished area code 310108 (still on valid cards): never collides with the demo data's 310107 numbers.
_serial = itertools.count(101)


def fresh_id(birth: str = "19480305") -> str:
    first17 = f"310108{birth}{next(_serial):03d}"
    return first17 + id_check_char(first17)


def fill_intake(page, *, kind: str, channel: str, applicant_id: str, name: str, phone: str) -> None:
    page.goto("/requests/new")
    page.locator(f"label:text-is('{kind}')").click()
    page.locator(f"label:text-is('{channel}')").click()
    page.fill("#applicant_id_number", applicant_id)
    page.fill("#applicant_name", name)
    page.fill("#applicant_phone", phone)


def pass_every_check(page) -> None:
    """Click the row's “✓ 通过” until no required check is missing."""
    while page.locator("button[data-quick-pass]").count():
        page.locator("button[data-quick-pass]").first.click()
        page.wait_for_load_state()
    assert "身份核验已全部通过" in page.locator("[data-next-step]").inner_text()


def test_in_person_lost_card_from_intake_to_pickup(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    applicant = fresh_id()

    # Intake; the agent block stays hidden for an in-person request.
    fill_intake(page, kind="挂失补卡", channel="本人办理", applicant_id=applicant, name="陆阿婆", phone="13812345601")
    assert page.locator("fieldset.agent-fields").is_hidden()
    screenshot(page, "flow-intake-filled")
    page.click("form.intake-form button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1.request-number").inner_text().strip()
    assert re.fullmatch(r"PT01-\d{8}-\d{4}", number)
    assert page.locator(".status-badge.badge-xl").inner_text() == "受理中"
    assert applicant not in page.content()

    # Checks, then submit.
    pass_every_check(page)
    screenshot(page, "flow-checks-done")
    page.click("button[data-action=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-badge.badge-xl").inner_text() == "制卡中"

    # The receipt with its QR code.
    page.click("a[data-action=receipt]")
    page.wait_for_load_state()
    assert page.locator("svg.qr").is_visible()
    verification_url = page.locator(".receipt-url .mono").inner_text().strip()
    assert "/verify/" in verification_url and applicant not in page.content()
    screenshot(page, "flow-receipt")
    page.emulate_media(media="print")
    screenshot(page, "flow-receipt-print")
    page.emulate_media(media="screen")

    # The card arrives from the city card center.
    page.goto("/arrivals")
    page.fill("#number", number)
    page.press("#number", "Enter")
    page.wait_for_load_state()
    assert page.locator("[data-outcome]").first.get_attribute("data-outcome") == "arrived"
    screenshot(page, "flow-arrival")

    # Pickup: the scanner types the receipt's URL and Enter; Enter moves on to the collector's ID.
    page.goto("/pickup")
    page.fill("#token", verification_url)
    page.press("#token", "Enter")
    assert page.evaluate("document.activeElement.id") == "collector_id_number"
    page.fill("#collector_id_number", applicant)
    page.fill("#collector_name", "陆阿婆")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "发卡完成" in page.locator(".pickup-done").inner_text()
    assert number in page.locator(".pickup-done").inner_text()
    screenshot(page, "flow-pickup-done")
    page.goto(f"/requests/{number}")
    assert page.locator(".status-badge.badge-xl").inner_text() == "已领取"
    screenshot(page, "flow-collected")


def test_proxy_request_goes_to_review_and_a_second_clerk_approves(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    fill_intake(page, kind="到期换卡", channel="代办", applicant_id=fresh_id("19350911"), name="沈老伯",
                phone="13812345602")
    assert page.locator("fieldset.agent-fields").is_visible()
    page.fill("#agent_id_number", fresh_id("19700102"))
    page.fill("#agent_name", "沈建华")
    page.fill("#agent_phone", "13812345603")
    page.select_option("#agent_relation", "子女")
    page.click("form.intake-form button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1.request-number").inner_text().strip()
    assert page.locator(".risk-badge.badge-lg").inner_text() == "中风险"
    pass_every_check(page)
    page.click("button[data-action=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-badge.badge-xl").inner_text() == "待复核"
    assert "已转入待复核" in page.locator(".flashes").inner_text()
    screenshot(page, "flow-pending-review")

    page.get_by_role("button", name="退出").click()
    login_as(page, "pt01-clerk-b")
    page.goto("/review")
    row = page.locator(f'tr[data-number="{number}"]')
    screenshot(page, "flow-review-queue")
    row.get_by_role("link", name="复核").click()
    page.wait_for_load_state()
    page.locator("label:text-is('通过')").click()
    page.fill("#reason", "代办材料齐全，已电话联系申请人确认")
    screenshot(page, "flow-review")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert f"{number} 复核通过" in page.locator(".flashes").inner_text()
    page.goto(f"/requests/{number}")
    assert page.locator(".status-badge.badge-xl").inner_text() == "制卡中"


def test_the_intake_form_checks_the_id_number_as_you_type(browser_page, login_as):
    page = browser_page
    login_as(page, "pt01-clerk-b")
    good = fresh_id()
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    fill_intake(page, kind="损坏换卡", channel="本人办理", applicant_id=wrong, name="钱先生", phone="13812345604")
    message = page.locator("#applicant_id_number ~ .error.live")
    assert "校验位不正确" in message.inner_text()
    page.click("form.intake-form button[type=submit]")
    assert page.url.endswith("/requests/new")  # not sent while the number is wrong
    assert page.evaluate("document.activeElement.id") == "applicant_id_number"
    page.fill("#applicant_phone", "1381234")
    page.locator("#applicant_phone").blur()
    assert "11位" in page.locator("#applicant_phone ~ .error.live").inner_text()
    page.fill("#applicant_id_number", good.lower())
    page.locator("#applicant_id_number").blur()
    assert page.locator("#applicant_id_number").input_value() == good  # x → X
    assert message.is_hidden()
