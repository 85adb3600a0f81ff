"""Sign-in, lockout after repeated failures, idle timeout, sign-out (SPEC §1, §9)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth.services import find_user
from cardops.core.timeutil import utcnow
from tests.guards import csrf_from

WRONG = "not-the-password"


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    from cardops.extensions import db

    stmt = select(AuditEntry).order_by(AuditEntry.seq)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def test_login_page_is_chinese_with_the_spec_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert "登录" in html


def test_login_success_redirects_home_and_is_audited(client, auth, clerk):
    response = auth.login("clerk-a")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200
    entries = audit_entries("auth.login")
    assert [e.actor_name for e in entries] == ["clerk-a"]
    assert find_user("clerk-a").last_login_at is not None


def test_login_is_case_insensitive_on_username(client, auth, clerk):
    assert auth.login("CLERK-A").status_code == 302


def test_login_honours_a_local_next_but_not_an_external_one(client, auth, clerk):
    page = client.get("/login?next=/audit/")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "clerk-a", "password": "correct-horse-battery", "csrf_token": token})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_wrong_password_is_refused_with_a_chinese_message(client, auth, clerk):
    response = auth.login("clerk-a", WRONG)
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302  # still anonymous
    failed = audit_entries("auth.login_failed")
    assert len(failed) == 1 and failed[0].detail["failures"] == 1


def test_unknown_user_is_refused_the_same_way_and_audited(client, auth):
    response = auth.login("nobody-here", WRONG)
    assert "用户名或密码错误" in response.get_data(as_text=True)
    [entry] = audit_entries("auth.login_failed")
    assert entry.actor_name == "nobody-here" and entry.detail["reason"] == "unknown_user"


def test_empty_form_shows_field_errors(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    html = client.post("/login", data={"csrf_token": token}).get_data(as_text=True)
    assert "请填写用户名" in html and "请填写密码" in html


def test_five_failures_lock_the_account_for_15_minutes_and_audit_the_address(app, clerk):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    from tests.conftest import AuthActions

    auth = AuthActions(client)
    for _ in range(4):
        assert "用户名或密码错误" in auth.login("clerk-a", WRONG).get_data(as_text=True)
    assert find_user("clerk-a").locked_until is None
    html = auth.login("clerk-a", WRONG).get_data(as_text=True)
    assert "锁定" in html

    user = find_user("clerk-a")
    remaining = user.locked_until - utcnow()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    failures = audit_entries("auth.login_failed")
    assert [e.detail["failures"] for e in failures] == [1, 2, 3, 4]
    [locked] = audit_entries("auth.account_locked")
    assert locked.ip == "10.20.30.40" and all(e.ip == "10.20.30.40" for e in failures)

    # The right password does not help while locked, and the refusal is audited too.
    html = auth.login("clerk-a").get_data(as_text=True)
    assert "锁定" in html
    assert client.get("/home").status_code == 302
    assert len(audit_entries("auth.login_refused_locked")) == 1


def test_lock_ends_after_its_time(client, auth, clerk):
    from cardops.extensions import db

    for _ in range(5):
        auth.login("clerk-a", WRONG)
    user = find_user("clerk-a")
    assert user.is_locked()
    user.locked_until = utcnow() - timedelta(seconds=1)  # as if 15 minutes had passed
    db.session.commit()
    assert auth.login("clerk-a").status_code == 302
    assert client.get("/home").status_code == 200


def test_a_success_resets_the_failure_count(client, auth, clerk):
    for _ in range(4):
        auth.login("clerk-a", WRONG)
    assert auth.login("clerk-a").status_code == 302
    auth.logout()
    for _ in range(4):
        auth.login("clerk-a", WRONG)
    assert not find_user("clerk-a").is_locked()


def test_logout_ends_the_session_and_is_audited(client, auth, clerk):
    auth.login("clerk-a")
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/home").status_code == 302
    assert [e.actor_name for e in audit_entries("auth.logout")] == ["clerk-a"]


def test_idle_session_ends_after_15_minutes(client, auth, clerk):
    auth.login("clerk-a")
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 15 * 60 - 5
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "长时间未操作" in client.get("/login").get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_activity_within_15_minutes_keeps_the_session(client, auth, clerk):
    auth.login("clerk-a")
    client.get("/home")
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 14 * 60
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] < 60  # the clock restarted


def test_login_requires_csrf_token(client, clerk):
    response = client.post("/login", data={"username": "clerk-a", "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_logout_requires_csrf_token(client, auth, clerk):
    auth.login("clerk-a")
    assert client.post("/logout").status_code == 400
    assert client.get("/home").status_code == 200  # still signed in
    assert client.get("/logout").status_code == 405


def test_session_cookie_is_httponly_and_samesite(client, auth, clerk):
    response = auth.login("clerk-a")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("cardops_session=")]
    assert cookies, response.headers
    attributes = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_pages_renew_the_session_cookie_and_static_files_leave_it_alone(client, auth, clerk):
    """A stylesheet answered late must not overwrite the session a page answered just before it set."""
    auth.login("clerk-a")
    page = client.get("/home")
    assert any(c.startswith("cardops_session=") for c in page.headers.getlist("Set-Cookie"))  # idle clock moved
    static = client.get("/static/css/cardops.css")
    assert static.status_code == 200
    assert not [c for c in static.headers.getlist("Set-Cookie") if c.startswith("cardops_session=")]


def test_session_is_renewed_at_login(client, auth, clerk):
    """No session fixation: whatever was in the anonymous session is gone after sign-in."""
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    auth.login("clerk-a")
    with client.session_transaction() as session:
        assert "planted" not in session
