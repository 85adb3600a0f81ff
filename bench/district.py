"""The organisation the history happens in: outlets, their clerks (some of them trainers), supervisors, an
admin — written with the application's tables and the application's password hashing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from cardops.outlets.seed import DISTRICT_OUTLETS

BENCH_PASSWORD = "Bench-2026-cardops"  # every generated account; printed by the generator
CLERKS_PER_OUTLET = 15
TRAINERS_PER_OUTLET = 2
CLERK_NAMES = "芳敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玲燕彬鹏辉琳倩"


@dataclass
class Staff:
    id: int
    username: str
    display_name: str
    outlet_id: int | None
    ip: str
    roles: tuple[str, ...]


@dataclass
class OutletInfo:
    id: int
    code: str
    name: str
    weight: float
    clerks: list[Staff] = field(default_factory=list)


@dataclass
class District:
    outlets: list[OutletInfo]
    supervisors: list[Staff]
    admin: Staff

    @property
    def staff(self) -> list[Staff]:
        return [self.admin, *self.supervisors, *(c for o in self.outlets for c in o.clerks)]


def outlet_rows(count: int) -> list[tuple[str, str]]:
    """The ten seeded outlets, then CITY001… for a city-sized run (``--outlets 220``)."""
    rows = list(DISTRICT_OUTLETS[:count])
    for n in range(1, count - len(rows) + 1):
        rows.append((f"CITY{n:03d}", f"城区第{n:03d}社区事务受理服务中心"))
    return rows


def build_district(outlet_count: int, rng: random.Random) -> District:
    supervisors_count = 8 if outlet_count <= 20 else 20
    next_id = 1
    admin = Staff(next_id, "bench-admin", "系统管理员", None, "10.31.0.2", ("admin",))
    supervisors = []
    for n in range(1, supervisors_count + 1):
        next_id += 1
        supervisors.append(Staff(next_id, f"supervisor-{n:02d}", f"区卡中心督导{n:02d}", None, f"10.31.0.{10 + n}",
                                 ("supervisor",)))
    outlets = []
    for index, (code, name) in enumerate(outlet_rows(outlet_count), start=1):
        outlet = OutletInfo(index, code, name, rng.uniform(0.6, 1.4))
        for n in range(1, CLERKS_PER_OUTLET + 1):
            next_id += 1
            roles = ("clerk", "trainer") if n <= TRAINERS_PER_OUTLET else ("clerk",)
            display = f"{code} 受理员{CLERK_NAMES[(index + n) % len(CLERK_NAMES)]}{n:02d}"
            ip = f"10.{31 + index // 250}.{index % 250}.{100 + n}"
            outlet.clerks.append(Staff(next_id, f"{code.lower()}-clerk-{n:02d}", display, index, ip, roles))
        outlets.append(outlet)
    return District(outlets, supervisors, admin)


def write_district(conn: sa.Connection, metadata: sa.MetaData, district: District, created_at: datetime) -> None:
    """Outlets, users and roles; one scrypt hash for the shared benchmark password (hashing is slow by design)."""
    password_hash = generate_password_hash(BENCH_PASSWORD)
    conn.execute(metadata.tables["outlets"].insert(), [
        {"id": o.id, "code": o.code, "name": o.name, "active": True, "created_at": created_at}
        for o in district.outlets])
    conn.execute(metadata.tables["users"].insert(), [
        {"id": s.id, "username": s.username, "display_name": s.display_name, "password_hash": password_hash,
         "outlet_id": s.outlet_id, "active": True, "failed_logins": 0, "created_at": created_at}
        for s in district.staff])
    conn.execute(metadata.tables["user_roles"].insert(), [
        {"user_id": s.id, "role": role} for s in district.staff for role in s.roles])


def user_created_entries(district: District, at: datetime) -> list[tuple]:
    """The audit entries ``create_user`` writes (actor none: created by the installer, as ``seed`` does)."""
    return [(at, None, None, "admin.user_created", "user", str(s.id), s.outlet_id, None,
             {"username": s.username, "roles": sorted(s.roles)}) for s in district.staff]
