"""Administration of outlets (data, not code) and API tokens (shown once, only the hash stored)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth.models import ApiToken
from cardops.extensions import db
from cardops.outlets.services import outlet_by_code
from tests.conftest import ApiClient


def test_outlet_list_shows_the_ten_outlets(client, as_admin):
    html = client.get("/admin/outlets").get_data(as_text=True)
    assert all(f"PT{n:02d}" in html for n in range(1, 11))
    assert "桃浦镇社区事务受理服务中心" in html


def test_admin_adds_an_outlet_and_it_is_usable_at_once(client, as_admin, admin, api):
    response = as_admin.post("/admin/outlets/new",
                             {"code": "PT11", "name": "新增街道社区事务受理服务中心", "active": "y"})
    assert response.status_code == 302
    outlet = outlet_by_code("PT11")
    assert outlet.name == "新增街道社区事务受理服务中心" and outlet.active
    assert "PT11" in client.get("/admin/outlets").get_data(as_text=True)
    assert 'value="PT11"' in client.get("/admin/users/new").get_data(as_text=True)
    codes = [o["code"] for o in api(admin).get("/api/v1/outlets").get_json()["items"]]
    assert "PT11" in codes
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.outlet_created")).one()
    assert entry.object_id == "PT11" and entry.actor_name == "admin"


def test_duplicate_outlet_code_is_refused(as_admin):
    html = as_admin.post("/admin/outlets/new", {"code": "PT01", "name": "重复"}).get_data(as_text=True)
    assert "网点代码已存在" in html
    assert outlet_by_code("PT01").name == "长寿路街道社区事务受理服务中心"


@pytest.mark.parametrize(("data", "message"), [({"code": "pt11", "name": "x"}, "网点代码为2-16位大写字母或数字"),
                                               ({"code": "PT11", "name": ""}, "请填写网点名称")])
def test_invalid_outlet_fields_re_render_in_chinese(as_admin, data, message):
    response = as_admin.post("/admin/outlets/new", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert outlet_by_code("PT11") is None


def test_admin_renames_and_deactivates_an_outlet(client, as_admin):
    response = as_admin.post("/admin/outlets/PT10", {"code": "PT10", "name": "桃浦镇（新址）"})  # active unticked
    assert response.status_code == 302
    outlet = outlet_by_code("PT10")
    assert outlet.name == "桃浦镇（新址）" and not outlet.active
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.outlet_updated")).one()
    assert entry.detail["before"] == {"name": "桃浦镇社区事务受理服务中心", "active": True}


def test_unknown_outlet_is_404(client, as_admin):
    assert client.get("/admin/outlets/PT99").status_code == 404


# --- API tokens ------------------------------------------------------------------------------------------

SECRET_RE = re.compile(r'<code class="secret"[^>]*>(cdo_[A-Za-z0-9_\-]+)</code>')


def issue(client, auth, user, name="对账脚本"):
    response = auth.post("/admin/tokens", {"user": str(user.id), "name": name})
    assert response.status_code == 200
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_issued_token_is_shown_once_and_only_its_hash_is_stored(client, as_admin, supervisor):
    secret = issue(client, as_admin, supervisor)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == supervisor.id)).one()
    assert token.token_hash == ApiToken.hash_token(secret) and token.token_hash != secret
    assert token.prefix == secret[:12] and len(secret) > 30
    stored = {c.name: getattr(token, c.name) for c in ApiToken.__table__.columns}
    assert not any(isinstance(v, str) and secret in v for v in stored.values())
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.token_issued")).all()
    assert audit and all(secret not in str(e.detail) for e in audit)

    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing and "对账脚本" in listing
    assert secret not in client.get(f"/admin/users/{supervisor.id}").get_data(as_text=True)


def test_issued_token_works_and_revoked_token_gets_401(client, app, as_admin, supervisor):
    secret = issue(client, as_admin, supervisor)
    api = ApiClient(app.test_client(), secret)
    assert api.get("/api/v1/me").get_json()["username"] == "supervisor"

    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == supervisor.id)).one()
    response = as_admin.post(f"/admin/tokens/{token.id}/revoke", {}, csrf_page="/admin/tokens")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert "已撤销" in client.get("/admin/tokens").get_data(as_text=True)

    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "UNAUTHENTICATED"


def test_revoking_twice_is_refused_politely(client, as_admin, supervisor):
    issue(client, as_admin, supervisor)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == supervisor.id)).one()
    as_admin.post(f"/admin/tokens/{token.id}/revoke", {}, csrf_page="/admin/tokens")
    response = as_admin.post(f"/admin/tokens/{token.id}/revoke", {}, csrf_page="/admin/tokens")
    assert response.status_code == 302  # flashed "already revoked", not a crash
    assert "该令牌已撤销" in client.get("/admin/tokens").get_data(as_text=True)


def test_revoke_requires_csrf(client, as_admin, supervisor):
    issue(client, as_admin, supervisor)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == supervisor.id)).one()
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None


def test_tokens_are_listed_per_user_and_overall(client, as_admin, supervisor, clerk):
    issue(client, as_admin, supervisor, name="甲")
    issue(client, as_admin, clerk, name="乙")
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "甲" in listing and "乙" in listing
    user_page = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert "乙" in user_page and ">甲<" not in user_page


def test_only_active_users_can_be_chosen_for_a_token(client, as_admin, clerk):
    from cardops.auth.services import deactivate_user

    deactivate_user(None, clerk, "调离")
    db.session.commit()
    html = client.get("/admin/tokens").get_data(as_text=True)
    assert f'value="{clerk.id}"' not in html
    response = as_admin.post("/admin/tokens", {"user": str(clerk.id), "name": "x"})
    assert not SECRET_RE.search(response.get_data(as_text=True))
    assert not db.session.scalars(select(ApiToken).where(ApiToken.user_id == clerk.id)).all()
