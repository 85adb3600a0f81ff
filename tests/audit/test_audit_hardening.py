"""What protects the audit chain from someone who can write to the database (issue #13, SPEC §4):

* the database refuses UPDATE and DELETE on audit_entries (triggers, PostgreSQL and SQLite);
* the seal is an HMAC under a key from the configuration: the attack that worked against unkeyed SHA-256 (edit an
  entry, recompute the hashes from there, update the head) no longer passes `audit verify`;
* checkpoints kept outside the database catch a tail cut off, and a history re-sealed by someone with the key.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from cardops.audit import services as audit
from cardops.audit.checkpoints import read_checkpoints, write_checkpoint
from cardops.audit.immutability import append_only_lifted
from cardops.audit.models import HASH_VERSION_KEYED, HASH_VERSION_UNKEYED, AuditEntry
from cardops.audit.services import canonical_form, entry_hash, seal, verify_chain
from cardops.core.registry import contributions
from cardops.extensions import db


@pytest.fixture
def checkpoints(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CARDOPS_AUDIT_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    return tmp_path / "checkpoints"


@pytest.fixture
def chain(checkpoints):
    for n in range(6):
        audit.record("test.event", actor_name="tester", object_type="thing", object_id=n, detail={"n": n})
    db.session.commit()
    db.session.expire_all()
    return 6


def as_owner(sql: str, **params) -> None:
    with append_only_lifted(db.session.connection()):
        db.session.execute(text(sql), params)
    db.session.expire_all()


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def payload(entry: AuditEntry, **changes) -> bytes:
    values = {name: getattr(entry, name) for name in ("seq", "at", "actor_id", "actor_name", "action", "object_type",
                                                       "object_id", "outlet_id", "ip", "detail", "prev_hash")}
    values.update(changes)
    return canonical_form(**values)


# --- the database refuses changes -------------------------------------------------------------------------------

@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET action = 'x' WHERE seq = 2",
                                       "UPDATE audit_entries SET hash = prev_hash",
                                       "DELETE FROM audit_entries WHERE seq = 6",
                                       "DELETE FROM audit_entries"])
def test_the_database_refuses_update_and_delete(chain, statement):
    with pytest.raises(DBAPIError) as refused, db.session.begin_nested():
        db.session.execute(text(statement))
    assert "append-only" in str(refused.value)
    db.session.expire_all()
    assert len(entries()) == 6 and verify_chain().ok


def test_inserting_stays_possible(chain):
    audit.record("test.more")
    db.session.commit()
    assert verify_chain().ok and verify_chain().checked == 7


def test_the_triggers_are_back_after_maintenance(chain):
    as_owner("UPDATE audit_entries SET ip = '192.0.2.1' WHERE seq = 1")
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_entries WHERE seq = 1"))


# --- the keyed seal ---------------------------------------------------------------------------------------------

def test_entries_are_sealed_with_the_configured_key_not_plain_sha256(chain):
    first = entries()[0]
    assert first.hash_version == HASH_VERSION_KEYED
    assert first.hash != hashlib.sha256(payload(first)).hexdigest()
    assert first.hash == seal(payload(first)) == entry_hash(first)


def test_the_key_is_not_in_the_database(app, chain):
    key_hex = audit.audit_key().hex()
    dumped = json.dumps([[str(v) for v in row] for row in db.session.execute(text("SELECT * FROM audit_entries"))])
    dumped += json.dumps([[str(v) for v in row] for row in db.session.execute(text("SELECT * FROM audit_head"))])
    assert key_hex not in dumped and app.config["CARDOPS_DATA_KEY"] not in dumped


@pytest.mark.parametrize("unkeyed", [False, True])
def test_the_reported_attack_recompute_from_an_edited_entry_and_update_the_head_fails(chain, runner, unkeyed):
    """Edit entry 3, recompute every hash from there with SHA-256 (all an attacker without the key can do), move
    the head: verify fails at the edited entry, whether or not the attacker also marks the entries unkeyed."""
    prev = entries()[1].hash
    for entry in entries()[2:]:
        forged = payload(entry, prev_hash=prev, action="test.forged" if entry.seq == 3 else entry.action)
        digest = hashlib.sha256(forged).hexdigest()
        as_owner("UPDATE audit_entries SET action = :a, prev_hash = :p, hash = :h, hash_version = :v WHERE seq = :s",
                 a="test.forged" if entry.seq == 3 else entry.action, p=prev, h=digest,
                 v=HASH_VERSION_UNKEYED if unkeyed else HASH_VERSION_KEYED, s=entry.seq)
        prev = digest
    as_owner("UPDATE audit_head SET last_hash = :h", h=prev)
    report = verify_chain()
    assert not report.ok and report.broken_seq == 3
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "seq=3" in result.output


def test_a_chain_rewritten_whole_as_unkeyed_fails(chain):
    prev = audit.GENESIS_HASH
    for entry in entries():
        digest = hashlib.sha256(payload(entry, prev_hash=prev)).hexdigest()
        as_owner("UPDATE audit_entries SET prev_hash = :p, hash = :h, hash_version = 1 WHERE seq = :s",
                 p=prev, h=digest, s=entry.seq)
        prev = digest
    as_owner("UPDATE audit_head SET last_hash = :h", h=prev)
    report = verify_chain()
    assert not report.ok and "未加密钥" in report.problem


def test_unkeyed_entries_are_accepted_only_before_the_keyed_ones(checkpoints):
    """A chain upgraded by migration 0007: SHA-256 entries first, then keyed ones."""
    for n in range(3):
        audit.record("legacy.event", detail={"n": n})
    db.session.flush()
    prev = audit.GENESIS_HASH
    for entry in entries():  # re-made as the first release hashed them
        digest = hashlib.sha256(payload(entry, prev_hash=prev)).hexdigest()
        as_owner("UPDATE audit_entries SET prev_hash = :p, hash = :h, hash_version = 1 WHERE seq = :s",
                 p=prev, h=digest, s=entry.seq)
        prev = digest
    as_owner("UPDATE audit_head SET last_hash = :h", h=prev)
    assert not verify_chain().ok  # unkeyed at the end: the keyed seal is missing
    audit.record("audit.chain_keyed", detail={"last_unkeyed_hash": prev})
    audit.record("after.upgrade")
    db.session.commit()
    db.session.expire_all()
    report = verify_chain()
    assert report.ok and report.checked == 5
    as_owner("UPDATE audit_entries SET hash_version = 1, hash = :h WHERE seq = 5",
             h=hashlib.sha256(payload(entries()[4])).hexdigest())
    assert not verify_chain().ok


# --- checkpoints outside the database ---------------------------------------------------------------------------

def test_a_cut_off_tail_passes_the_chain_alone_but_not_the_checkpoint(chain, checkpoints, runner):
    written = write_checkpoint()
    assert written.seq == 6 and written.path.parent == checkpoints
    as_owner("DELETE FROM audit_entries WHERE seq > 4")
    last = entries()[-1]
    as_owner("UPDATE audit_head SET seq = 4, last_hash = :h", h=last.hash)
    assert verify_chain(checkpoints=False).ok  # what the unkeyed chain alone could tell: nothing
    report = verify_chain()
    assert not report.ok and report.broken_seq == 5 and "截断" in report.problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "seq=5" in result.output
    assert runner.invoke(args=["audit", "verify", "--no-checkpoints"]).exit_code == 0


def test_a_history_resealed_with_the_key_is_caught_by_an_earlier_checkpoint(chain):
    write_checkpoint()
    prev = entries()[1].hash
    for entry in entries()[2:]:  # an insider with the key re-seals from entry 3 on
        digest = seal(payload(entry, prev_hash=prev, action="test.forged"))
        as_owner("UPDATE audit_entries SET action = 'test.forged', prev_hash = :p, hash = :h WHERE seq = :s",
                 p=prev, h=digest, s=entry.seq)
        prev = digest
    as_owner("UPDATE audit_head SET last_hash = :h", h=prev)
    assert verify_chain(checkpoints=False).ok
    report = verify_chain()
    assert not report.ok and report.broken_seq == 6 and "重新封存" in report.problem


def test_a_forged_checkpoint_file_is_reported(chain, checkpoints):
    path = write_checkpoint().path
    data = json.loads(path.read_text())
    data["seq"] = 3
    path.write_text(json.dumps(data))
    report = verify_chain()
    assert not report.ok and path.name in report.problem


def test_checkpoints_accumulate_and_all_are_compared(chain, checkpoints, runner):
    write_checkpoint()
    audit.record("test.more")
    db.session.commit()
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "seq=7" in result.output
    assert len(read_checkpoints()) == 2
    report = verify_chain()
    assert report.ok and report.checkpoints == 2
    assert "2 checkpoints" in runner.invoke(args=["audit", "verify"]).output


def test_an_empty_chain_has_a_checkpoint_too(checkpoints):
    assert write_checkpoint().seq == 0
    assert verify_chain().ok


def test_the_scheduler_writes_a_checkpoint_daily(app, checkpoints):
    job = next(j for j in contributions(app).jobs if j.key == "audit_checkpoint")
    assert job.trigger == app.config["AUDIT_CHECKPOINT_SCHEDULE"] and len(job.trigger.split()) == 5
    job.func()
    assert len(read_checkpoints()) == 1
