"""What the benchmark measures without wrk, in the application itself on the large database:

* the compliance reminders: every rule run as at 09:00 of the Monday after the data ends, twice — first on the
  history as generated (a backlog: nothing was ever notified), then again (steady state: nothing new) — with
  the time each run took and what it notified (issue #11: each ≤ 5 s at 1,000,000 requests);
* the supervision dashboard's query plans (``EXPLAIN ANALYZE``) for a supervisor's year of every outlet and a
  clerk's month of one outlet: every statement the figures service runs, as PostgreSQL executes it.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import event

from cardops.core.timeutil import local_today, to_local

RULE_KEYS = ("stale_requests", "uncollected_30", "uncollected_180", "no_warning_education",
             "certification_expiring", "weekly_digest")


def data_end(engine: sa.Engine) -> date:
    """The local day of the newest request: the generated history's "today"."""
    with engine.connect() as conn:
        newest = conn.scalar(sa.text("SELECT max(created_at) FROM reissue_requests"))
    return to_local(newest).date() if newest else local_today()


def dashboard_periods(end: date) -> dict[str, tuple[date, date]]:
    """A supervisor's last full calendar year, a clerk's last full month, before ``end``."""
    first_of_month = end.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return {"year": (date(end.year - 1, 1, 1), date(end.year - 1, 12, 31)),
            "month": (last_month_end.replace(day=1), last_month_end)}


def reminder_runs(app, end: date) -> list[dict]:
    from cardops.extensions import db
    from cardops.reminders.runs import as_of_moment, run_rule

    monday = end + timedelta(days=(7 - end.weekday()) % 7 or 7)
    rows = []
    with app.app_context():
        for attempt in ("backlog", "steady state"):
            for key in RULE_KEYS:
                started = time.perf_counter()
                run = run_rule(key, as_of=as_of_moment(monday))
                db.session.commit()
                rows.append({"rule": key, "pass": attempt, "status": str(run.status), "notified": run.notified,
                             "seconds": round(time.perf_counter() - started, 2), "as_of": monday.isoformat()})
                print(f"    reminders {key} ({attempt}): {rows[-1]['seconds']} s, {run.notified} notified",
                      flush=True)
    return rows


def dashboard_plans(app, periods: dict, supervisor: str, clerk: str) -> dict[str, list[str]]:
    """``{scenario: [EXPLAIN ANALYZE text of each statement]}`` for the supervisor's year and the clerk's month."""
    from cardops.auth.services import find_user
    from cardops.dashboard.figures import outlet_stats
    from cardops.dashboard.periods import Period
    from cardops.extensions import db

    plans = {}
    with app.app_context():
        engine = db.engine
        for name, username, (start, end) in (("year, every outlet", supervisor, periods["year"]),
                                            ("month, the clerk's outlet", clerk, periods["month"])):
            actor = find_user(username)
            seen: list[tuple[str, object]] = []

            def capture(conn, cursor, statement, parameters, context, executemany, seen=seen):
                seen.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", capture)
            try:
                outlet_stats(actor, Period(start, end), None if actor.is_supervisor else actor.outlet.code)
            finally:
                event.remove(engine, "before_cursor_execute", capture)
            db.session.rollback()
            texts = []
            with engine.connect() as conn:
                for statement, parameters in seen:
                    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue
                    result = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    texts.append("\n".join(row[0] for row in result))
            plans[f"{name} ({start} – {end})"] = texts
    return plans
