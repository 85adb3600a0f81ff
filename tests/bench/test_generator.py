"""The benchmark's data generator, on a tiny database: what it writes must be what the app would write.

Not a benchmark (no timings here): a check that the generated history passes the application's own
invariants — the stored risk flags are what ``RULES.evaluate`` finds on the database (every request), the audit
chain verifies, numbers are unique and match the counters, one open request per applicant, every timeline step
is a transition of the workflow, personal data decrypts and matches. On SQLite, and on PostgreSQL (the COPY
path) when the suite runs there.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from bench.generate import bench_app, generate, verify
from bench.load import bench_audit_key
from cardops.audit.keys import KEY_EXTENSION
from cardops.audit.services import verify_chain
from cardops.core.pii import PersonalDataCipher, mask_id_number, mask_phone
from cardops.extensions import db as _db
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import OPEN_STATUSES, SUBMIT_FOR_REVIEW_TARGET, TRANSITIONS
from config import normalise_database_url

DATA_KEY = "bench-generator-test-key"


def _postgres_url() -> str | None:
    """When the suite runs on PostgreSQL (as CI does), the generator's COPY path is tested on a sibling database."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url or not url.startswith(("postgres", "postgresql")):
        return None
    parsed = make_url(normalise_database_url(url))
    return parsed.set(database=f"{parsed.database}_generator").render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres_only)])
def generated(request, tmp_path_factory, app):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'generated.sqlite3'}"
    else:
        url = _postgres_url()
    with app.app_context():
        summary = generate(url, requests=400, data_key=DATA_KEY, years=2, seed=7, log=lambda *a: None)
    engine = sa.create_engine(url)
    yield url, engine, summary
    engine.dispose()
    if request.param == "postgresql":
        import psycopg

        admin = make_url(url).set(drivername="postgresql", database="postgres")
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture
def session(generated, monkeypatch, app):
    """The application's ``db.session`` pointed at the generated database (and its audit key the one the data was
    generated with) for the duration of a test."""
    scoped = scoped_session(sessionmaker(bind=generated[1]))
    monkeypatch.setattr(_db, "session", scoped)
    monkeypatch.setitem(app.extensions, KEY_EXTENSION, bench_audit_key(DATA_KEY))
    yield scoped
    scoped.remove()


def test_summary_counts_what_was_asked(generated):
    _, engine, summary = generated
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM reissue_requests")) == 400 == summary["requests"]
        assert conn.scalar(sa.text("SELECT count(*) FROM outlets")) == 10
        assert conn.scalar(sa.text("SELECT count(*) FROM users WHERE outlet_id IS NOT NULL")) == 150
    assert summary["channels"]["proxy"] > 0 and summary["status"]["collected"] > summary["requests"] // 2
    with engine.connect() as conn:  # the roster of every trainer account, and their outlets' sessions
        trainer_accounts = conn.scalar(sa.text("SELECT count(*) FROM user_roles WHERE role = 'trainer'"))
        roster = conn.scalar(sa.text("SELECT count(*) FROM trainers"))
        assert roster == trainer_accounts == summary["training"]["trainers"]
        assert summary["training"]["sessions"] >= 10 * 12 and summary["training"]["attendances"] > 0


def test_audit_chain_verifies(session, generated):
    report = verify_chain()
    assert report.ok, report.describe()
    assert report.checked == generated[2]["audit_entries"]


def test_numbers_unique_and_counters_consistent(generated):
    _, engine, _ = generated
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.number, o.code, r.outlet_id FROM reissue_requests r JOIN outlets o ON o.id = r.outlet_id"
        )).all()
        counters = {(o, str(d)): n for o, d, n in conn.execute(sa.text(
            "SELECT outlet_id, day, last FROM request_counters"))}
    numbers = [r.number for r in rows]
    assert len(set(numbers)) == len(numbers)
    highest: Counter = Counter()
    for number, code, outlet_id in rows:
        match = re.fullmatch(rf"{code}-(\d{{4}})(\d{{2}})(\d{{2}})-(\d{{4}})", number)
        assert match, number
        day = f"{match[1]}-{match[2]}-{match[3]}"
        highest[(outlet_id, day)] = max(highest[(outlet_id, day)], int(match[4]))
    assert highest == counters


def test_one_open_request_per_applicant(generated):
    _, engine, _ = generated
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    with engine.connect() as conn:
        worst = conn.scalar(sa.text(f"SELECT max(n) FROM (SELECT count(*) AS n FROM reissue_requests "
                                    f"WHERE status IN ({statuses}) GROUP BY applicant_id_hash) t"))
    assert worst in (None, 1)


def test_stored_risk_is_what_the_rules_compute(session, generated):
    """Every request re-evaluated by ``RULES.evaluate`` on the database (``bench.generate.verify``: flags, levels,
    reasons and the request's risk level), not just the sample the generator checks after a large run."""
    url, _, summary = generated
    assert summary["verified"]["requests"] > 0
    report = verify(bench_app(url, DATA_KEY), sample=None)
    assert report["requests"] == 400
    assert {"PROXY_APPLICATION", "RECENT_REISSUE", "FAILED_CHECK"} <= set(summary["flag_codes"])


def test_workflow_state_is_consistent(session):
    for request in session.scalars(sa.select(ReissueRequest)):
        if request.status in ("submitted", "ready", "collected", "returned"):
            assert request.missing_checks == [], request.number
            assert request.review_satisfied and request.pickup_nonce and request.submitted_at
        if request.status in ("pending_review", "rejected"):
            assert request.review_level_needed is not None
        events = request.events
        assert events[0].action == "intake" and events[-1].to_status == request.status
        for before, event in zip(events, events[1:], strict=False):
            transition = TRANSITIONS[event.action]
            assert event.from_status == before.to_status and event.from_status in transition.sources
            targets = {transition.target, SUBMIT_FOR_REVIEW_TARGET} if event.action == "submit" else {transition.target}
            assert event.to_status in targets
            assert before.at <= event.at


def test_personal_data_is_encrypted_with_the_configured_key(session):
    cipher = PersonalDataCipher(DATA_KEY)
    for request in session.scalars(sa.select(ReissueRequest).limit(50)):
        id_number = cipher.decrypt(request.applicant_id_enc)
        phone = cipher.decrypt(request.applicant_phone_enc)
        assert cipher.blind_index(id_number) == request.applicant_id_hash
        assert cipher.blind_index(phone) == request.applicant_phone_hash
        assert mask_id_number(id_number) == request.applicant_id_masked
        assert mask_phone(phone) == request.applicant_phone_masked
        assert id_number[-4:] == request.applicant_id_last4
