"""Fill a database with years of a district's reissue work, through the application's schema, code and values.

    python -m bench.generate --db postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench --requests 1000000
    python -m bench.generate --db sqlite:///instance/bench.sqlite3 --requests 2000

The database is dropped, re-created and migrated with the application's migrations, then filled: outlets and
their staff (every account's password is ``bench.district.BENCH_PASSWORD``), requests with their risk flags,
checks, reviews and timeline (``bench.history``), the watchlist, the request counters and the audit chain.
Then it is checked against the application (``verify``): a sample of requests re-evaluated by ``RULES.evaluate``
on the database gives the stored flags, and a sample of the chain hashes as ``cardops.audit.services`` hashes it.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import sys
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from cardops.core.timeutil import utcnow

from .district import (
    BENCH_PASSWORD,
    build_district,
    build_people,
    encrypt_people,
    user_created_entries,
    write_district,
    write_training,
)
from .history import COLUMNS, WATCHLIST_COLUMNS, Simulation
from .load import (
    AUDIT_COLUMNS,
    BULK_TABLES,
    ChainWriter,
    CopySink,
    CoreSink,
    bench_audit_key,
    drop_indexes,
    is_postgres,
    libpq_conninfo,
    recreate_database,
    reset_sequences,
    restore_indexes,
    run_chain_process,
)


def bench_app(url: str, data_key: str):
    """The application on ``url`` (testing configuration: no secrets read or written), for migrations, the
    generator's thresholds, tokens and verification."""
    from cardops import create_app
    from config import TestingConfig

    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, CARDOPS_DATA_KEY=data_key, TESTING=False)


def check_columns(metadata: sa.MetaData) -> None:
    """Fail early, and clearly, if the schema gained a required column the generator does not fill."""
    for table, columns in {**COLUMNS, "audit_entries": AUDIT_COLUMNS, "watchlist_entries": WATCHLIST_COLUMNS}.items():
        known = metadata.tables[table].c
        unknown = set(columns) - set(known.keys())
        missing = [c.name for c in known if not c.nullable and c.server_default is None and c.name not in columns]
        if unknown or missing:
            raise SystemExit(f"bench is out of date with {table}: unknown {sorted(unknown)}, required but not "
                             f"generated {missing}")


def default_people(requests: int) -> int:
    """The applicant pool: 60 % of the requests (over 8 years most people come once, some again)."""
    return max(100, round(requests * 0.6))


def generate(url: str, *, requests: int, data_key: str, outlets: int = 10, years: float = 8.0,
             people: int | None = None, seed: int = 1, now: datetime | None = None, log=print) -> dict:
    from flask_migrate import upgrade

    from cardops.extensions import db

    timings: dict[str, float] = {}
    started = mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        timings[name] = round(time.perf_counter() - mark, 1)
        log(f"  {name}: {timings[name]:.1f} s")
        mark = time.perf_counter()

    rng = random.Random(seed)
    now = (now or utcnow()).replace(microsecond=0)
    first_day = now - timedelta(days=round(365.25 * years) + 2)
    people_count = people or default_people(requests)
    log(f"generating {requests:,} requests, {people_count:,} people, {outlets} outlets, {years:g} years → "
        f"{sa.engine.make_url(url).render_as_string(hide_password=True)}")
    recreate_database(url)
    app = bench_app(url, data_key)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    check_columns(db.metadata)
    engine = sa.create_engine(url)
    district = build_district(outlets, rng)
    with engine.begin() as conn:
        write_district(conn, db.metadata, district, first_day)
    phase("schema_and_staff")

    population = build_people(people_count, rng)
    encrypt_people(population, data_key)
    phase("people_encrypted")

    postgres = is_postgres(url)
    conninfo = libpq_conninfo(url) if postgres else None
    if postgres:
        saved = drop_indexes(conninfo)
        context = multiprocessing.get_context("spawn")  # a clean child: no inherited connections
        parent_end, child_end = context.Pipe()
        chain_process = context.Process(target=run_chain_process, args=(conninfo, child_end, bench_audit_key(data_key)),
                                        daemon=True)
        chain_process.start()
        sink, audit_sink = CopySink(conninfo, COLUMNS), parent_end.send
    else:
        core_conn = engine.connect()
        core_conn.begin()
        sink = CoreSink(core_conn, db.metadata, {**COLUMNS, "audit_entries": AUDIT_COLUMNS})
        chain = ChainWriter(sink.writer("audit_entries"), key=bench_audit_key(data_key))
        audit_sink = chain.extend
    sim = Simulation(people=population, district=district, requests=requests, years=years, now=now, rng=rng,
                     config=app.config, writers={t: sink.writer(t) for t in COLUMNS}, audit_sink=audit_sink)
    for entry in user_created_entries(district, first_day):
        sim.push(entry)
    watch_rows = sim.plan()
    gc.disable()  # the history holds millions of small objects and no cycles: collections would cost ⅔ of the run
    try:
        sim.run(progress=log)
    finally:
        gc.enable()
    sink.close()
    if postgres:
        parent_end.send(None)
        seq, last_hash = parent_end.recv()
        chain_process.join()
    else:
        seq, last_hash = chain.seq, chain.last_hash
        core_conn.commit()
        core_conn.close()
    phase("requests_and_audit_loaded")

    with engine.begin() as conn:
        tables = db.metadata.tables
        if watch_rows:
            conn.execute(tables["watchlist_entries"].insert(), [dict(zip(WATCHLIST_COLUMNS, r, strict=True))
                                                                 for r in watch_rows])
        conn.execute(tables["request_counters"].insert(), [{"outlet_id": o, "day": d, "last": n}
                                                            for (o, d), n in sim.counters.items()])
        conn.execute(sa.text("UPDATE audit_head SET seq = :seq, last_hash = :h WHERE id = 1"),
                     {"seq": seq, "h": last_hash})
        training = write_training(conn, db.metadata, district, first_day, now, rng)
        users = tables["users"]
        if sim.last_login:
            conn.execute(users.update().where(users.c.id == sa.bindparam("uid")).values(
                last_login_at=sa.bindparam("at")), [{"uid": k, "at": v} for k, v in sim.last_login.items()])
    phase("counters_watchlist_head")

    vacuum_s = None
    if postgres:
        timings.update({k: round(v, 1) for k, v in restore_indexes(conninfo, saved).items()})
        mark = time.perf_counter()
        reset_sequences(engine, [*BULK_TABLES, "outlets", "users", "watchlist_entries", "training_sessions"])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        phase("sequences_and_analyze")
    total_s = round(time.perf_counter() - started, 1)
    if postgres:
        # A database in service was vacuumed by autovacuum long ago; a freshly loaded one would be vacuumed in the
        # background for minutes, right while the benchmark measures. Settle it now, timed apart from generation.
        mark = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
        vacuum_s = round(time.perf_counter() - mark, 1)
    engine.dispose()
    mark = time.perf_counter()
    verified = verify(app, seed=seed)
    log(f"  verified against the application in {time.perf_counter() - mark:.1f} s: {verified}")

    stats, rows = sim.stats, sim.rows
    summary = {
        "requests": rows["requests"], "people": people_count, "outlets": outlets, "years": years,
        "seed": seed, "now": now.isoformat(), "users": len(district.staff), "checks": rows["checks"],
        "risk_flags": rows["flags"], "events": rows["events"], "audit_entries": seq,
        "watchlist": len(watch_rows), "training": training, "status": dict(stats["status"].most_common()),
        "risk": dict(stats["risk"].most_common()), "flag_codes": dict(stats["flag_codes"].most_common()),
        "kinds": dict(stats["kinds"].most_common()), "channels": dict(stats["channels"].most_common()),
        "timings_s": timings, "total_s": total_s, "vacuum_s": vacuum_s, "verified": verified,
    }
    if postgres:
        with sa.create_engine(url).connect() as conn:
            summary["database_bytes"] = conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
        write_stamp(url, summary)
    log(f"done in {total_s:.0f} s: {summary['requests']:,} requests, {seq:,} audit entries")
    return summary


def verify(app, *, sample: int | None = 300, per_rule: int = 30, chain_runs: int = 6, seed: int = 1) -> dict:
    """Check the generated database with the application's own code; raise on the first disagreement.

    Requests (``sample`` at random and ``per_rule`` flagged by each rule; None: all) are re-evaluated by
    ``RULES.evaluate`` on the database: the stored flags (codes, levels, reasons) and risk level must be what the
    rules find. One difference is expected: WATCHLIST reads today's list, so a person listed after the request was
    made is found now but was not then; such a request's WATCHLIST finding is left out of the comparison. Runs of
    500 audit entries (the first, the last, some between) must hash and link as ``audit.services`` does it."""
    from sqlalchemy import select

    from cardops.audit.models import AuditEntry
    from cardops.audit.services import entry_hash
    from cardops.extensions import db
    from cardops.reissue.models import ReissueRequest, RiskFlag
    from cardops.reissue.rules import RULES
    from cardops.risk.models import WatchlistEntry
    from cardops.risk.registry import RiskContext, highest_level

    rng = random.Random(seed)
    with app.app_context():
        last_id = db.session.scalar(select(sa.func.max(ReissueRequest.id))) or 0
        ids = set(range(1, last_id + 1)) if sample is None else set(rng.sample(range(1, last_id + 1),
                                                                               min(sample, last_id)))
        for code in RULES.rules:
            flagged = list(db.session.scalars(select(RiskFlag.request_id).where(RiskFlag.code == code)))
            ids.update(flagged if sample is None else rng.sample(flagged, min(per_rule, len(flagged))))
        listed_at = dict(db.session.execute(select(WatchlistEntry.id_hash, WatchlistEntry.created_at)).all())
        ctx = RiskContext(now=utcnow(), config=app.config)
        checked, listed_later, ordered = 0, 0, sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            for request in db.session.scalars(select(ReissueRequest).where(ReissueRequest.id.in_(chunk))):
                findings = RULES.evaluate(request, ctx)
                computed = {f.code: (str(f.level), f.reason) for f in findings}
                stored = {f.code: (f.level, f.reason) for f in request.flags}
                people = (request.applicant_id_hash, request.agent_id_hash)
                if computed.get("WATCHLIST") != stored.get("WATCHLIST") and any(
                        listed_at[h] > request.created_at for h in people if h in listed_at):
                    computed.pop("WATCHLIST", None)
                    stored.pop("WATCHLIST", None)
                    findings = [f for f in findings if f.code != "WATCHLIST"]
                    listed_later += 1
                elif request.risk_level != highest_level(findings):
                    raise RuntimeError(f"{request.number}: stored risk {request.risk_level}, the rules find "
                                       f"{highest_level(findings)}")
                if computed != stored:
                    raise RuntimeError(f"{request.number}: stored flags {stored}, the rules find {computed}")
                checked += 1
            db.session.expunge_all()
        if checked != len(ordered):
            raise RuntimeError(f"{len(ordered) - checked} sampled requests not found (db.session on another database?)")

        last_seq = db.session.scalar(select(sa.func.max(AuditEntry.seq))) or 0
        starts = {1, max(1, last_seq - 499), *(rng.randint(1, max(1, last_seq)) for _ in range(chain_runs - 2))}
        wanted = sorted({s for start in starts for s in range(start, min(last_seq, start + 499) + 1)})
        entries = {e.seq: e for e in db.session.scalars(select(AuditEntry).where(AuditEntry.seq.in_(wanted)))}
        for seq in wanted:
            entry = entries.get(seq)
            if entry is None or entry_hash(entry) != entry.hash:
                raise RuntimeError(f"audit entry {seq} does not verify")
            if seq - 1 in entries and entries[seq - 1].hash != entry.prev_hash:
                raise RuntimeError(f"audit entry {seq} is not linked to its predecessor")
        db.session.remove()
        db.engine.dispose()
    return {"requests": checked, "watchlisted_later": listed_later, "audit_entries": len(wanted)}


def write_stamp(url: str, summary: dict) -> None:
    """Remember what was generated on the database itself, so that a benchmark run can reuse it knowingly."""
    import psycopg

    text = json.dumps({"cardops_bench": summary}, default=str).replace("'", "''")
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{sa.engine.make_url(url).database}\" IS '{text}'")


def read_stamp(url: str) -> dict | None:
    if not is_postgres(url):
        return None
    import psycopg

    try:
        with psycopg.connect(libpq_conninfo(url, "postgres")) as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               (sa.engine.make_url(url).database,)).fetchone()
        return json.loads(row[0])["cardops_bench"] if row and row[0] else None
    except (psycopg.Error, ValueError, KeyError):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB"), required=not os.environ.get("BENCH_DB"),
                        help="SQLAlchemy URL of the database to (re)create")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--outlets", type=int, default=10, help="10 (the district) or e.g. 220 (city mode)")
    parser.add_argument("--years", type=float, default=8.0)
    parser.add_argument("--people", type=int, help="size of the applicant pool (default 60%% of requests)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-key", default=os.environ.get("CARDOPS_DATA_KEY"),
                        help="the CARDOPS_DATA_KEY the application will run with (default: from the environment)")
    args = parser.parse_args(argv)
    if not args.data_key:
        parser.error("CARDOPS_DATA_KEY (or --data-key) is required: the data is encrypted with it")
    from config import normalise_database_url

    summary = generate(normalise_database_url(args.db), requests=args.requests, data_key=args.data_key,
                       outlets=args.outlets, years=args.years, people=args.people, seed=args.seed)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"every account's password: {BENCH_PASSWORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
