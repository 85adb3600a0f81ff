"""The people of the benchmark district: valid resident IDs, Chinese names, mobile phones.

Every person is encrypted once (Fernet ciphertext and HMAC blind index, exactly as ``cardops.core.pii`` does
with the configured ``CARDOPS_DATA_KEY``) and the ciphertext is reused on each of their requests — which is
what the application stores too: the same person always has the same keyed hash. Encryption is the slow part,
so it runs in a process pool across the machine's cores.
"""

from __future__ import annotations

import multiprocessing
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from cardops.core.pii import PersonalDataCipher, id_check_char, mask_id_number, mask_phone

# Putuo (310107) first; other Shanghai districts (310108 is the abolished Zhabei code, still on valid cards)
# and a few provinces for people who moved in.
REGIONS = (("310107", 55), ("310108", 8), ("310106", 6), ("310105", 5), ("310104", 4), ("310110", 4),
           ("310113", 3), ("320582", 3), ("340104", 3), ("330106", 2), ("410105", 2), ("510107", 2),
           ("230102", 1), ("420106", 1), ("360102", 1))
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强海燕雪梅"
         "晓东晓明丽华文杰宇浩子涵欣怡梓萱佳怡一诺雨桐浩然俊杰梦琪思远嘉怡佳琪子轩天宇瑞阳立新卫东秋菊春兰")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "170", "176", "177", "180", "181", "182", "183",
                  "185", "186", "187", "188", "189", "198", "199")
OLDEST_BIRTH = date(1932, 1, 1)
YOUNGEST_BIRTH = date(2010, 12, 31)


@dataclass
class People:
    """Parallel lists indexed by person number (``pid``); only derived, never-decrypted values are kept."""

    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    id_enc: list[str] = field(default_factory=list)
    id_hash: list[str] = field(default_factory=list)
    phone_enc: list[str] = field(default_factory=list)
    phone_hash: list[str] = field(default_factory=list)
    rings: list[list[int]] = field(default_factory=list)  # people sharing one phone (SHARED_PHONE)

    def __len__(self) -> int:
        return len(self.names)

    def id_masked(self, pid: int) -> str:
        return mask_id_number(self.id_numbers[pid])

    def phone_masked(self, pid: int) -> str:
        return mask_phone(self.phones[pid])


def make_id_number(rng: random.Random) -> str:
    region = rng.choices([r for r, _ in REGIONS], weights=[w for _, w in REGIONS])[0]
    birth = OLDEST_BIRTH + timedelta(days=rng.randrange((YOUNGEST_BIRTH - OLDEST_BIRTH).days))
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def make_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.55:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def make_phone(rng: random.Random) -> str:
    return PHONE_PREFIXES[rng.randrange(len(PHONE_PREFIXES))] + f"{rng.randrange(10 ** 8):08d}"


def build_people(count: int, rng: random.Random, *, ring_share: float = 0.002) -> People:
    """``count`` distinct people; a small share sit in rings of 3-6 who all give the same phone number."""
    people = People()
    seen_ids: set[str] = set()
    seen_phones: set[str] = set()
    while len(people.id_numbers) < count:
        id_number = make_id_number(rng)
        if id_number in seen_ids:
            continue
        phone = make_phone(rng)
        while phone in seen_phones:
            phone = make_phone(rng)
        seen_ids.add(id_number)
        seen_phones.add(phone)
        people.id_numbers.append(id_number)
        people.phones.append(phone)
        people.names.append(make_name(rng))
    ring_people = max(3, int(count * ring_share))
    pool = rng.sample(range(count), min(count, ring_people))
    while len(pool) >= 3:
        size = min(len(pool), rng.randint(3, 6))
        ring, pool = pool[:size], pool[size:]
        for pid in ring[1:]:
            people.phones[pid] = people.phones[ring[0]]
        people.rings.append(ring)
    return people


_worker_cipher: PersonalDataCipher | None = None


def _init_worker(data_key: str) -> None:
    global _worker_cipher
    _worker_cipher = PersonalDataCipher(data_key)


def _encrypt_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    cipher = _worker_cipher
    return [(cipher.encrypt(i), cipher.blind_index(i), cipher.encrypt(p), cipher.blind_index(p)) for i, p in chunk]


def encrypt_people(people: People, data_key: str, *, processes: int | None = None, chunk: int = 4000) -> None:
    """Fill the ciphertext and keyed-hash columns (ring members get equal phone hashes, as the app would)."""
    pairs = list(zip(people.id_numbers, people.phones, strict=True))
    chunks = [pairs[i:i + chunk] for i in range(0, len(pairs), chunk)]
    processes = processes or min(multiprocessing.cpu_count(), 4)
    if processes > 1 and len(chunks) > 1:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_init_worker, initargs=(data_key,)) as pool:
            results = pool.map(_encrypt_chunk, chunks)
    else:
        _init_worker(data_key)
        results = [_encrypt_chunk(c) for c in chunks]
    for part in results:
        for id_enc, id_hash, phone_enc, phone_hash in part:
            people.id_enc.append(id_enc)
            people.id_hash.append(id_hash)
            people.phone_enc.append(phone_enc)
            people.phone_hash.append(phone_hash)
