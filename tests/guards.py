"""What every test of a page or an API call shares: the leak guard that fails a test when a full ID number appears
in a response (SPEC §3.6), API and page clients whose traffic passes through it, the SPEC §9 error format,
small readers for the HTML, and a counter of the SQL statements a block runs. The fixtures ``guard``, ``as_`` and
``web`` of tests/conftest.py use them."""

from __future__ import annotations

import contextlib
import html as html_lib
import json
import re

from sqlalchemy import event

from cardops.core import pii
from cardops.extensions import db

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


ID_RUN = re.compile(r"\d{17}[\dXx]")


def _ids_in(value, found: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _ids_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _ids_in(item, found)
    elif isinstance(value, str) and pii.is_valid_id_number(value):
        found.add(pii.normalise_id_number(value))


class LeakGuard:
    """Collects every response body (and every ID number sent) and finds full ID numbers in the bodies."""

    def __init__(self):
        self.bodies: list[str] = []
        self.sent_ids: set[str] = set()

    def sent(self, payload) -> None:
        _ids_in(payload, self.sent_ids)

    def watch(self, response):
        self.bodies.append(response.get_data(as_text=True))
        return response

    def leaks(self) -> list[str]:
        problems = []
        for body in self.bodies:
            # JSON may escape or space things out; compare the bare characters as well.
            bare = re.sub(r"\s", "", body)
            for candidate in ID_RUN.findall(bare):
                problems.append(f"{candidate[:6]}…{candidate[-4:]} in {body[:120]!r}")
            for id_number in self.sent_ids:
                if id_number in bare.upper() or id_number.lower() in bare:
                    problems.append(f"sent ID {id_number[:6]}… echoed in {body[:120]!r}")
        return problems


class GuardedApi:
    """An ``ApiClient`` whose traffic goes through a LeakGuard."""

    def __init__(self, inner, guard: LeakGuard):
        self._inner = inner
        self._guard = guard

    def get(self, path, **kwargs):
        return self._guard.watch(self._inner.get(path, **kwargs))

    def post(self, path, json=None, **kwargs):
        self._guard.sent(json)
        return self._guard.watch(self._inner.post(path, json=json, **kwargs))

    def patch(self, path, json=None, **kwargs):
        self._guard.sent(json)
        return self._guard.watch(self._inner.patch(path, json=json, **kwargs))

    def delete(self, path, json=None, **kwargs):
        self._guard.sent(json)
        return self._guard.watch(self._inner.delete(path, json=json, **kwargs))

    def put(self, path, json=None, **kwargs):
        self._guard.sent(json)
        return self._guard.watch(self._inner.put(path, json=json, **kwargs))

    def post_raw(self, path, data, content_type="application/json"):
        with contextlib.suppress(ValueError, TypeError, RecursionError):
            self._guard.sent(json.loads(data))
        return self._guard.watch(self._inner._client.post(path, data=data, content_type=content_type,
                                                          headers=self._inner.headers))


def assert_error(response, status: int, code: str) -> dict:
    """The SPEC §9 error format: ``{"error": {"code", "message", "fields"?}}``."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert "error" in body and set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "fields", "missing_checks", "outlet_code"}, error
    if "fields" in error:
        assert isinstance(error["fields"], dict) and error["fields"]
    return error


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


@contextlib.contextmanager
def counting_statements():
    """The SQL statements run inside the block (the test harness's savepoints left out): a page or a figure must
    not run more of them as the rows it shows grow."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
