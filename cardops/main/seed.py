"""Demo accounts for a fresh installation (``flask --app wsgi seed --demo``). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cardops.auth import services as accounts
from cardops.auth.models import User
from cardops.extensions import db
from cardops.outlets.models import Outlet

DEMO_PASSWORD = "Demo-2026-cardops"
# The demo district's history starts this long ago: the accounts are opened then, the features' demo history
# (requests, training, cases …) follows in time order up to today.
DEMO_HISTORY_DAYS = timedelta(days=400)


def demo_accounts(outlets: list[Outlet]) -> list[dict]:
    accounts_ = [
        {"username": "admin", "display_name": "系统管理员", "roles": ["admin"], "outlet": None},
        {"username": "supervisor", "display_name": "区卡中心 王督导", "roles": ["supervisor"], "outlet": None},
        {"username": "supervisor2", "display_name": "区卡中心 李督导", "roles": ["supervisor"], "outlet": None},
    ]
    for outlet in outlets:
        code = outlet.code.lower()
        accounts_ += [
            {"username": f"{code}-clerk-a", "display_name": f"{outlet.code} 受理员甲", "roles": ["clerk"],
             "outlet": outlet},
            {"username": f"{code}-clerk-b", "display_name": f"{outlet.code} 受理员乙", "roles": ["clerk"],
             "outlet": outlet},
            {"username": f"{code}-trainer", "display_name": f"{outlet.code} 小教员",
             "roles": ["clerk", "trainer"], "outlet": outlet},
        ]
    return accounts_


def seed_demo_users() -> list[str]:
    """Create missing demo users; return the usernames created."""
    outlets = list(db.session.scalars(select(Outlet).order_by(Outlet.code)))
    existing = set(db.session.scalars(select(User.username)))
    created = []
    for spec in demo_accounts(outlets):
        if spec["username"] in existing:
            continue
        accounts.create_user(None, password=DEMO_PASSWORD, **spec)
        created.append(spec["username"])
    return created
