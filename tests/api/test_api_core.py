"""The JSON API's shared behaviour: Bearer tokens, the SPEC §9 error format, /me, /outlets, OpenAPI."""

from __future__ import annotations

import re

import pytest
from flask import jsonify

from cardops import create_app
from cardops.core.api import api_blueprint, json_body, public
from config import TestingConfig


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer cdo_wrong"},
                                     {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": "cdo_x"}])
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/outlets"])
def test_missing_or_bad_token_is_401(client, headers, path):
    assert_error(client.get(path, headers=headers), 401, "UNAUTHENTICATED")


def test_a_browser_session_is_not_an_api_credential(client, auth, clerk):
    auth.login("clerk-a")
    assert client.get("/home").status_code == 200
    assert_error(client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


def test_me_for_a_clerk(api, clerk):
    response = api(clerk).get("/api/v1/me")
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "clerk-a" and body["roles"] == ["clerk"] and body["outlet_code"] == "PT01"
    assert body["outlet"]["code"] == "PT01" and body["outlet"]["name"] == "长寿路街道社区事务受理服务中心"
    assert body["display_name"] == "受理员甲"  # Chinese stays readable (no \\u escapes needed by clients)
    assert "password_hash" not in body


def test_me_for_a_supervisor(api, supervisor):
    body = api(supervisor).get("/api/v1/me").get_json()
    assert body["roles"] == ["supervisor"] and body["outlet_code"] is None and "outlet" not in body


def test_outlets_lists_the_ten_in_code_order(api, clerk):
    items = api(clerk).get("/api/v1/outlets").get_json()["items"]
    assert [o["code"] for o in items] == [f"PT{n:02d}" for n in range(1, 11)]
    assert items[8] == {"code": "PT09", "name": "长征镇社区事务受理服务中心", "active": True}


def test_token_use_is_recorded(api, clerk):
    from sqlalchemy import select

    from cardops.auth.models import ApiToken
    from cardops.extensions import db

    api(clerk).get("/api/v1/me")
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == clerk.id)).one()
    assert token.last_used_at is not None


def test_unknown_api_path_is_a_json_404(client, api, clerk):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")
    assert_error(api(clerk).get("/api/v1/no/such/thing"), 404, "NOT_FOUND")


def test_wrong_method_is_a_json_405(client, api, clerk):
    assert_error(api(clerk).post("/api/v1/me", json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(client.delete("/api/v1/outlets"), 405, "METHOD_NOT_ALLOWED")


def test_api_posts_need_no_csrf_token(api, clerk):
    """Bearer-token calls are not browser form posts: a 405 here, never a CSRF 400."""
    response = api(clerk).post("/api/v1/outlets", json={})
    assert response.status_code == 405


def test_html_404_stays_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "未找到" in response.get_data(as_text=True)


# --- json_body through a test-only endpoint on a separate app ------------------------------------------------

@pytest.fixture(scope="module")
def echo_client():
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    bp = api_blueprint("echo_test", __name__, "/echo-test")

    @bp.post("/")
    @public
    def echo():
        return jsonify({"received": json_body()})

    app.register_blueprint(bp)
    return app.test_client()


@pytest.mark.parametrize("body", [b"{not json", b'{"a": 1', b"\xff\xfe", b"[1, 2", b"nul"])
def test_malformed_json_is_a_400_validation_error(echo_client, body):
    response = echo_client.post("/api/v1/echo-test/", data=body, content_type="application/json")
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "JSON" in error["message"]


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_a_json_body_that_is_not_an_object_is_a_400(echo_client, body):
    response = echo_client.post("/api/v1/echo-test/", data=body, content_type="application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_a_json_object_is_passed_through(echo_client):
    response = echo_client.post("/api/v1/echo-test/", json={"name": "张三", "n": 1})
    assert response.status_code == 200 and response.get_json() == {"received": {"name": "张三", "n": 1}}


def test_an_empty_body_is_an_empty_object(echo_client):
    response = echo_client.post("/api/v1/echo-test/")
    assert response.get_json() == {"received": {}}


def test_json_sent_as_another_content_type_is_still_read(echo_client):
    response = echo_client.post("/api/v1/echo-test/", data=b'{"a": 1}', content_type="text/plain")
    assert response.get_json() == {"received": {"a": 1}}


# --- OpenAPI ----------------------------------------------------------------------------------------------

def openapi_path(rule: str) -> str:
    """Flask's ``/requests/<number>`` or ``<int:id>`` is OpenAPI's ``/requests/{number}``."""
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>", r"{\1}", rule)


def test_openapi_path_conversion():
    assert openapi_path("/api/v1/requests/<number>/checks") == "/api/v1/requests/{number}/checks"
    assert openapi_path("/api/v1/watchlist/<int:entry_id>") == "/api/v1/watchlist/{entry_id}"


def test_openapi_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert "Error" in doc["components"]["schemas"]


def test_every_api_route_is_documented_with_its_methods(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = openapi_path(rule.rule)
        documented = doc["paths"].get(path)
        if documented is None:
            missing.append(f"{path} (route {rule.rule})")
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in documented:
                missing.append(f"{method} {path}")
    assert not missing, "undocumented in /api/v1/openapi.json: " + ", ".join(missing)


def test_every_documented_reference_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    refs = set(re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', client.get("/api/v1/openapi.json")
                          .get_data(as_text=True)))
    assert refs and refs <= set(schemas), refs - set(schemas)
