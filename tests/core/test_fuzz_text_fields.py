"""Any string into any text field of any form or API body: 2xx, 3xx or 4xx out, never 5xx (issue #13).

Nothing here lists fields by hand. The API's fields come from the OpenAPI document the app serves (every string
property of every request body, every string query parameter); the forms come from the pages themselves (every
page the URL map has, opened as an administrator, a supervisor and a clerk, every ``<form method="post">`` on it,
every field but the CSRF token). A feature merged later is covered as soon as its routes, pages and OpenAPI part
are. Hypothesis draws the strings: lone surrogates, NUL and other control characters, bidi overrides, zero-width
characters, very long strings, and random Unicode. Bounded: a few examples per field.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import product
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cardops.extensions import db
from tests.conftest import ApiClient, AuthActions
from tests.guards import csrf_from
from tests.reissue.helpers import make_id, make_phone
from tests.reissue.workflow_support import request_in

SPECIAL = ["", " ", "\x00", "a\x00b", "\ud800", "\udfff", "x\udc80y", "\u202e", "\u2066x\u2069", "\u200b", "\u200d",
           "\n", "\r\n", "\t", "\x1b[31m", "\x7f", "\x85", "x" * 5000, "' OR 1=1 --", "%s%s%n", "{{7*7}}",
           "<script>alert(1)</script>", "１２３", "\U0001D518", "\U0001F600", "\ufeff", "\uffff", "-1", "0",
           "99999999999999999999", "1e400", "null", "[]", "{}", "PT01-20260101-0001", "張三", "·", "..", "/"]
TEXT = st.one_of(st.sampled_from(SPECIAL), st.text(st.characters(exclude_categories=()), max_size=200))
# Tried on every field whatever Hypothesis draws besides.
ALWAYS = ["\x00", "x\ud800y", "a\u202eb", "a\nb", "x" * 5000, ""]
EXAMPLES = 4
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def always(test):
    for value in reversed(ALWAYS):
        test = example(value=value)(test)
    return test


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"


@pytest.fixture
def world(make_user, clerk, clerk2, supervisor, admin):
    """Objects the path parameters of pages and API calls can point at."""
    from cardops.risk import watchlist

    requests = {status: request_in(status, clerk, clerk2) for status in ("intake", "pending_review", "ready")}
    entry = watchlist.add_entry(supervisor, {"id_number": make_id(), "reason": "other"})
    victim = make_user("clerk", username="fuzz-victim")
    db.session.commit()
    return {"number": [r.number for r in requests.values()], "entry_id": entry.id, "user_id": victim.id, "code": "PT03",
            "token": "not-a-token", "year": 2026, "key": "stale_requests"}


# --- the API, from its OpenAPI document ----------------------------------------------------------------------------

def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sample(schema: dict, document: dict, name: str = ""):
    """A plausible value for ``schema`` (valid identity numbers and phones where the name says so)."""
    schema = _resolve(schema, document)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if "examples" in schema:
        return schema["examples"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        return {key: _sample(sub, document, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), document, name)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if "id_number" in name:
        return make_id()
    if "phone" in name:
        return make_phone()
    return schema.get("example", "张三" if "name" in name else "说明")


def _string_fields(schema: dict, document: dict, path: tuple = ()) -> list[tuple]:
    schema = _resolve(schema, document)
    if schema.get("type") == "object" or "properties" in schema:
        return [f for key, sub in schema.get("properties", {}).items()
                for f in _string_fields(sub, document, (*path, key))]
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    return [path] if "string" in kinds and path else []


def _with(body, path: tuple, value):
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def _first(value):
    return value[0] if isinstance(value, list) else value


def _api_operations(document: dict, world: dict):
    for template, operations in document["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: quote(str(_first(world.get(m.group(1), 1)))), template)
        for method, operation in operations.items():
            yield path, method, operation


def test_every_string_of_every_api_body_and_query(app, client, api, clerk, supervisor, admin, world):
    document = client.get("/api/v1/openapi.json").get_json()
    tokens = [api(clerk), api(supervisor), api(admin)]
    covered = 0
    for path, method, operation in _api_operations(document, world):
        body_schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                       .get("schema"))
        if body_schema is not None:
            for field in _string_fields(body_schema, document):
                _fuzz_body(client, tokens, method, path, lambda s=body_schema: _sample(s, document), field)
                covered += 1
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter.get("schema", {}).get("type") == "string":
                _fuzz_query(client, tokens, method, path, parameter["name"])
                covered += 1
    print(f"API fields fuzzed: {covered}")
    assert covered >= 20  # the reissue and watchlist bodies alone have more


def _fuzz_body(client, tokens: list[ApiClient], method: str, path: str, template, field: tuple) -> None:
    """``template()``: a fresh plausible body (new identity numbers: a second intake of one person is a 409 before
    any text is stored)."""
    @SETTINGS
    @given(value=TEXT)
    @always
    def run(value):
        data = json.dumps(_with(template(), field, value), ensure_ascii=True)  # \ud800 as any client sends it
        for token in tokens:
            response = client.open(path, method=method.upper(), data=data, content_type="application/json",
                                   headers=token.headers)
            check(response, f"{method.upper()} {path} {'.'.join(field)}={value[:40]!r}")

    run()


def _fuzz_query(client, tokens: list[ApiClient], method: str, path: str, name: str) -> None:
    @SETTINGS
    @given(value=TEXT)
    @always
    def run(value):
        query = f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'))}"
        for token in tokens:
            response = client.open(f"{path}?{query}", method=method.upper(), headers=token.headers)
            check(response, f"{method.upper()} {path}?{name}={value[:40]!r}")

    run()


# --- every form of every page --------------------------------------------------------------------------------------

class FormParser(HTMLParser):
    """``<form method="post">`` elements: action, enctype and fields with the values the page would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "enctype": attrs.get("enctype", ""), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                self._form["fields"].setdefault(attrs["name"], None)
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self._form["fields"][self._select] = None
        elif tag == "option" and self._select and (self._form["fields"][self._select] is None or "selected" in attrs):
            self._form["fields"][self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


SKIPPED_ACTIONS = ("/logout",)  # ends the session the crawl runs in


def _pages(app, world: dict) -> list[str]:
    pages = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
                continue
            if not set(rule.arguments) <= set(world):
                continue
            names = sorted(rule.arguments)
            values = [world[name] if isinstance(world[name], list) else [world[name]] for name in names]
            pages += [url_for(rule.endpoint, **dict(zip(names, combo, strict=True))) for combo in product(*values)]
    return [p for p in pages if not p.startswith(("/lang/",))]


def _forms(client, pages: list[str]) -> dict[tuple, dict]:
    found = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or page
            if urlsplit(action).netloc or action.startswith(SKIPPED_ACTIONS):
                continue
            key = (urlsplit(action).path, tuple(sorted(form["fields"])))
            found.setdefault(key, {**form, "action": action, "page": page})
    return found


def test_every_text_field_of_every_form(app, world, supervisor):
    covered, actions = 0, set()
    for username in (None, "admin", "supervisor", "clerk-a", "clerk-b"):
        client = app.test_client()
        if username:
            AuthActions(client).login(username)
        forms = _forms(client, _pages(app, world))
        for form in forms.values():
            actions.add(urlsplit(form["action"]).path)
            for field in form["fields"]:
                if field != "csrf_token":
                    _fuzz_form_field(client, form, field)
                    covered += 1
    print(f"form fields fuzzed: {covered} on {len(actions)} actions: {sorted(actions)}")
    assert covered >= 30


def _fuzz_form_field(client, form: dict, field: str) -> None:
    defaults = {k: v for k, v in form["fields"].items() if v is not None}
    defaults["csrf_token"] = csrf_from(client.get(form["page"]).get_data(as_text=True))
    multipart = "multipart" in form["enctype"]

    @SETTINGS
    @given(value=TEXT)
    @always
    def run(value):
        data = {**defaults, field: value}
        if multipart:  # a browser cannot put a lone surrogate into a multipart body
            data = {k: v.encode("utf-8", "replace").decode() for k, v in data.items()}
            response = client.post(form["action"], data=data, content_type="multipart/form-data")
        else:  # urlencoded as bytes: lone surrogates travel as the bytes a broken client would send
            body = urlencode(data, encoding="utf-8", errors="surrogatepass")
            response = client.post(form["action"], data=body, content_type="application/x-www-form-urlencoded")
        check(response, f"form {form['action']} (page {form['page']}) {field}={value[:40]!r}")

    run()
