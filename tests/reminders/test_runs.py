"""Runs: recorded every time, once-only notifications under repeats, re-runs and concurrent runs, a failing rule
isolated, and the CLI (``reminders run``, ``reminders list``)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select, text

from cardops.extensions import db
from cardops.reminders import runs as runs_module
from cardops.reminders.models import Notification, ReminderRun
from cardops.reminders.registry import RULES
from cardops.reminders.runs import run_rule
from tests.reminders.conftest import local, made_at, notified, run


def test_every_run_is_recorded_with_the_spec_fields(staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    record = run_rule("stale_requests", as_of=local("2026-11-20 09:00"))
    db.session.commit()
    stored = db.session.get(ReminderRun, record.id)
    body = runs_module.run_to_dict(stored)
    assert {"id", "rule", "as_of", "started_at", "finished_at", "status", "notified", "error"} <= set(body)
    assert body["rule"] == "stale_requests" and body["status"] == "ok" and body["notified"] == 3
    assert body["as_of"] == "2026-11-20T01:00:00Z" and body["error"] is None
    assert stored.finished_at >= stored.started_at
    assert {n.run_id for n in notified("stale_requests")} == {record.id}


def test_a_run_with_nothing_to_tell_is_recorded_too(staff):
    record = run("uncollected_180", "2026-11-20")
    assert record.id and record.status == "ok" and record.notified == 0


def test_repeats_and_replays_never_notify_twice(staff):
    made_at("2026-10-01 09:00", "ready", staff["clerk"], staff["supervisor"])
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    first = [run(key, "2026-11-20").notified for key in RULES.rule_keys()]
    again = [run(key, "2026-11-20").notified for key in RULES.rule_keys()]  # a retry, a run by hand
    replay = [run(key, "2026-11-19").notified for key in RULES.rule_keys()]  # a --as-of replay of the day before
    assert sum(first) > 0 and again == [0] * len(again) and replay == [0] * len(replay)
    counted = db.session.execute(select(Notification.rule, Notification.subject, Notification.period,
                                        Notification.user_id, func.count()).group_by(
        Notification.rule, Notification.subject, Notification.period, Notification.user_id)).all()
    assert all(row[-1] == 1 for row in counted)
    assert db.session.scalar(select(func.count()).select_from(ReminderRun)) == 3 * len(RULES.rule_keys())


def test_a_failing_rule_is_recorded_as_failed_and_the_others_still_run(staff, monkeypatch):
    made_at("2026-10-01 09:00", "ready", staff["clerk"], staff["supervisor"])
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    rule = RULES.get("uncollected_30")
    calls = {"n": 0}
    original = type(rule).message

    def message_then_fail(self, subject, ctx):  # fails half-way, after a first message was made
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("the printer caught fire")
        return original(self, subject, ctx)

    monkeypatch.setattr(type(rule), "message", message_then_fail)
    made_at("2026-10-02 09:00", "ready", staff["clerk2"], staff["supervisor"])
    failed = run("uncollected_30", "2026-11-20")
    other = run("stale_requests", "2026-11-20")
    db.session.commit()
    assert failed.status == "failed" and failed.notified == 0
    assert "RuntimeError" in failed.error and "printer" in failed.error
    assert notified("uncollected_30") == []  # nothing half-written
    assert other.status == "ok" and other.notified == 3
    assert db.session.get(ReminderRun, failed.id).status == "failed"  # the failure itself is kept


def test_a_database_error_inside_a_rule_is_isolated_too(staff, monkeypatch):
    def broken(self, ctx):
        db.session.execute(select(func.count()).select_from(db.table("no_such_table")))

    monkeypatch.setattr(type(RULES.get("weekly_digest")), "subjects", broken)
    failed = run("weekly_digest", "2026-11-30")
    assert failed.status == "failed" and failed.error
    assert run("stale_requests", "2026-11-30").status == "ok"  # the transaction is still usable


@pytest.mark.parametrize("value", ["2026-13-01", "20261120", "2026-11-20T09:00", "yesterday", 20261120, "1999-01-01"])
def test_as_of_must_be_a_plain_date(value):
    from cardops.core.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        runs_module.parse_as_of(value)
    assert "as_of" in refused.value.fields


def test_as_of_is_nine_in_the_morning_local_time():
    assert runs_module.parse_as_of("2026-10-08") == local("2026-10-08 09:00")
    assert runs_module.parse_as_of("") is None and runs_module.parse_as_of(None) is None


# --- concurrent runs (real connections) ----------------------------------------------------------------------


def test_two_processes_running_the_same_rule_at_once_notify_once(app, committing_db, make_user, outlet):
    clerks = [make_user("clerk", username=f"c{i}") for i in range(3)]
    supervisor = make_user("supervisor", username="sup")
    for i in range(4):
        made_at(f"2026-10-0{i + 1} 09:00", "ready", clerks[0], supervisor)
    db.session.commit()
    barrier = threading.Barrier(2)
    results, errors = [], []
    original = runs_module.evaluate
    # PostgreSQL: both decide what to tell before either writes, then race on the unique constraint. SQLite runs
    # one writer at a time (the run row takes the lock): they start together and the second waits for the first.
    overlap_inside = db.engine.dialect.name == "postgresql"

    def evaluate_together(rule, ctx):
        notices = original(rule, ctx)
        if overlap_inside:
            barrier.wait(timeout=20)
        return notices

    def worker():
        try:
            with app.app_context():
                if not overlap_inside:
                    barrier.wait(timeout=20)
                record = run_rule("uncollected_30", as_of=local("2026-11-20 09:00"))
                db.session.commit()
                results.append((record.status, record.notified))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    runs_module.evaluate = evaluate_together
    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        runs_module.evaluate = original
    assert not errors, errors
    assert sorted(notified for _, notified in results) == [0, 12]  # 4 cards × 3 clerks, once
    assert {status for status, _ in results} == {"ok"}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 12


# --- CLI -----------------------------------------------------------------------------------------------------


def test_cli_run_prints_the_run_record(runner, staff):
    made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"])
    result = runner.invoke(args=["reminders", "run", "stale_requests", "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["rule"] == "stale_requests" and record["status"] == "ok" and record["notified"] == 3
    assert record["trigger"] == "cli" and record["as_of"] == "2026-11-20T01:00:00Z"
    again = runner.invoke(args=["reminders", "run", "stale_requests", "--as-of", "2026-11-20"])
    assert json.loads(again.output)["notified"] == 0


def test_cli_run_refuses_unknown_rules_and_bad_dates(runner):
    unknown = runner.invoke(args=["reminders", "run", "no_such_rule"])
    assert unknown.exit_code != 0 and "unknown rule" in unknown.output
    bad = runner.invoke(args=["reminders", "run", "stale_requests", "--as-of", "2026-02-30"])
    assert bad.exit_code != 0 and "--as-of" in bad.output


def test_cli_run_exits_non_zero_when_the_rule_failed(runner, monkeypatch):
    def broken(self, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(RULES.get("weekly_digest")), "subjects", broken)
    result = runner.invoke(args=["reminders", "run", "weekly_digest"])
    assert result.exit_code == 1 and '"status": "failed"' in result.output


def test_cli_list_prints_rules_schedules_enabled_and_last_run(runner, staff):
    run("stale_requests", "2026-11-20")
    db.session.commit()
    lines = runner.invoke(args=["reminders", "list"]).output.splitlines()
    assert [line.split()[0] for line in lines[1:]] == RULES.rule_keys()
    stale = next(line for line in lines if line.startswith("stale_requests"))
    assert "yes" in stale and "30 8 * * 1-5" in stale and "ok notified=0" in stale
    assert "never" in next(line for line in lines if line.startswith("weekly_digest"))


def test_a_burst_takes_the_bulk_path_and_stays_once_only(staff, monkeypatch):
    from cardops.reminders import bulk

    monkeypatch.setattr(bulk, "COPY_THRESHOLD", 1)  # PostgreSQL: COPY into a staging table, INSERT … SELECT
    for day in ("2026-10-01", "2026-10-02"):
        made_at(f"{day} 09:00", "ready", staff["clerk"], staff["supervisor"])
    first = run("uncollected_30", "2026-11-20")
    assert first.notified == 6 and len(notified("uncollected_30")) == 6
    assert {n.run_id for n in notified("uncollected_30")} == {first.id}
    made_at("2026-10-03 09:00", "ready", staff["clerk"], staff["supervisor"])
    assert run("uncollected_30", "2026-11-20").notified == 3  # twice in one transaction: the staging table again
    assert run("uncollected_30", "2026-11-21").notified == 0


@pytest.mark.postgres_only
def test_after_a_burst_the_planner_knows_how_many_notifications_there_are(staff, monkeypatch):
    """Without fresh statistics the next run's look-ups by subject were planned as a scan of every notification."""
    from cardops.reminders import bulk

    monkeypatch.setattr(bulk, "COPY_THRESHOLD", 4)
    for day in ("2026-10-01", "2026-10-02"):
        made_at(f"{day} 09:00", "ready", staff["clerk"], staff["supervisor"])
    assert run("uncollected_30", "2026-11-20").notified == 6
    estimated = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'notifications'"))
    assert estimated == len(db.session.scalars(select(Notification)).all())
