"""Browser tests: headless Chromium (Playwright, sync API) against a live server.

The live server is a real werkzeug server in a thread, on a free port, with its own SQLite file migrated and
seeded with the demo data (``seed --demo``), so pages look as after ``make run``. It does not use the suite's
per-test rollback session: ``db_session`` is overridden here.

Reusable pieces for feature scenarios: ``live_server`` (``.url``, ``.app``), ``browser_page`` (a fresh page in
a new context per test), ``login_as(page, username)`` and ``screenshot(page, name)`` (PNG in
tests/screenshots/, git-ignored).

Without Chromium they fail (``make test`` installs Debian's chromium first, ``make browser-deps``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from cardops.main.seed import DEMO_PASSWORD

CHROMIUM = os.environ.get("CARDOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def browser_unavailable(reason: str):
    """The browser tests are part of the suite: without a browser they fail (``make browser-deps`` installs it)."""
    pytest.fail(f"the browser tests cannot run: {reason} (make browser-deps installs Debian's chromium)",
                pytrace=False)


@pytest.fixture(autouse=True)
def db_session():
    """The live server has its own database; the suite's rollback session does not apply here."""
    yield None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from cardops import create_app
    from config import TestingConfig

    database = tmp_path_factory.mktemp("live-server") / "cardops.sqlite3"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    # An explicit app context: other tests keep the suite's app context pushed, which the CLI would pick.
    with app.app_context():
        upgrade()
        seeded = app.test_cli_runner().invoke(args=["seed", "--demo"])
        assert seeded.exit_code == 0, seeded.output

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            from cardops.extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        browser_unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        browser_unavailable(f"the playwright package is missing ({exc})")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        playwright.stop()
        browser_unavailable(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh page (own cookies) with the Chinese default; CSP violations and JS errors fail the test."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    csp = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert not csp, f"CSP violations: {csp}"
    errors = [p for p in problems if "status of 4" not in p]  # expected 4xx pages log a console error
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def login_as(live_server):
    """login_as(page, username[, password]) signs in through the form and waits for the home page."""

    def sign_in(page, username: str, password: str = DEMO_PASSWORD):
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():  # the sign-in's answer (and its session cookie) before anything else
            page.click("main form button[type=submit]")
        page.wait_for_load_state()
        return page

    return sign_in


@pytest.fixture
def screenshot():
    """screenshot(page, name) saves tests/screenshots/<name>.png (full page) and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
