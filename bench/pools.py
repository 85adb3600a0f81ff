"""Requests waiting at the counter, for the write scenarios (record a check, submit).

A check or a submit needs a request in ``intake`` (and a submit, one whose required checks all passed), each
usable once for a submit: thousands per run. Making them through the API would take minutes, so they are
written in bulk with the generator's own values — a new person, encrypted with the configured key, the number
from the outlet's counter for today, risk ``low`` (no history), the intake event, passing checks, and their
audit entries appended to the chain under the head row's lock — in one transaction.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from cardops.core.pii import PersonalDataCipher, id_check_char, mask_id_number, mask_phone
from cardops.core.timeutil import local_today, utcnow

from .chain import AUDIT_COLUMNS, ChainWriter, bench_audit_key
from .population import make_name

STEPS_LOST_IN_PERSON = ("id_document", "face_match", "loss_report")


def unused_nonce(engine: sa.Engine, first_digit: str) -> int:
    """A 3-digit run number not yet used in generated region codes ``{first_digit}NNN..`` (so a new run's
    people never collide with the open requests of an earlier run on the same database)."""
    with engine.connect() as conn:
        used = set(conn.scalars(sa.text(
            "SELECT DISTINCT substr(applicant_id_masked, 2, 3) FROM reissue_requests "
            "WHERE applicant_id_masked LIKE :p"), {"p": f"{first_digit}%"}))
    free = [n for n in range(1000) if f"{n:03d}" not in used]
    if not free:
        raise RuntimeError("no free benchmark run number left: regenerate the database")
    return random.choice(free)


def add_counter_requests(engine: sa.Engine, data_key: str, *, clerk_username: str, count: int,
                         checks_passed: bool, nonce: int) -> list[str]:
    """``count`` lost-card, in-person requests in ``intake`` at the clerk's outlet; return their numbers."""
    cipher, rng = PersonalDataCipher(data_key), random.Random(nonce)
    metadata = sa.MetaData()
    tables = {name: sa.Table(name, metadata, autoload_with=engine)
              for name in ("reissue_requests", "request_checks", "request_events", "audit_entries")}
    now, today = utcnow(), local_today()
    with engine.begin() as conn:
        clerk = conn.execute(sa.text(
            "SELECT u.id, u.username, u.outlet_id, o.code FROM users u JOIN outlets o ON o.id = u.outlet_id "
            "WHERE u.username = :u"), {"u": clerk_username}).one()
        # The chain's lock first, then the counter: the same order as every audited write of the app.
        head = conn.execute(sa.text("SELECT seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE")
                            if engine.dialect.name == "postgresql" else
                            sa.text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).one()
        last = conn.scalar(sa.text(
            "INSERT INTO request_counters (outlet_id, day, last) VALUES (:o, :d, :n) "
            "ON CONFLICT (outlet_id, day) DO UPDATE SET last = request_counters.last + :n RETURNING last"),
            {"o": clerk.outlet_id, "d": today, "n": count})
        requests, people = [], []
        for i in range(count):
            first17 = f"8{nonce:03d}{i // 1000 % 100:02d}19{60 + i // 100000 % 40:02d}0101{i % 1000:03d}"
            id_number = first17 + id_check_char(first17)
            phone = f"137{rng.randrange(10 ** 8):08d}"
            name = make_name(rng)
            number = f"{clerk.code}-{today:%Y%m%d}-{last - count + 1 + i:04d}"
            created = now - timedelta(milliseconds=50 * (count - i))  # one after the other, as at a counter
            people.append((number, id_number, created))
            requests.append({
                "number": number, "outlet_id": clerk.outlet_id, "kind": "lost", "channel": "in_person",
                "status": "intake", "version": 1 + (len(STEPS_LOST_IN_PERSON) if checks_passed else 0),
                "applicant_name": name, "applicant_id_enc": cipher.encrypt(id_number),
                "applicant_id_hash": cipher.blind_index(id_number), "applicant_id_masked": mask_id_number(id_number),
                "applicant_id_last4": id_number[-4:], "applicant_phone_enc": cipher.encrypt(phone),
                "applicant_phone_hash": cipher.blind_index(phone), "applicant_phone_masked": mask_phone(phone),
                "risk_level": "low", "created_by_id": clerk.id, "created_at": created, "updated_at": created,
            })
        table = tables["reissue_requests"]
        ids = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), requests).scalars()
        checks, events, audit_rows = [], [], []
        chain = ChainWriter(audit_rows.append, key=bench_audit_key(data_key), seq=head.seq, last_hash=head.last_hash)
        for request_id, (number, id_number, created) in zip(ids, people, strict=True):
            events.append({"request_id": request_id, "action": "intake", "from_status": None, "to_status": "intake",
                           "actor_id": clerk.id, "at": created})
            chain.append((utcnow(), clerk.id, clerk.username, "reissue.intake", "reissue_request", number,
                          clerk.outlet_id, "127.0.0.1", {"kind": "lost", "channel": "in_person",
                                                         "applicant": mask_id_number(id_number), "risk": "low"}))
            for step in STEPS_LOST_IN_PERSON if checks_passed else ():
                score = 90 if step == "face_match" else None
                checks.append({"request_id": request_id, "step": step, "result": "pass", "score": score,
                               "by_id": clerk.id, "at": now})
                detail = {"step": step, "result": "pass", **({"score": score} if score else {})}
                chain.append((utcnow(), clerk.id, clerk.username, "reissue.check", "reissue_request", number,
                              clerk.outlet_id, "127.0.0.1", detail))
        conn.execute(tables["request_events"].insert(), events)
        if checks:
            conn.execute(tables["request_checks"].insert(), checks)
        columns = [c for c in AUDIT_COLUMNS if c != "id"]  # ids from the sequence, after the generated ones
        conn.execute(tables["audit_entries"].insert(), [dict(zip(columns, row[1:], strict=True))
                                                        for row in audit_rows])
        conn.execute(sa.text("UPDATE audit_head SET seq = :s, last_hash = :h WHERE id = 1"),
                     {"s": chain.seq, "h": chain.last_hash})
    return [number for number, _, _ in people]
