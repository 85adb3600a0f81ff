"""The audit chain (SPEC §4): editing or deleting a row is detected by `audit verify` and the audit page.

The tamper tests play a database owner who lifted the append-only triggers (``append_only_lifted``); what the
triggers refuse, the keyed seal and the checkpoints are tested in test_audit_hardening.py."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from cardops.audit import services as audit
from cardops.audit.immutability import append_only_lifted
from cardops.audit.models import AuditEntry
from cardops.audit.services import GENESIS_HASH, entry_hash, verify_chain
from cardops.extensions import db


@pytest.fixture
def chain():
    """Five entries, as another process would have written them (the session forgets them afterwards)."""
    for n in range(5):
        audit.record("test.event", actor_name="tester", object_type="thing", object_id=n, detail={"n": n})
    db.session.commit()
    db.session.expire_all()
    return 5


def tamper(sql: str, **params) -> None:
    """Change the table as its owner could, triggers lifted for the statement (the test's transaction is rolled
    back afterwards)."""
    with append_only_lifted(db.session.connection()):
        db.session.execute(text(sql), params)
    db.session.expire_all()  # what a fresh process (the CLI, the next request) would read


def test_entries_are_linked_in_order(chain):
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert all(entry_hash(e) == e.hash for e in entries)


def test_intact_chain_verifies(chain, runner):
    report = verify_chain()
    assert report.ok and report.checked == 5
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact, 5 entries" in result.output


def test_empty_chain_verifies(runner):
    assert verify_chain().ok
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.parametrize(("column", "value"), [("action", "'test.other'"), ("actor_name", "'someone-else'"),
                                               ("detail", "'{\"n\": 99}'"), ("ip", "'1.2.3.4'"),
                                               ("at", "'2020-01-01 00:00:00'")])
def test_an_edited_row_is_detected_naming_the_first_broken_seq(chain, runner, column, value):
    tamper(f"UPDATE audit_entries SET {column} = {value} WHERE seq = 3")
    report = verify_chain()
    assert not report.ok and report.broken_seq == 3 and report.checked == 2
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "seq=3" in result.output


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(chain):
    tamper("UPDATE audit_entries SET action = 'test.forged' WHERE seq = 2")
    forged = db.session.scalars(select(AuditEntry).where(AuditEntry.seq == 2)).one()
    tamper("UPDATE audit_entries SET hash = :h WHERE seq = 2", h=entry_hash(forged))
    report = verify_chain()
    assert not report.ok and report.broken_seq == 3


def test_a_deleted_middle_row_is_detected(chain, runner):
    tamper("DELETE FROM audit_entries WHERE seq = 3")
    report = verify_chain()
    assert not report.ok and report.broken_seq == 3
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "seq=3" in result.output


def test_a_deleted_last_row_is_detected(chain, runner):
    tamper("DELETE FROM audit_entries WHERE seq = 5")
    report = verify_chain()
    assert not report.ok and report.broken_seq == 5 and report.checked == 4
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "seq=5" in result.output


def test_a_rewritten_last_row_is_detected_by_the_head(chain):
    tamper("UPDATE audit_entries SET action = 'test.forged' WHERE seq = 5")
    last = db.session.scalars(select(AuditEntry).where(AuditEntry.seq == 5)).one()
    tamper("UPDATE audit_entries SET hash = :h WHERE seq = 5", h=entry_hash(last))
    assert not verify_chain().ok


def test_renumbered_rows_are_detected(chain):
    tamper("DELETE FROM audit_entries WHERE seq = 5")
    tamper("UPDATE audit_entries SET seq = 5 WHERE seq = 4")
    report = verify_chain()
    assert not report.ok and report.broken_seq == 4


def test_audit_page_reports_the_chain(client, auth, supervisor, chain):
    auth.login("supervisor")
    html = client.get("/audit/?verify=1").get_data(as_text=True)
    assert 'data-chain="ok"' in html
    tamper("UPDATE audit_entries SET action = 'test.other' WHERE seq = 2")
    html = client.get("/audit/?verify=1").get_data(as_text=True)
    assert 'data-chain="broken"' in html and 'data-broken-seq="2"' in html and "第 2 条" in html


def test_audit_page_lists_and_filters(client, auth, supervisor, chain):
    auth.login("supervisor")
    html = client.get("/audit/?action=auth.").get_data(as_text=True)
    assert "auth.login" in html and "test.event" not in html
    html = client.get("/audit/?actor=tester").get_data(as_text=True)
    assert html.count("<code>test.event</code>") == 5
    assert client.get("/audit/?page=0").status_code == 400


def test_audit_record_takes_the_request_address(app, clerk):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        entry = audit.record("test.ip", actor=clerk)
    assert entry.ip == "192.0.2.7" and entry.actor_name == "clerk-a" and entry.actor_id == clerk.id


# --- concurrency: real commits on several connections --------------------------------------------------------

THREADS = 4
PER_THREAD = 12


def test_concurrent_appends_form_one_linear_chain(app, committing_db):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                for i in range(PER_THREAD):
                    audit.record("test.concurrent", actor_name=f"thread-{n}", detail={"i": i})
                    committing_db.session.commit()
                committing_db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors

    committing_db.session.remove()
    entries = list(committing_db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    total = THREADS * PER_THREAD
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert {e.actor_name for e in entries} == {f"thread-{n}" for n in range(THREADS)}
    report = verify_chain()
    assert report.ok and report.checked == total
