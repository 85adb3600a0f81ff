"""Who the history happens to: outlets and their staff, and the people who come to the counters.

Staff are written with the application's tables and password hashing. People are valid resident IDs, Chinese
names and mobile phones, each encrypted once with ``cardops.core.pii`` under the configured ``CARDOPS_DATA_KEY``
(the same person always has the same ciphertext and keyed hash, as in the application); encryption is the slow
part, so it runs in a process pool.
"""

from __future__ import annotations

import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from werkzeug.security import generate_password_hash

from cardops.core.pii import PersonalDataCipher, id_check_char
from cardops.outlets.seed import DISTRICT_OUTLETS

BENCH_PASSWORD = "Bench-2026-cardops"  # every generated account
CLERKS_PER_OUTLET, TRAINERS_PER_OUTLET = 15, 2
# Putuo (310107) first, other Shanghai districts (310108: the abolished Zhabei code) and a few provinces.
REGIONS = (("310107", 55), ("310108", 8), ("310106", 6), ("310105", 5), ("310104", 4), ("310110", 4),
           ("310113", 3), ("320582", 3), ("340104", 3), ("330106", 2), ("410105", 2), ("510107", 2),
           ("230102", 1), ("420106", 1), ("360102", 1))
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强海燕雪梅"
         "晓东晓明丽华文杰宇浩子涵欣怡梓萱佳怡一诺雨桐浩然俊杰梦琪思远嘉怡佳琪子轩天宇瑞阳立新卫东秋菊春兰")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "185",
                  "186", "187", "188", "189", "198", "199")
OLDEST_BIRTH, YOUNGEST_BIRTH = date(1932, 1, 1), date(2010, 12, 31)


@dataclass(eq=False)
class Staff:
    """A generated account, shaped like ``User`` as far as ``cardops.reissue.permissions`` looks at it."""

    id: int
    username: str
    display_name: str
    outlet_id: int | None
    ip: str
    roles: frozenset[str]

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_supervisor(self) -> bool:
        return "supervisor" in self.roles


@dataclass(eq=False)
class OutletInfo:
    id: int
    code: str
    name: str
    weight: float  # share of the district's requests
    clerks: list[Staff] = field(default_factory=list)


@dataclass
class District:
    outlets: list[OutletInfo]
    supervisors: list[Staff]
    admin: Staff

    @property
    def staff(self) -> list[Staff]:
        return [self.admin, *self.supervisors, *(c for o in self.outlets for c in o.clerks)]


def build_district(outlet_count: int, rng: random.Random) -> District:
    """The ten seeded outlets, then CITY001… (``--outlets 220``: city mode); 15 clerks each, two of them trainers."""
    rows = list(DISTRICT_OUTLETS[:outlet_count])
    rows += [(f"CITY{n:03d}", f"城区第{n:03d}社区事务受理服务中心") for n in range(1, outlet_count - len(rows) + 1)]
    admin = Staff(1, "bench-admin", "系统管理员", None, "10.31.0.2", frozenset({"admin"}))
    supervisors = [Staff(1 + n, f"supervisor-{n:02d}", f"区卡中心督导{n:02d}", None, f"10.31.0.{10 + n}",
                         frozenset({"supervisor"})) for n in range(1, (8 if outlet_count <= 20 else 20) + 1)]
    next_id = 1 + len(supervisors)
    outlets = []
    for index, (code, name) in enumerate(rows, start=1):
        outlet = OutletInfo(index, code, name, rng.uniform(0.6, 1.4))
        for n in range(1, CLERKS_PER_OUTLET + 1):
            next_id += 1
            roles = frozenset({"clerk", "trainer"} if n <= TRAINERS_PER_OUTLET else {"clerk"})
            display = f"{code} 受理员{GIVEN[(index + n) % len(GIVEN)]}{n:02d}"
            outlet.clerks.append(Staff(next_id, f"{code.lower()}-clerk-{n:02d}", display, index,
                                       f"10.{31 + index // 250}.{index % 250}.{100 + n}", roles))
        outlets.append(outlet)
    return District(outlets, supervisors, admin)


def write_district(conn, metadata, district: District, created_at: datetime) -> None:
    """Outlets, users and roles; one scrypt hash for the shared password (hashing is slow by design)."""
    password_hash = generate_password_hash(BENCH_PASSWORD)
    conn.execute(metadata.tables["outlets"].insert(), [
        {"id": o.id, "code": o.code, "name": o.name, "active": True, "created_at": created_at}
        for o in district.outlets])
    conn.execute(metadata.tables["users"].insert(), [
        {"id": s.id, "username": s.username, "display_name": s.display_name, "password_hash": password_hash,
         "outlet_id": s.outlet_id, "active": True, "failed_logins": 0, "created_at": created_at}
        for s in district.staff])
    conn.execute(metadata.tables["user_roles"].insert(), [
        {"user_id": s.id, "role": role} for s in district.staff for role in sorted(s.roles)])


@dataclass
class People:
    """Parallel lists indexed by person number; ``rings`` are groups who all give the same phone number."""

    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    id_enc: list[str] = field(default_factory=list)
    id_hash: list[str] = field(default_factory=list)
    phone_enc: list[str] = field(default_factory=list)
    phone_hash: list[str] = field(default_factory=list)
    rings: list[list[int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.names)


def make_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.55:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def build_people(count: int, rng: random.Random, *, ring_share: float = 0.002) -> People:
    """``count`` distinct people with distinct phones, except rings of 3-6 sharing one (``ring_share`` of all)."""
    people, seen_ids, seen_phones = People(), set(), set()
    birth_days = (YOUNGEST_BIRTH - OLDEST_BIRTH).days
    while len(people.id_numbers) < count:
        region = rng.choices([r for r, _ in REGIONS], weights=[w for _, w in REGIONS])[0]
        first17 = f"{region}{OLDEST_BIRTH + timedelta(days=rng.randrange(birth_days)):%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + id_check_char(first17)
        phone = PHONE_PREFIXES[rng.randrange(len(PHONE_PREFIXES))] + f"{rng.randrange(10 ** 8):08d}"
        if id_number in seen_ids or phone in seen_phones:
            continue
        seen_ids.add(id_number)
        seen_phones.add(phone)
        people.id_numbers.append(id_number)
        people.phones.append(phone)
        people.names.append(make_name(rng))
    pool = rng.sample(range(count), min(count, max(3, int(count * ring_share))))
    while len(pool) >= 3:
        size = min(len(pool), rng.randint(3, 6))
        ring, pool = pool[:size], pool[size:]
        for pid in ring[1:]:
            people.phones[pid] = people.phones[ring[0]]
        people.rings.append(ring)
    return people


_cipher: PersonalDataCipher | None = None


def _init_worker(data_key: str) -> None:
    global _cipher
    _cipher = PersonalDataCipher(data_key)


def _encrypt(chunk: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(_cipher.encrypt(i), _cipher.blind_index(i), _cipher.encrypt(p), _cipher.blind_index(p)) for i, p in chunk]


def encrypt_people(people: People, data_key: str, *, chunk: int = 4000) -> None:
    """Fill the ciphertext and keyed-hash lists (ring members get equal phone hashes, as the application would)."""
    pairs = list(zip(people.id_numbers, people.phones, strict=True))
    chunks = [pairs[i:i + chunk] for i in range(0, len(pairs), chunk)]
    processes = min(multiprocessing.cpu_count(), 4)
    if processes > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(processes, multiprocessing.get_context("fork"), _init_worker, (data_key,)) as pool:
            results = list(pool.map(_encrypt, chunks))  # a worker that dies fails the run instead of hanging it
    else:
        _init_worker(data_key)
        results = [_encrypt(c) for c in chunks]
    for part in results:
        for id_enc, id_hash, phone_enc, phone_hash in part:
            people.id_enc.append(id_enc)
            people.id_hash.append(id_hash)
            people.phone_enc.append(phone_enc)
            people.phone_hash.append(phone_hash)


def user_created_entries(district: District, at: datetime) -> list[tuple]:
    """The audit entries ``auth.services.create_user`` writes (no actor: created by the installer, as ``seed``)."""
    return [(at, None, None, "admin.user_created", "user", str(s.id), s.outlet_id, None,
             {"username": s.username, "roles": sorted(s.roles)}) for s in district.staff]


TRAINING_TOPICS = {
    "warning_education": ("冒用已故人员身份补卡典型案例剖析", "代办人批量代办的风险识别", "人证比对不一致时的处置",
                          "一号多人登记的识别与核实"),
    "business": ("挂失补卡业务规范", "换卡业务与旧卡回收", "代办授权材料审核要点", "批量到卡登记操作"),
}


def write_training(conn, metadata, district: District, first_day: datetime, now: datetime,
                   rng: random.Random) -> dict[str, int]:
    """The trainer roster (every trainer account; a few certifications about to lapse) and, per outlet, a warning-
    education session every month and business training every other month, each attended by the outlet's clerks —
    the volume the dashboard's training figures and two reminder rules read. Written as rows (no audit entries: the
    chain's history is the requests')."""
    today = now.date()
    roster, sessions, attendances = [], [], []
    for outlet in district.outlets:
        trainers = [c for c in outlet.clerks if "trainer" in c.roles]
        for trainer in trainers:
            until = today + timedelta(days=rng.choice((12, 25, 200, 400, 700)))
            roster.append({"user_id": trainer.id, "appointed_on": first_day.date(), "certified_until": until,
                           "specialties": [], "status": "active", "created_at": first_day, "updated_at": first_day})
        month = date(first_day.year, first_day.month, 1)
        while month <= today:
            for kind in ("warning_education", "business") if month.month % 2 else ("warning_education",):
                held_on = min(month + timedelta(days=rng.randrange(5, 25)), today)
                if held_on < first_day.date() or (kind == "warning_education" and month == today.replace(day=1)
                                                  and outlet.id % 7 == 0):
                    continue  # an outlet now and then without this month's warning education
                leader = rng.choice(trainers)
                at = datetime.combine(held_on, datetime.min.time()) + timedelta(hours=8)
                sessions.append({"id": len(sessions) + 1, "held_on": held_on, "outlet_id": outlet.id,
                                 "trainer_id": leader.id, "topic": rng.choice(TRAINING_TOPICS[kind]), "kind": kind,
                                 "duration_minutes": rng.choice((60, 90, 120)), "created_by_id": leader.id,
                                 "created_at": at, "updated_at": at, "version": 1})
                for clerk in outlet.clerks:
                    attended = rng.random() < 0.9
                    attendances.append({"session_id": len(sessions), "user_id": clerk.id, "attended": attended,
                                        "score": rng.randrange(70, 101) if attended and kind != "business" else None})
            month = (month + timedelta(days=32)).replace(day=1)
    tables = metadata.tables
    conn.execute(tables["trainers"].insert(), roster)
    conn.execute(tables["training_sessions"].insert(), sessions)
    conn.execute(tables["training_attendances"].insert(), attendances)
    return {"trainers": len(roster), "sessions": len(sessions), "attendances": len(attendances)}
