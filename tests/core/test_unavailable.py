"""While the database cannot be reached: 503 UNAVAILABLE with Retry-After, a friendly page, one log line, no 500
(SPEC §9). The real thing — PostgreSQL restarted under load — is tests/core/test_database_restart.py."""

from __future__ import annotations

import logging

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from cardops.extensions import db
from tests.guards import assert_error, csrf_from


def dropped(connection_invalidated: bool = True) -> OperationalError:
    return OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly"),
                            connection_invalidated=connection_invalidated)


@pytest.fixture
def outage(monkeypatch):
    """``outage()``: from now on every statement fails as against a database that went away."""
    def execute(*args, **kwargs):
        raise dropped()

    def start():
        for name in ("execute", "scalars", "scalar", "get"):
            monkeypatch.setattr(db.session, name, execute)

    return start


def test_the_api_answers_503_unavailable_with_retry_after(app, api, clerk, outage, caplog):
    client = api(clerk)
    outage()
    with caplog.at_level(logging.WARNING):
        response = client.post("/api/v1/requests", json={"kind": "lost"})
    assert_error(response, 503, "UNAVAILABLE")
    assert response.headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])
    records = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is None  # one line, no traceback
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_signing_in_during_an_outage_is_a_503_page(client, auth, clerk, outage):
    page = client.get("/login")
    outage()
    response = client.post("/login", data={"username": "clerk-a", "password": "x",
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 503 and "暂时无法服务" in response.get_data(as_text=True)


def test_a_signed_in_page_during_an_outage(client, auth, clerk, outage):
    auth.login("clerk-a")
    outage()
    response = client.get("/home")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "暂时无法服务" in html and 'data-unavailable="1"' in html
    assert response.headers["Retry-After"]


def test_health_check_says_degraded(client, outage, caplog):
    outage()
    with caplog.at_level(logging.WARNING):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "degraded", "db": "error"}
    assert all(r.exc_info is None for r in caplog.records)


def test_a_failing_rollback_does_not_turn_into_a_500(api, clerk, outage, monkeypatch):
    def rollback():
        raise dropped()

    client = api(clerk)
    outage()
    monkeypatch.setattr(db.session, "rollback", rollback)
    assert_error(client.get("/api/v1/requests"), 503, "UNAVAILABLE")


def test_a_read_whose_connection_dropped_is_tried_once_more(api, clerk, monkeypatch, caplog):
    from cardops.core.pagination import paginate
    from cardops.reissue import api as reissue_api

    client = api(clerk)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise dropped()
        return paginate(*args, **kwargs)

    monkeypatch.setattr(reissue_api, "paginate", flaky)
    with caplog.at_level(logging.WARNING):
        response = client.get("/api/v1/requests")
    assert response.status_code == 200 and calls["n"] == 2
    assert any("retrying the read once" in r.getMessage() for r in caplog.records)


def test_a_write_is_not_retried(api, clerk, monkeypatch):
    from cardops.reissue import services

    calls = {"n": 0}

    def intake(*args, **kwargs):
        calls["n"] += 1
        raise dropped()

    client = api(clerk)
    monkeypatch.setattr(services, "intake", intake)
    assert_error(client.post("/api/v1/requests", json={}), 503, "UNAVAILABLE")
    assert calls["n"] == 1
