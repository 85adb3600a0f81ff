"""Administration of user accounts: create, edit roles and outlet, reset password, deactivate (SPEC §1)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth.services import find_user
from cardops.extensions import db
from tests.conftest import DEMO_PASSWORD, AuthActions

NEW_PASSWORD = "a-brand-new-passphrase"


def actions(action: str) -> list[AuditEntry]:
    """Audit entries of ``action`` done by the admin (fixtures create their users without an actor)."""
    stmt = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor_name == "admin")
    return list(db.session.scalars(stmt.order_by(AuditEntry.seq)))


def create(auth, **data):
    form = {"username": "new-clerk", "display_name": "新受理员", "roles": ["clerk"], "outlet": "PT03",
            "password": NEW_PASSWORD}
    form.update(data)
    return auth.post("/admin/users/new", form)


def test_admin_creates_a_clerk(client, as_admin):
    response = create(as_admin)
    assert response.status_code == 302
    user = find_user("new-clerk")
    assert user.roles == {"clerk"} and user.outlet.code == "PT03" and user.display_name == "新受理员"
    assert user.password_hash != NEW_PASSWORD and user.check_password(NEW_PASSWORD)
    [entry] = actions("admin.user_created")
    assert entry.actor_name == "admin" and entry.detail["username"] == "new-clerk"
    assert "已创建用户 new-clerk" in client.get(response.headers["Location"]).get_data(as_text=True)
    as_admin.logout()
    assert as_admin.login("new-clerk", NEW_PASSWORD).status_code == 302


def test_clerk_and_trainer_roles_together(as_admin):
    assert create(as_admin, roles=["clerk", "trainer"]).status_code == 302
    assert find_user("new-clerk").roles == {"clerk", "trainer"}


def test_supervisor_is_created_without_outlet_even_if_one_is_chosen(as_admin):
    assert create(as_admin, username="new-sup", roles=["supervisor"], outlet="PT03").status_code == 302
    user = find_user("new-sup")
    assert user.is_supervisor and user.outlet is None


def test_missing_fields_re_render_with_chinese_errors(as_admin):
    response = as_admin.post("/admin/users/new", {"username": "", "display_name": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ["请填写用户名", "请填写姓名", "至少选择一个角色", "请填写初始密码"]:
        assert message in html
    assert 'aria-invalid="true"' in html


def test_short_password_and_bad_username_are_refused(as_admin):
    html = create(as_admin, username="空 格", password="short").get_data(as_text=True)
    assert "密码至少10位" in html and "用户名只能包含" in html
    assert find_user("空 格") is None


def test_duplicate_username_is_refused(as_admin, clerk):
    response = create(as_admin, username="CLERK-A")
    assert response.status_code == 200
    assert "用户名已存在" in response.get_data(as_text=True)
    assert not actions("admin.user_created")


def test_clerk_without_outlet_is_refused(as_admin):
    response = create(as_admin, outlet="")
    assert response.status_code == 200
    assert "必须属于一个网点" in response.get_data(as_text=True)
    assert find_user("new-clerk") is None


def test_supervisor_cannot_also_be_a_clerk(as_admin):
    html = create(as_admin, roles=["supervisor", "clerk"]).get_data(as_text=True)
    assert "督导不属于网点" in html
    assert find_user("new-clerk") is None


@pytest.mark.parametrize("change", [{"outlet": "PT99"}, {"roles": ["clerk", "root"]}])
def test_unknown_outlet_or_role_is_refused(as_admin, change):
    response = create(as_admin, **change)
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert find_user("new-clerk") is None


def test_admin_edits_roles_and_outlet(client, as_admin, clerk):
    response = as_admin.post(f"/admin/users/{clerk.id}", {"display_name": "受理员甲（调岗）",
                                                           "roles": ["clerk", "trainer"], "outlet": "PT05"})
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert clerk.roles == {"clerk", "trainer"} and clerk.outlet.code == "PT05"
    assert clerk.display_name == "受理员甲（调岗）"
    [entry] = actions("admin.user_updated")
    assert entry.detail["before"] == {"roles": ["clerk"], "outlet": "PT01"}
    assert entry.detail["after"] == {"roles": ["clerk", "trainer"], "outlet": "PT05"}


def test_promoting_a_clerk_to_supervisor_drops_the_outlet(as_admin, clerk):
    as_admin.post(f"/admin/users/{clerk.id}", {"display_name": "x", "roles": ["supervisor"], "outlet": "PT01"})
    db.session.refresh(clerk)
    assert clerk.roles == {"supervisor"} and clerk.outlet is None


def test_edit_refuses_a_clerk_without_outlet(as_admin, clerk):
    response = as_admin.post(f"/admin/users/{clerk.id}", {"display_name": "x", "roles": ["clerk"], "outlet": ""})
    assert "必须属于一个网点" in response.get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.outlet.code == "PT01"


def test_edit_form_shows_current_values(client, as_admin, clerk):
    html = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert 'value="受理员甲"' in html
    assert re.search(r'<input checked [^>]*value="clerk"', html)
    assert not re.search(r'<input checked [^>]*value="admin"', html)
    assert '<option selected value="PT01">' in html


def test_unknown_user_is_404(client, as_admin):
    assert client.get("/admin/users/999999").status_code == 404


def test_reset_password(client, as_admin, clerk):
    token = as_admin.csrf(f"/admin/users/{clerk.id}")
    response = client.post(f"/admin/users/{clerk.id}/password", data={
        "reset-csrf_token": token, "reset-password": NEW_PASSWORD, "reset-confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "已重置 clerk-a 的密码" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.check_password(NEW_PASSWORD) and not clerk.check_password(DEMO_PASSWORD)
    assert len(actions("admin.password_reset")) == 1


def test_reset_password_mismatch_changes_nothing(client, as_admin, clerk):
    token = as_admin.csrf(f"/admin/users/{clerk.id}")
    response = client.post(f"/admin/users/{clerk.id}/password", data={
        "reset-csrf_token": token, "reset-password": NEW_PASSWORD, "reset-confirm": "something-else-entirely"})
    assert "两次输入的密码不一致" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.check_password(DEMO_PASSWORD)


def test_reset_password_unlocks_a_locked_account(client, as_admin, clerk, app):
    other = AuthActions(app.test_client())
    for _ in range(5):
        other.login("clerk-a", "wrong-password-here")
    assert find_user("clerk-a").is_locked()
    token = as_admin.csrf(f"/admin/users/{clerk.id}")
    client.post(f"/admin/users/{clerk.id}/password", data={
        "reset-csrf_token": token, "reset-password": NEW_PASSWORD, "reset-confirm": NEW_PASSWORD})
    assert not find_user("clerk-a").is_locked()
    assert other.login("clerk-a", NEW_PASSWORD).status_code == 302


def deactivate(client, auth, user, reason="接受调查"):
    token = auth.csrf(f"/admin/users/{user.id}")
    return client.post(f"/admin/users/{user.id}/deactivate",
                       data={"deactivate-csrf_token": token, "deactivate-reason": reason})


def test_deactivation_needs_a_reason(client, as_admin, clerk):
    response = deactivate(client, as_admin, clerk, reason="  ")
    assert "请填写停用原因" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.active


def test_deactivated_user_cannot_sign_in_and_its_session_and_tokens_stop(app, client, as_admin, clerk, api):
    clerk_browser = AuthActions(app.test_client())
    clerk_browser.login("clerk-a")
    assert clerk_browser._client.get("/home").status_code == 200
    clerk_api = api(clerk)
    assert clerk_api.get("/api/v1/me").status_code == 200

    response = deactivate(client, as_admin, clerk)
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert not clerk.active and clerk.deactivated_reason == "接受调查" and clerk.deactivated_at
    [entry] = actions("admin.user_deactivated")
    assert entry.detail == {"reason": "接受调查", "tokens_revoked": 1}
    page = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert "停用原因" in page and "接受调查" in page

    assert clerk_browser._client.get("/home").status_code == 302  # the open session ends
    assert clerk_api.get("/api/v1/me").status_code == 401
    html = clerk_browser.login("clerk-a").get_data(as_text=True)
    assert "该账户已停用" in html
    assert clerk_browser._client.get("/home").status_code == 302


def test_admin_cannot_deactivate_itself(client, as_admin, admin):
    deactivate(client, as_admin, admin)
    db.session.refresh(admin)
    assert admin.active


def test_reactivated_user_signs_in_again(app, client, as_admin, clerk):
    deactivate(client, as_admin, clerk)
    token = as_admin.csrf(f"/admin/users/{clerk.id}")
    client.post(f"/admin/users/{clerk.id}/reactivate", data={"csrf_token": token})
    db.session.refresh(clerk)
    assert clerk.active and clerk.deactivated_reason is None
    assert AuthActions(app.test_client()).login("clerk-a").status_code == 302


def test_user_list_filters(client, as_admin, clerk, other_clerk, supervisor):
    html = client.get("/admin/users?outlet=PT02").get_data(as_text=True)
    assert "clerk-other" in html and "clerk-a" not in html
    html = client.get("/admin/users?role=supervisor").get_data(as_text=True)
    assert ">supervisor<" in html and "clerk-a" not in html
    html = client.get("/admin/users?q=甲").get_data(as_text=True)
    assert "clerk-a" in html and "clerk-other" not in html


@pytest.mark.parametrize("path", ["/admin/users/new", "/admin/outlets/new", "/admin/tokens"])
def test_admin_forms_require_csrf(client, as_admin, path):
    response = client.post(path, data={"username": "no-csrf", "roles": ["admin"], "password": NEW_PASSWORD,
                                       "display_name": "x", "code": "PT77", "name": "x", "user": "1"})
    assert response.status_code == 400
    assert find_user("no-csrf") is None


def test_admin_action_buttons_require_csrf(client, as_admin, clerk):
    assert client.post(f"/admin/users/{clerk.id}/deactivate", data={"deactivate-reason": "x"}).status_code == 400
    assert client.post(f"/admin/users/{clerk.id}/password",
                       data={"reset-password": NEW_PASSWORD, "reset-confirm": NEW_PASSWORD}).status_code == 400
    db.session.refresh(clerk)
    assert clerk.active and clerk.check_password(DEMO_PASSWORD)
