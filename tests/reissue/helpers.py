"""Valid test identities and request bodies."""

from __future__ import annotations

import itertools

from cardops.core.pii import id_check_char

_serial = itertools.count(1)


def make_id(region: str = "310107", birth: str = "19800101", seq: int | None = None) -> str:
    seq = next(_serial) % 1000 if seq is None else seq
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def make_phone(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    return f"139{n:08d}"


def person(id_number=None, name="张三", phone=None, **extra):
    return {"id_number": id_number or make_id(), "name": name, "phone": phone or make_phone(), **extra}


def intake_body(kind="lost", channel="in_person", applicant=None, agent=None, **extra):
    body = {"kind": kind, "channel": channel, "applicant": applicant or person()}
    if channel == "proxy":
        body["agent"] = agent or person(name="李四", relation="子女")
    body.update(extra)
    return body


PASS_STEPS_IN_PERSON_LOST = ["id_document", "face_match", "loss_report"]
