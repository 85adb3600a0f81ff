"""How sign-ins read in the audit log (hidden there by default: they are most of the entries)."""

from __future__ import annotations

from sqlalchemy import select

from cardops.audit.vocabulary import SIGN_IN, clause, describe_actions, name_actors, sentence_of
from cardops.auth.models import ROLE_LABELS, Role, User
from cardops.core.i18n import N_
from cardops.core.messages import verbatim
from cardops.extensions import db

FAILURES = {"unknown_user": N_("用户名不存在"), "deactivated": N_("账户已停用"), "bad_password": N_("密码错误")}


def _failure(detail: dict):
    reason = detail.get("reason")
    return sentence_of([
        FAILURES.get(reason, verbatim(reason)) if reason else None,
        clause(N_("连续失败 %(n)s 次"), n=detail["failures"]) if detail.get("failures") else None,
        N_("在复核时确认密码") if detail.get("during") == "reauth" else None,
        clause(N_("锁定至 %(until)s"), until=verbatim(detail["locked_until"].replace("T", " ")))
        if detail.get("locked_until") else None,
    ])


def _role_granted(detail: dict):
    role = detail.get("role")
    return sentence_of([
        clause(N_("%(username)s 获得角色 %(role)s"), username=verbatim(detail["username"]),
               role=ROLE_LABELS.get(Role(role), verbatim(role)) if role in set(Role) else verbatim(role)),
    ])


def display_names(ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def register(app) -> None:
    name_actors(app, display_names)
    describe_actions(app, SIGN_IN, N_("登录与退出"), {
        "auth.login": (N_("登录"), None),
        "auth.logout": (N_("退出"), None),
        "auth.login_failed": (N_("登录失败"), _failure),
        "auth.login_refused_locked": (N_("账户锁定中，拒绝登录"), None),
        "auth.reauth_refused_locked": (N_("账户锁定中，拒绝密码确认"), None),
        "auth.account_locked": (N_("账户被锁定"), _failure),
    })
    describe_actions(app, "admin", N_("用户与网点管理"), {
        "auth.role_granted": (N_("授予角色"), _role_granted),
    })
