"""Sessions end on the server (sign-out, deactivation, a password change: a copied cookie stops working at once),
sign-in is throttled per client address across workers, and an unknown username is refused exactly like a known
one (SPEC §1, issue #13)."""

from __future__ import annotations

import time

import pytest

from cardops.auth import models, services
from cardops.auth.services import find_user
from cardops.extensions import db
from tests.conftest import DEMO_PASSWORD, AuthActions
from tests.guards import csrf_from

WRONG = "not-the-password"
COOKIE = "cardops_session"


def stolen_copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value, domain="localhost")
    return thief


def signed_in(client) -> bool:
    return client.get("/home").status_code == 200


def test_a_copied_cookie_works_while_the_session_lives(app, client, auth, clerk):
    auth.login("clerk-a")
    assert signed_in(stolen_copy(app, client))


def test_sign_out_ends_every_copy_of_the_session(app, client, auth, clerk):
    auth.login("clerk-a")
    thief = stolen_copy(app, client)
    auth.logout()
    assert not signed_in(thief)
    assert not signed_in(client)


def test_sign_out_elsewhere_ends_this_session_too(app, client, auth, clerk):
    auth.login("clerk-a")
    other = app.test_client()
    AuthActions(other).login("clerk-a")
    AuthActions(other).logout()
    assert not signed_in(client)


def test_deactivation_ends_the_sessions(app, client, auth, clerk, admin):
    auth.login("clerk-a")
    services.deactivate_user(admin, find_user("clerk-a"), "调查中")
    db.session.commit()
    assert not signed_in(client)


def test_a_password_change_ends_the_sessions(app, client, auth, clerk, admin):
    auth.login("clerk-a")
    services.reset_password(admin, find_user("clerk-a"), "a-new-password-123")
    db.session.commit()
    assert not signed_in(client)
    assert auth.login("clerk-a", "a-new-password-123").status_code == 302
    assert signed_in(client)


def test_a_session_from_before_the_upgrade_is_not_accepted(client, auth, clerk):
    auth.login("clerk-a")
    with client.session_transaction() as session:
        session["_user_id"] = str(clerk.id)  # the old identity without a generation
    assert not signed_in(client)


def test_api_tokens_are_not_sessions(api, client, auth, clerk):
    token_client = api(clerk)
    auth.login("clerk-a")
    auth.logout()
    assert token_client.get("/api/v1/me").status_code == 200


# --- throttling per address; unknown names answered like known ones ---------------------------------------------

def attempt(client, username, password=WRONG, ip="198.51.100.7"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": ip})
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))},
                       environ_base={"REMOTE_ADDR": ip})


def test_sign_in_is_throttled_per_address_across_usernames(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "6 per 15 minutes")
    users = [make_user("clerk", username=f"spray-{n}").username for n in range(3)]
    for n in range(6):  # two wrong guesses for each of three accounts, and none is locked
        assert attempt(client, users[n % 3]).status_code == 200
    response = attempt(client, users[0], DEMO_PASSWORD)  # even the right password waits now
    assert response.status_code == 429
    assert "此地址登录失败次数过多" in response.get_data(as_text=True)
    assert not signed_in(client)
    # another address is not affected
    assert attempt(client, users[1], DEMO_PASSWORD, ip="198.51.100.8").status_code == 302


def test_throttled_attempts_are_audited(app, client, clerk, monkeypatch):
    from sqlalchemy import select

    from cardops.audit.models import AuditEntry

    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "1 per 15 minutes")
    attempt(client, "clerk-a")
    assert attempt(client, "clerk-a").status_code == 429
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_throttled")).one()
    assert entry.ip == "198.51.100.7"


def test_the_throttle_is_counted_in_the_shared_store(app, client, clerk, monkeypatch):
    """What several workers share: the limiter's storage (Redis in production), not the process's memory."""
    from cardops.auth import throttle
    from cardops.extensions import limiter

    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "3 per 15 minutes")
    for _ in range(3):
        attempt(client, "clerk-a", ip="203.0.113.9")
    with app.test_request_context():
        stats = limiter.limiter.get_window_stats(throttle._address_limit(), throttle._scope(throttle.ADDRESS),
                                                 "203.0.113.9")
    assert stats.remaining == 0


@pytest.mark.parametrize("username", ["clerk-a", "nobody-here"])
def test_known_and_unknown_names_get_the_same_answers(client, clerk, username):
    answers = [attempt(client, username, ip="192.0.2.50") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    texts = [a.get_data(as_text=True) for a in answers]
    assert all("用户名或密码错误" in t for t in texts[:4])
    assert all("账户已锁定" in t for t in texts[4:])  # the fifth failure locks, for a name that is no account too


def test_an_unknown_name_costs_a_password_check(client, monkeypatch):
    checked = []
    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))
    attempt(client, "nobody-here", "some-guess")
    assert checked == ["some-guess"]


def test_refusal_timing_does_not_tell_whether_a_name_exists(client, clerk, monkeypatch):
    """With the production hash (scrypt, ≈ 0.1 s) both refusals cost one hash. Without the dummy check an unknown
    name would be answered in a few milliseconds; the bound leaves room for a busy machine."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(models, "generate_password_hash", generate_password_hash)
    user = find_user("clerk-a")
    user.set_password(DEMO_PASSWORD)
    db.session.commit()

    def timed(username: str) -> float:
        start = time.perf_counter()
        attempt(client, username, ip="192.0.2.77")
        return time.perf_counter() - start

    timed("nobody-warm-up")  # the dummy hash is made once per process
    known = min(timed("clerk-a") for _ in range(3))
    unknown = min(timed(f"nobody-{n}") for n in range(3))
    assert abs(known - unknown) / max(known, unknown) < 0.5, (known, unknown)


def test_an_id_number_typed_as_username_is_masked_in_the_audit_log(client):
    from sqlalchemy import select

    from cardops.audit.models import AuditEntry
    from tests.reissue.helpers import make_id

    id_number = make_id()
    attempt(client, id_number.lower())
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).one()
    assert id_number not in (entry.actor_name or "") and entry.actor_name.endswith(id_number[-4:])
