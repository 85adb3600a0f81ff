"""The audit chain (SPEC §4): append-only entries, each sealed together with its predecessor's seal.

Appends are serialised by updating the single ``audit_head`` row before anything else: PostgreSQL row-locks it
until commit, SQLite takes its write lock, so the chain stays linear under concurrent requests on both.

What protects the chain against whom (README, "Production"):

* the **seal** is HMAC-SHA256 under the audit key (``CARDOPS_AUDIT_KEY``, else derived from ``CARDOPS_DATA_KEY``),
  which lives in the configuration, never in the database: someone who can write to the database but does not
  hold the key cannot edit an entry and re-seal the chain from there (with plain SHA-256 they could);
* **triggers** (migration 0007, PostgreSQL and SQLite) refuse UPDATE and DELETE on ``audit_entries``, so neither
  the application nor a mistaken statement can change history; a database owner can still drop them;
* **checkpoints** of the head (seq and seal) written outside the database (``cardops.audit.checkpoints``, daily
  and by ``flask audit checkpoint``) let ``audit verify`` notice what the chain alone cannot: a tail cut off
  after the last entry, or the whole chain rewritten by someone who holds the key.

Entries written before the chain was keyed (``hash_version`` 1, plain SHA-256) stay as they were: they are
accepted only as the beginning of the chain, followed by keyed entries (migration 0007 appends the first one,
``audit.chain_keyed``, naming the last unkeyed seal), so unkeyed entries cannot be added or re-sealed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import bindparam, select, update

from cardops.audit.checkpoints import compare_with_checkpoints
from cardops.audit.keys import audit_key, derive_audit_key, init_app
from cardops.audit.models import HASH_VERSION_KEYED, HASH_VERSION_UNKEYED, AuditEntry, AuditHead
from cardops.core.i18n import N_
from cardops.core.messages import Message
from cardops.core.timeutil import utcnow
from cardops.extensions import db

GENESIS_HASH = "0" * 64
HEAD_ID = 1
def seal(payload: bytes, key: bytes | None = None) -> str:
    """The keyed seal of a canonical form (``key``: the application's audit key unless given, e.g. to a process
    that writes a chain without the application, like the benchmark generator)."""
    return hmac.new(key if key is not None else audit_key(), payload, hashlib.sha256).hexdigest()


def canonical_form(
    *, seq: int, at: datetime, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail,
    prev_hash: str,
) -> bytes:
    payload = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "outlet_id": outlet_id,
        "ip": ip,
        "detail": detail or {},
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """What ``entry.hash`` must be: its seal (or, for an entry of before the chain was keyed, its SHA-256)."""
    payload = canonical_form(
        seq=entry.seq, at=entry.at, actor_id=entry.actor_id, actor_name=entry.actor_name, action=entry.action,
        object_type=entry.object_type, object_id=entry.object_id, outlet_id=entry.outlet_id, ip=entry.ip,
        detail=entry.detail, prev_hash=entry.prev_hash,
    )
    if getattr(entry, "hash_version", HASH_VERSION_KEYED) == HASH_VERSION_UNKEYED:
        return hashlib.sha256(payload).hexdigest()
    return seal(payload, key)


_HEAD = AuditHead.__table__
# The head's two statements, on every audited write (on the table, not the ORM: nothing in the session mirrors the
# head row). Taking the next number row-locks the head until commit.
CLAIM_NEXT_SEQ = (update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq + 1)
                  .returning(_HEAD.c.seq, _HEAD.c.last_hash))
SET_LAST_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_hash=bindparam("new_hash"))


def _claim_next_seq() -> tuple[int, str]:
    """Take the next sequence number and the hash it follows."""
    row = db.session.execute(CLAIM_NEXT_SEQ).first()
    if row is None:  # an empty database created without the migration's head row
        db.session.add(AuditHead(id=HEAD_ID, seq=1, last_hash=GENESIS_HASH))
        db.session.flush()
        return 1, GENESIS_HASH
    return row.seq, row.last_hash


def record(
    action: str,
    *,
    actor=None,
    object_type: str | None = None,
    object_id=None,
    outlet_id: int | None = None,
    detail: dict | None = None,
    ip: str | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain (flushed, committed with the caller's unit of work).

    ``detail`` must never hold a full ID number or phone: pass masked values.
    """
    if ip is None and has_request_context():
        ip = request.remote_addr
    # Write the business rows first and take the chain's lock last: every transaction locks in the same
    # order (its own rows, then the head), so two requests never wait for each other in a circle.
    db.session.flush()
    seq, prev_hash = _claim_next_seq()
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or getattr(actor, "username", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        outlet_id=outlet_id,
        ip=ip,
        detail=detail or {},
        prev_hash=prev_hash,
        hash_version=HASH_VERSION_KEYED,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.execute(SET_LAST_HASH, {"new_hash": entry.hash})
    return entry


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str | None = None
    checkpoints: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.ok:
            return (f"审计链完整：已校验 {self.checked} 条记录，{self.checkpoints} 个检查点 "
                    f"(audit chain intact, {self.checked} entries, {self.checkpoints} checkpoints)")
        where = f"第 {self.broken_seq} 条" if self.broken_seq is not None else "链尾"
        return f"审计链在{where}处断裂：{self.problem} (first broken entry: seq={self.broken_seq}, id={self.broken_id})"


def verify_chain(batch_size: int = 5000, *, checkpoints: bool = True, checkpoint_dir=None) -> ChainReport:
    """Walk the chain in order; report the first entry that was edited, deleted or re-ordered, then compare the
    chain with the checkpoints kept outside the database (a tail cut off, a re-sealed history)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    keyed_seen = False
    last_version = None
    key = audit_key()
    stmt = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch_size)
    for entry in db.session.scalars(stmt):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, entry.id,
                               Message(N_("缺少序号 %(seq)s 的记录（已被删除）"), seq=expected_seq))
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.seq, entry.id, N_("前序哈希不一致（前一条记录被删除或篡改）"))
        if entry.hash_version == HASH_VERSION_UNKEYED and keyed_seen:
            return ChainReport(False, checked, entry.seq, entry.id, N_("密钥封存之后出现未加密钥的记录（已被篡改）"))
        if entry.hash_version not in (HASH_VERSION_UNKEYED, HASH_VERSION_KEYED):
            return ChainReport(False, checked, entry.seq, entry.id, N_("未知的封存版本（已被篡改）"))
        if not hmac.compare_digest(entry_hash(entry, key), entry.hash or ""):
            return ChainReport(False, checked, entry.seq, entry.id, N_("记录内容与哈希不符（已被篡改）"))
        keyed_seen = keyed_seen or entry.hash_version == HASH_VERSION_KEYED
        last_version = entry.hash_version
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    if last_version == HASH_VERSION_UNKEYED:
        return ChainReport(False, checked, checked, None, "链尾为未加密钥的记录，缺少密钥封存记录（已被篡改）")
    head = db.session.get(AuditHead, HEAD_ID)
    if head is not None and (head.seq != checked or (checked and head.last_hash != expected_prev)):
        return ChainReport(False, checked, checked + 1 if head.seq > checked else None, None,
                           Message(N_("链尾记录缺失：应有 %(expected)s 条，实有 %(found)s 条"), expected=head.seq,
                                   found=checked))
    if not checkpoints:
        return ChainReport(True, checked)
    compared, contradiction = compare_with_checkpoints(checked, checkpoint_dir)
    if contradiction is not None:
        seq, problem = contradiction
        return ChainReport(False, checked, seq, None, problem)
    return ChainReport(True, checked, checkpoints=compared)


__all__ = ["GENESIS_HASH", "ChainReport", "audit_key", "canonical_form", "derive_audit_key", "entry_hash",
           "init_app", "record", "seal", "verify_chain"]
