"""The counter in a real browser: pickup by number + short code, the lost-receipt path with a second clerk, the
search by full ID number, and every main page in English without Chinese system text."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_reissue_flow import fill_intake, fresh_id, pass_every_check

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def submitted_request(page, applicant: str, name: str, phone: str) -> str:
    fill_intake(page, kind="挂失补卡", channel="本人办理", applicant_id=applicant, name=name, phone=phone)
    page.click("form.intake-form button[type=submit]")
    page.wait_for_load_state()
    number = page.locator("h1.request-number").inner_text().strip()
    pass_every_check(page)
    page.click("button[data-action=submit]")
    page.wait_for_load_state()
    return number


def arrive(page, number: str) -> None:
    page.goto("/arrivals")
    page.fill("#number", number)
    page.press("#number", "Enter")
    page.wait_for_load_state()


def test_pickup_by_number_and_short_code(browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    applicant = fresh_id("19500101")
    number = submitted_request(page, applicant, "顾阿姨", "13812345611")
    assert page.locator("a[data-action=receipt].btn-primary").is_visible()  # the next step comes first
    page.click("a[data-action=receipt]")
    page.wait_for_load_state()
    code = page.locator(".pickup-code-value").inner_text().replace(" ", "")
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}", code)
    screenshot(page, "counter-receipt-with-code")
    arrive(page, number)

    page.goto("/pickup")
    page.fill("#number", number)
    page.press("#number", "Enter")
    assert page.evaluate("document.activeElement.id") == "token"
    page.fill("#token", code.lower())
    page.fill("#collector_id_number", applicant)
    screenshot(page, "counter-pickup-by-code")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert number in page.locator(".pickup-done").inner_text()
    assert applicant not in page.content()


def test_a_lost_receipt_is_reprinted_with_a_second_clerk_and_the_old_code_stops_working(
        browser_page, login_as, screenshot):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    applicant = fresh_id("19520202")
    number = submitted_request(page, applicant, "陶老伯", "13812345612")
    page.goto(f"/requests/{number}/receipt")
    old_code = page.locator(".pickup-code-value").inner_text().replace(" ", "")

    # The holder is at the counter without the receipt: clerk A records the reason and checks the ID.
    page.goto(f"/requests/{number}")
    page.locator("#reprint summary").click()
    page.fill("#holder_id_number", applicant)
    page.fill("#reason", "回执遗失，本人持身份证到柜台")
    page.check("#id_checked")
    page.click("button[data-action=request-reprint]")
    page.wait_for_load_state()
    assert page.locator("section[data-reprint=pending]").is_visible()
    assert page.locator("button[data-action=approve-reprint]").count() == 0  # not by the one who asked
    screenshot(page, "counter-reprint-pending")

    # Clerk B approves from the review queue; the new receipt prints with a new code.
    page.get_by_role("button", name="退出").click()
    login_as(page, "pt01-clerk-b")
    page.goto("/review")
    page.locator(f'tr[data-reprint-number="{number}"] a.btn').click()
    page.wait_for_load_state()
    page.click("button[data-action=approve-reprint]")
    page.wait_for_load_state()
    assert page.locator("[data-reprinted]").is_visible()
    new_code = page.locator(".pickup-code-value").inner_text().replace(" ", "")
    assert new_code != old_code
    screenshot(page, "counter-reprinted-receipt")

    arrive(page, number)
    page.goto(f"/pickup?number={number}")
    page.fill("#token", old_code)
    page.fill("#collector_id_number", applicant)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "取卡码无效" in page.locator("main form").inner_text()
    page.fill("#token", new_code)
    page.fill("#collector_id_number", applicant)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert number in page.locator(".pickup-done").inner_text()


def test_a_card_reader_finds_the_request_by_the_full_id_number(browser_page, login_as):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    applicant = fresh_id("19530303")
    number = submitted_request(page, applicant, "范先生", "13812345613")
    page.goto("/requests")
    page.fill("input[name=q]", applicant)  # a reader types the number and Enter
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert applicant not in page.url and applicant not in page.content()
    assert page.locator(f'tr[data-number="{number}"]').count() == 1
    assert page.locator("[data-id-filter]").is_visible()


# --- English ---------------------------------------------------------------------------------------------------

# User data the pages show as it was entered: names of people, staff and outlets, notes, details and reasons typed
# — read from the live server's database (the demo and the other tests put their own there).
USER_COLUMNS = {
    "reissue_requests": ("applicant_name", "agent_name", "collector_name", "note", "closed_reason", "review_reason",
                         "agent_reason"),
    "request_checks": ("detail",), "request_events": ("reason",), "receipt_reprints": ("reason", "decision_reason"),
    "users": ("display_name",), "outlets": ("name",), "watchlist_entries": ("note", "removed_reason"),
}


def user_data(live_server) -> re.Pattern:
    from sqlalchemy import inspect, text

    from cardops.extensions import db

    values = set()
    with live_server.app.app_context():
        for table, columns in USER_COLUMNS.items():
            present = {c["name"] for c in inspect(db.engine).get_columns(table)}
            for column in (c for c in columns if c in present):
                values |= {v for (v,) in db.session.execute(text(f"SELECT DISTINCT {column} FROM {table}")) if v}
    words = {piece for value in values for piece in re.split(r"[\n；;]", value) if piece.strip()}
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


# Each name also appears masked (吴*、王*英 …) on receipts and sheets.
MASKED_NAME = re.compile(r"[\u4e00-\u9fff]\*[\u4e00-\u9fff]?")
# A reason quoted in the audit log is what someone typed (other tests type theirs on the same live server).
QUOTED_REASON = re.compile(r"Reason: [^;\n]*")


def system_text(page, users: re.Pattern) -> str:
    """The page's visible text without user data, the brand's seal (社, a logo) and the link back to 中文."""
    visible = page.locator("main").inner_text() + "\n" + page.locator("header nav").inner_text()
    return QUOTED_REASON.sub("", MASKED_NAME.sub("", users.sub("", visible)))


def chinese_lines(page, path: str, users: re.Pattern) -> list[str]:
    page.goto(path)
    page.wait_for_load_state()
    return [f"{path}: {line.strip()}" for line in system_text(page, users).splitlines() if CJK.search(line)]


def test_the_main_pages_have_no_chinese_system_text_in_english(browser_page, login_as, screenshot, live_server):
    page = browser_page
    login_as(page, "pt01-clerk-a")
    page.goto("/lang/en")
    numbers = {}
    for row in page.goto("/requests") and page.locator("tr[data-number]").all():
        numbers.setdefault(row.locator("td").nth(3).inner_text().strip(), row.get_attribute("data-number"))
    assert {"At intake", "Awaiting review", "In production", "Ready for pickup", "Collected",
            "Cancelled"} <= set(numbers), numbers
    ready = numbers["Ready for pickup"]
    users = user_data(live_server)
    found = []
    for path in ["/home", "/requests", "/requests?queue=overdue", "/requests/new", "/review", "/arrivals",
                 "/pickup", "/handover", "/help", *(f"/requests/{n}" for n in numbers.values()),
                 f"/requests/{ready}/receipt", f"/pickup?number={ready}"]:
        found += chinese_lines(page, path, users)
    page.goto(f"/requests/{numbers['Awaiting review']}")
    screenshot(page, "counter-english-request")
    page.get_by_role("button", name="Sign out").click()

    login_as(page, "supervisor")
    page.goto("/lang/en")
    for path in ["/requests", "/review", "/watchlist", "/audit/", "/audit/?category=all",
                 "/handover?outlet=PT01", f"/requests/{numbers['Awaiting review']}/review"]:
        found += chinese_lines(page, path, users)
    page.goto("/audit/")
    screenshot(page, "counter-english-audit")
    assert not found, "Chinese system text on English pages:\n" + "\n".join(found)
