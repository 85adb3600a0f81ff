"""For the tests of the reissue pages: the test client as a browser whose every page is checked for full ID
numbers (SPEC §3.6), and small readers for the HTML."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.conftest import csrf_from
from tests.reissue.workflow_support import LeakGuard


class Browser:
    """``get``/``post`` like the test client; every body received is kept and scanned at the end."""

    def __init__(self, client, auth):
        self.client = client
        self.auth = auth
        self.guard = LeakGuard()

    def login(self, username: str):
        self.auth.login(username)
        return self

    def logout(self):
        self.auth.logout()
        return self

    def get(self, path: str, **kwargs):
        return self.guard.watch(self.client.get(path, **kwargs))

    def post(self, path: str, data: dict | None = None, *, csrf_page: str = "/home", **kwargs):
        data = dict(data or {})
        self.guard.sent({k: v for k, v in data.items() if isinstance(v, str)})
        if "csrf_token" not in data:
            data["csrf_token"] = csrf_from(self.client.get(csrf_page).get_data(as_text=True))
        return self.guard.watch(self.client.post(path, data=data, **kwargs))

    def page(self, path: str, status: int = 200) -> str:
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code, text(response)[:800])
        return text(response)

    def follow(self, response) -> str:
        assert response.status_code in (302, 303), (response.status_code, text(response)[:800])
        return self.page(response.headers["Location"])


@pytest.fixture(name="web")
def web_fixture(client, auth):
    """Import ``web_fixture`` into a test module to use the ``web`` fixture."""
    browser = Browser(client, auth)
    yield browser
    leaks = browser.guard.leaks()
    assert not leaks, leaks


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(html: str) -> str:
    """The text of the flashed messages and form-level errors."""
    found = re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', html, re.S)
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", f) for f in found))


def field_errors(html: str) -> str:
    return html_lib.unescape(" ".join(re.findall(r'<div class="error">(.*?)</div>', html, re.S)))


def has_form(html: str, action: str) -> bool:
    return f'action="{action}"' in html


def detail_path(request) -> str:
    return f"/requests/{request.number}"
