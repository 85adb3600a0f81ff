"""The ten outlets of SPEC §2. Seeding is idempotent: existing codes are left as they are."""

from __future__ import annotations

from sqlalchemy import select

from cardops.extensions import db
from cardops.outlets.models import Outlet

DISTRICT_OUTLETS = [
    ("PT01", "长寿路街道社区事务受理服务中心"),
    ("PT02", "曹杨新村街道社区事务受理服务中心"),
    ("PT03", "长风新村街道社区事务受理服务中心"),
    ("PT04", "宜川路街道社区事务受理服务中心"),
    ("PT05", "甘泉路街道社区事务受理服务中心"),
    ("PT06", "石泉路街道社区事务受理服务中心"),
    ("PT07", "真如镇街道社区事务受理服务中心"),
    ("PT08", "万里街道社区事务受理服务中心"),
    ("PT09", "长征镇社区事务受理服务中心"),
    ("PT10", "桃浦镇社区事务受理服务中心"),
]


def seed_outlets() -> int:
    """Insert missing outlets; return how many were added."""
    existing = set(db.session.scalars(select(Outlet.code)))
    added = 0
    for code, name in DISTRICT_OUTLETS:
        if code not in existing:
            db.session.add(Outlet(code=code, name=name))
            added += 1
    db.session.flush()
    return added
