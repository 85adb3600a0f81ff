"""CLI (SPEC §9): seed, seed --demo, users create, users token; GET /healthz."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from cardops.auth.models import User
from cardops.auth.services import find_user
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.seed import DISTRICT_OUTLETS

SPEC_OUTLETS = {
    "PT01": "长寿路街道社区事务受理服务中心", "PT02": "曹杨新村街道社区事务受理服务中心",
    "PT03": "长风新村街道社区事务受理服务中心", "PT04": "宜川路街道社区事务受理服务中心",
    "PT05": "甘泉路街道社区事务受理服务中心", "PT06": "石泉路街道社区事务受理服务中心",
    "PT07": "真如镇街道社区事务受理服务中心", "PT08": "万里街道社区事务受理服务中心",
    "PT09": "长征镇社区事务受理服务中心", "PT10": "桃浦镇社区事务受理服务中心",
}


def outlet_rows() -> dict[str, str]:
    return {o.code: o.name for o in db.session.scalars(select(Outlet))}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_seed_creates_the_ten_spec_outlets_idempotently(runner):
    assert dict(DISTRICT_OUTLETS) == SPEC_OUTLETS
    db.session.execute(delete(Outlet))
    db.session.flush()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "outlets: 10 added" in result.output
    assert outlet_rows() == SPEC_OUTLETS

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0 and "outlets: 0 added" in again.output
    assert db.session.scalar(select(func.count()).select_from(Outlet)) == 10


def test_seed_keeps_an_outlet_an_admin_renamed(runner):
    db.session.scalars(select(Outlet).where(Outlet.code == "PT04")).one().name = "宜川路（改名）"
    db.session.flush()
    runner.invoke(args=["seed"])
    assert outlet_rows()["PT04"] == "宜川路（改名）"


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo users: 33 created" in first.output and "Demo-2026-cardops" in first.output
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {"admin", "supervisor", "supervisor2", "pt01-clerk-a", "pt10-trainer"} <= set(users)
    assert users["pt03-trainer"].roles == {"clerk", "trainer"} and users["pt03-trainer"].outlet.code == "PT03"
    assert users["supervisor2"].outlet is None and users["admin"].roles == {"admin"}
    assert users["pt07-clerk-b"].check_password("Demo-2026-cardops")

    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "demo users: 0 created" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(users)


def test_users_create_with_roles_and_outlet(runner):
    result = runner.invoke(args=["users", "create", "zhang", "--role", "clerk", "--role", "trainer",
                                 "--outlet", "pt05", "--password", "a-long-password-1"])
    assert result.exit_code == 0, result.output
    assert "created user zhang roles=clerk,trainer outlet=PT05" in result.output
    user = find_user("zhang")
    assert user.roles == {"clerk", "trainer"} and user.outlet.code == "PT05"
    assert user.check_password("a-long-password-1")


def test_users_create_generates_and_prints_a_password(runner, client, auth):
    result = runner.invoke(args=["users", "create", "li", "--role", "supervisor"])
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    assert len(password) >= 10
    assert auth.login("li", password).status_code == 302


def test_users_create_errors(runner, clerk):
    unknown_outlet = runner.invoke(args=["users", "create", "x1", "--role", "clerk", "--outlet", "PT99"])
    assert unknown_outlet.exit_code != 0 and "unknown outlet PT99" in unknown_outlet.output
    no_outlet = runner.invoke(args=["users", "create", "x2", "--role", "clerk", "--password", "a-long-password-1"])
    assert no_outlet.exit_code != 0 and "必须属于一个网点" in no_outlet.output
    duplicate = runner.invoke(args=["users", "create", "clerk-a", "--role", "supervisor"])
    assert duplicate.exit_code != 0 and "已存在" in duplicate.output
    bad_role = runner.invoke(args=["users", "create", "x3", "--role", "root"])
    assert bad_role.exit_code != 0 and "root" in bad_role.output
    short = runner.invoke(args=["users", "create", "x4", "--role", "admin", "--password", "short"])
    assert short.exit_code != 0 and "密码至少10位" in short.output
    assert not any(find_user(name) for name in ["x1", "x2", "x3", "x4"])


def test_users_token_prints_a_working_token_once(runner, client, supervisor):
    result = runner.invoke(args=["users", "token", "supervisor", "--name", "报表"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("cdo_") and "\n" not in secret
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.get_json()["username"] == "supervisor"
    another = runner.invoke(args=["users", "token", "supervisor"]).output.strip()
    assert another != secret  # a new token each time; the first is never shown again


def test_users_token_for_unknown_or_deactivated_user(runner, clerk):
    from cardops.auth.services import deactivate_user

    assert "unknown user" in runner.invoke(args=["users", "token", "ghost"]).output
    deactivate_user(None, clerk, "调离")
    db.session.flush()
    result = runner.invoke(args=["users", "token", "clerk-a"])
    assert result.exit_code != 0 and "停用" in result.output
