"""Fill a database with years of a district's reissue work, through the application's own schema and values.

    python -m bench.generate --db postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench --requests 1000000
    python -m bench.generate --db sqlite:///instance/bench.sqlite3 --requests 2000 --outlets 220

The database is dropped and re-created, migrated to head with the application's Alembic migrations, then filled:
outlets (the ten of SPEC §2, plus CITY001… with ``--outlets`` > 10), 15 clerks per outlet (two of them
trainers), supervisors, an admin; a pool of people (each encrypted once with ``CARDOPS_DATA_KEY``); requests
with their risk flags, checks, reviews, timeline events and a valid audit chain; the watchlist; request counters.
Every generated account's password is ``bench.district.BENCH_PASSWORD``.
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

from .chain import AUDIT_COLUMNS, ChainWriter, bench_audit_key, run_chain_process
from .district import BENCH_PASSWORD, build_district, user_created_entries, write_district
from .loader import (
    BULK_TABLES,
    CopySink,
    CoreSink,
    capture_and_drop,
    is_postgres,
    libpq_conninfo,
    migrate,
    recreate_database,
    reset_sequences,
    restore,
)
from .population import build_people, encrypt_people
from .simulate import COLUMNS, WATCHLIST_COLUMNS, Rules, Simulation


def _metadata() -> sa.MetaData:
    from cardops.features import MODELS

    from cardops.extensions import db

    MODELS()
    return db.metadata


def check_columns(metadata: sa.MetaData) -> None:
    """Fail early, and clearly, if the schema gained a required column the generator does not fill."""
    wanted = {**COLUMNS, "audit_entries": AUDIT_COLUMNS, "watchlist_entries": WATCHLIST_COLUMNS}
    for table, columns in wanted.items():
        known = metadata.tables[table].c
        unknown = set(columns) - set(known.keys())
        missing = [c.name for c in known if not c.nullable and c.server_default is None and c.name not in columns]
        if unknown or missing:
            raise SystemExit(f"bench.generate is out of date with {table}: unknown {sorted(unknown)}, "
                             f"required but not generated {missing}")


def generation_people(requests: int) -> int:
    """The default applicant pool: 60 % of the requests (over 8 years most people come once, some again)."""
    return max(100, round(requests * 0.6))


def generate(url: str, *, requests: int, data_key: str, outlets: int = 10, years: float = 8.0,
             people: int | None = None, seed: int = 1, now: datetime | None = None, log=print) -> dict:
    from config import Config

    started = time.perf_counter()
    timings: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        timings[name] = round(time.perf_counter() - since, 2)
        log(f"  {name}: {timings[name]:.1f} s")
        return time.perf_counter()

    rng = random.Random(seed)
    now = (now or utcnow()).replace(microsecond=0)
    first_day = now - timedelta(days=round(365.25 * years) + 2)
    people_count = people or generation_people(requests)
    log(f"generating {requests:,} requests, {people_count:,} people, {outlets} outlets, {years:g} years → "
        f"{sa.engine.make_url(url).render_as_string(hide_password=True)}")

    mark = time.perf_counter()
    recreate_database(url)
    migrate(url)
    metadata = _metadata()
    check_columns(metadata)
    engine = sa.create_engine(url)
    district = build_district(outlets, rng)
    with engine.begin() as conn:
        write_district(conn, metadata, district, first_day)
    mark = phase("schema_and_staff", mark)

    population = build_people(people_count, rng)
    encrypt_people(population, data_key)
    mark = phase("people_encrypted", mark)

    postgres = is_postgres(url)
    conninfo = libpq_conninfo(url) if postgres else None
    saved, chain_proc, core_conn = None, None, None
    if postgres:
        saved = capture_and_drop(conninfo)
        context = multiprocessing.get_context("spawn")  # a clean child: no inherited database connections
        parent_end, child_end = context.Pipe()
        chain_proc = context.Process(target=run_chain_process, args=(conninfo, child_end, bench_audit_key(data_key)),
                                     daemon=True)
        chain_proc.start()
        sink = CopySink(conninfo, COLUMNS, {})
        audit_sink = parent_end.send
    else:
        core_conn = engine.connect()
        core_conn.begin()
        sink = CoreSink(core_conn, metadata, {**COLUMNS, "audit_entries": AUDIT_COLUMNS})
        chain = ChainWriter(sink.writer("audit_entries"), key=bench_audit_key(data_key))
        audit_sink = chain.extend

    sim = Simulation(people=population, district=district, requests=requests, years=years, now=now, rng=rng,
                     rules=Rules.from_config(Config), writers={t: sink.writer(t) for t in COLUMNS},
                     audit_sink=audit_sink)
    watch_rows = sim.plan(user_created_entries(district, first_day))
    gc.disable()  # the history holds millions of small objects and no cycles; collections cost ⅔ of the run
    try:
        stats = sim.run(progress=log)
    finally:
        gc.enable()
    sink.close()
    if postgres:
        parent_end.send(None)
        seq, last_hash = parent_end.recv()
        chain_proc.join()
    else:
        seq, last_hash = chain.seq, chain.last_hash
        core_conn.commit()
        core_conn.close()
    mark = phase("requests_and_audit_loaded", mark)

    with engine.begin() as conn:
        if watch_rows:
            conn.execute(metadata.tables["watchlist_entries"].insert(),
                         [dict(zip(WATCHLIST_COLUMNS, row, strict=True)) for row in watch_rows])
        conn.execute(sa.text("UPDATE audit_head SET seq = :seq, last_hash = :h WHERE id = 1"),
                     {"seq": seq, "h": last_hash})
        users = metadata.tables["users"]
        if sim.last_login:
            conn.execute(users.update().where(users.c.id == sa.bindparam("uid")).values(
                last_login_at=sa.bindparam("at")), [{"uid": k, "at": v} for k, v in sim.last_login.items()])
    _write_counters(engine, metadata, sim.counters, conninfo)
    spot_check_chain(engine, metadata, seq, random.Random(seed), bench_audit_key(data_key))
    mark = phase("counters_watchlist_head", mark)

    if postgres:
        timings.update({f"restore_{k}": round(v, 2) for k, v in restore(conninfo, saved).items()})
        log(f"  restore: indexes {timings['restore_indexes']:.1f} s, foreign keys "
            f"{timings['restore_foreign_keys']:.1f} s")
        mark = time.perf_counter()
        reset_sequences(engine, [*BULK_TABLES, "outlets", "users", "watchlist_entries"])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        mark = phase("sequences_and_analyze", mark)
    generated_s = round(time.perf_counter() - started, 1)
    settle_s = None
    if postgres:
        # A database in service has been vacuumed by autovacuum long ago; a freshly loaded one gets vacuumed in the
        # background for minutes, right when the load run measures. Settle it now (timed apart from generation).
        settle_started = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
        settle_s = round(time.perf_counter() - settle_started, 1)
        log(f"  settled (VACUUM ANALYZE, not part of the generation time): {settle_s:.0f} s")

    summary = {
        "requests": stats.requests, "people": people_count, "outlets": outlets, "years": years, "seed": seed,
        "now": now.isoformat(), "users": len(district.staff), "checks": stats.checks, "risk_flags": stats.flags,
        "events": stats.events, "audit_entries": seq, "watchlist": stats.watchlist,
        "counters": len(sim.counters), "status": dict(stats.status.most_common()),
        "risk": dict(stats.risk.most_common()), "flag_codes": dict(stats.flag_codes.most_common()),
        "kinds": dict(stats.kinds.most_common()), "channels": dict(stats.channels.most_common()),
        "timings_s": timings, "total_s": generated_s, "vacuum_s": settle_s, "password": BENCH_PASSWORD,
    }
    if postgres:
        with engine.connect() as conn:
            summary["database_bytes"] = conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
        _stamp(url, summary)
    engine.dispose()
    log(f"done in {summary['total_s']:.0f} s: {stats.requests:,} requests, {seq:,} audit entries")
    return summary


def spot_check_chain(engine: sa.Engine, metadata: sa.MetaData, last_seq: int, rng: random.Random, key: bytes,
                     samples: int = 3000) -> None:
    """Read a sample of the chain back (its first and last entries, runs in between) and check each with the
    application's own ``entry_hash`` and link — a quick guard; ``flask --app wsgi audit verify`` walks it all."""
    from types import SimpleNamespace

    from cardops.audit.services import entry_hash

    if not last_seq:
        return
    starts = {1, max(1, last_seq - 499)} | {rng.randint(1, last_seq) for _ in range(samples // 500)}
    wanted = sorted({s for start in starts for s in range(start, min(last_seq, start + 499) + 1)})
    table = metadata.tables["audit_entries"]
    with engine.connect() as conn:
        rows = {r.seq: r for r in conn.execute(sa.select(table).where(table.c.seq.in_(wanted)))}
    for seq in wanted:
        row = rows.get(seq)
        if row is None or entry_hash(SimpleNamespace(**row._mapping), key) != row.hash:
            raise RuntimeError(f"generated audit entry {seq} does not verify")
        if seq - 1 in rows and rows[seq - 1].hash != row.prev_hash:
            raise RuntimeError(f"generated audit entry {seq} is not linked to its predecessor")


def _write_counters(engine, metadata, counters, conninfo) -> None:
    rows = [(outlet_id, day, last) for (outlet_id, day), last in counters.items()]
    if conninfo:
        import psycopg

        with psycopg.connect(conninfo) as conn, conn.cursor().copy(
                "COPY request_counters (outlet_id, day, last) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    with engine.begin() as conn:
        conn.execute(metadata.tables["request_counters"].insert(),
                     [{"outlet_id": o, "day": d, "last": n} for o, d, n in rows])


def _stamp(url: str, summary: dict) -> None:
    """Remember what was generated on the database itself, so a benchmark run can reuse it knowingly."""
    import psycopg

    parsed = sa.engine.make_url(url)
    stamp = {k: v for k, v in summary.items() if k != "password"}
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
        text = json.dumps({"cardops_bench": stamp}).replace("'", "''")
        conn.execute(f"COMMENT ON DATABASE \"{parsed.database}\" IS '{text}'")


def read_stamp(url: str) -> dict | None:
    if not is_postgres(url):
        return None
    import psycopg

    parsed = sa.engine.make_url(url)
    try:
        with psycopg.connect(libpq_conninfo(str(parsed.set(database="postgres")))) as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               (parsed.database,)).fetchone()
    except Exception:
        return None
    try:
        return json.loads(row[0])["cardops_bench"] if row and row[0] else None
    except (ValueError, KeyError):
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
    parser.add_argument("--summary", help="write the summary JSON here")
    args = parser.parse_args(argv)
    if not args.data_key:
        parser.error("CARDOPS_DATA_KEY (or --data-key) is required: the data is encrypted with it")
    from config import normalise_database_url

    summary = generate(normalise_database_url(args.db), requests=args.requests, data_key=args.data_key,
                       outlets=args.outlets, years=args.years, people=args.people, seed=args.seed)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
