"""The scheduler: one leader among many processes (a lease in the database), a standby taking over when the leader
dies — ``kill -9`` included, with two real ``flask --app wsgi scheduler`` processes —, rule changes followed without
a restart, jobs run only while leading, a missed run made up by the new leader."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cardops.core.registry import Job, contributions
from cardops.core.timeutil import clock_at, to_local, utcnow
from cardops.extensions import db
from cardops.reminders import settings
from cardops.reminders.registry import RULES
from cardops.scheduler import lease
from cardops.scheduler.models import SchedulerLease
from cardops.scheduler.runner import SchedulerProcess

ROOT = Path(__file__).resolve().parents[2]


def holder(name: str) -> lease.Holder:
    return lease.Holder(identity=f"host-{name}:1", token=f"token-{name}")


# --- the lease -------------------------------------------------------------------------------------------------


def test_one_holder_at_a_time_and_a_take_over_once_the_lease_expired():
    a, b = holder("a"), holder("b")
    assert lease.try_lead(a, 30) and not lease.try_lead(b, 30)
    assert lease.try_lead(a, 30)  # renewing
    state = lease.state()
    assert state.leader == "host-a:1" and state.heartbeat_at is not None
    with clock_at(utcnow() + timedelta(seconds=29)):
        assert not lease.try_lead(b, 30)
    with clock_at(utcnow() + timedelta(seconds=31)):
        assert lease.state().leader is None  # expired: nobody leads
        assert lease.try_lead(b, 30)
        assert not lease.try_lead(a, 30)  # the old leader has lost it
        assert lease.state().leader == "host-b:1"


def test_since_stays_while_renewing_and_a_release_frees_the_lease_at_once():
    a, b = holder("a"), holder("b")
    lease.try_lead(a, 30)
    since = lease.state().since
    with clock_at(utcnow() + timedelta(seconds=10)):
        lease.try_lead(a, 30)
        assert lease.state().since == since
    lease.release(a)
    assert lease.state().leader is None
    assert lease.try_lead(b, 30)


# --- the process, in this process --------------------------------------------------------------------------------


TEST_JOB_PREFIX = "probe"  # the jobs a test registers itself, and the only ones the processes below run


@pytest.fixture
def processes(app, monkeypatch):
    """Scheduler processes in this process, on the test's database.

    That database is one connection in one transaction (``db_session``) which only the test's thread may use. A
    job of the app's own firing in APScheduler's thread while a test leads would use it at the same time and
    break the test's savepoints — the audit checkpoint made up by a leader starting between 23:55 and 00:55, a
    reminder made up an hour after its time, the mail poll. So these processes run the jobs a test registers
    (``probe…``) and leave the app's own undone; the two real processes below run everything on their own
    connections."""
    started = []
    runner_of = SchedulerProcess._runner

    def runner(self, job: Job):
        if job.key.startswith(TEST_JOB_PREFIX):
            return runner_of(self, job)

        def left_undone() -> None:
            pass

        left_undone.__name__ = job.key
        return left_undone

    monkeypatch.setattr(SchedulerProcess, "_runner", runner)

    def make(name: str) -> SchedulerProcess:
        process = SchedulerProcess(app, holder(name))
        started.append(process)
        return process

    yield make
    for process in started:
        process.stop_leading()


def test_only_the_leader_runs_a_scheduler_and_publishes_its_jobs(processes):
    a, b = processes("a"), processes("b")
    a.tick()
    b.tick()
    assert a.leading and not b.leading
    jobs = {job["key"]: job for job in lease.published_jobs()}
    assert set(RULES.rule_keys()) | {"mail_outbox"} <= set(jobs)
    assert all(job["next_run_at"] for job in jobs.values())
    assert a.may_run() and not b.may_run()


def test_a_standby_takes_over_when_the_leaders_lease_runs_out(processes):
    a, b = processes("a"), processes("b")
    a.tick()
    later = utcnow() + timedelta(seconds=a.lease_seconds + 1)
    with clock_at(later):
        b.tick()
        assert b.leading
        a.tick()  # it comes back (a long pause): it finds it lost the lead and stops
        assert not a.leading and not a.may_run()
        assert lease.state().leader == "host-b:1"


def test_a_leader_that_cannot_reach_the_database_stops_before_its_lease_can_pass(processes, monkeypatch):
    a = processes("a")
    a.tick()
    monkeypatch.setattr(lease, "try_lead", lambda *args, **kwargs: (_ for _ in ()).throw(
        __import__("sqlalchemy").exc.OperationalError("SELECT 1", {}, Exception("gone"))))
    a.tick()
    assert a.leading  # still within its lease: carries on
    a.valid_until = time.monotonic() - 1
    a.tick()
    assert not a.leading


def test_jobs_do_not_run_once_the_process_is_not_sure_it_leads(processes):
    a = processes("a")
    ran = []
    job = Job(TEST_JOB_PREFIX, lambda: ran.append(1), "0 9 * * *")
    a.tick()
    runner = a._runner(job)
    runner()
    assert ran == [1]
    a.valid_until = time.monotonic() - 1
    runner()
    assert ran == [1]


def test_rule_changes_reach_the_running_scheduler_without_a_restart(processes, supervisor):
    a = processes("a")
    a.tick()
    assert str(a.scheduler.get_job("weekly_digest").trigger).startswith("cron")
    settings.update_rule(supervisor, "weekly_digest", {"schedule": "15 7 * * 1"})
    settings.update_rule(supervisor, "stale_requests", {"enabled": False})
    db.session.commit()
    a.sync_jobs()
    assert a.signatures["weekly_digest"] == "15 7 * * 1"
    next_run = a.scheduler.get_job("weekly_digest").next_run_time
    assert (next_run.weekday(), next_run.hour, next_run.minute) == (0, 7, 15)
    assert a.scheduler.get_job("stale_requests") is None and "stale_requests" not in a.signatures
    settings.update_rule(supervisor, "stale_requests", {"enabled": True})
    db.session.commit()
    a.sync_jobs()
    assert a.scheduler.get_job("stale_requests") is not None


def test_the_sync_interval_is_under_a_minute(app):
    assert app.config["SCHEDULER_SYNC_SECONDS"] <= 60
    assert app.config["SCHEDULER_LEASE_SECONDS"] + app.config["SCHEDULER_HEARTBEAT_SECONDS"] <= 60


def test_other_features_jobs_run_on_the_leader_too(app, processes):
    registered = contributions(app)
    job = Job("audit_checkpoint", lambda: None, "5 0 * * *")
    registered.jobs.append(job)
    try:
        a = processes("a")
        a.tick()
        aps_job = a.scheduler.get_job("audit_checkpoint")
        assert (aps_job.next_run_time.hour, aps_job.next_run_time.minute) == (0, 5)
    finally:
        registered.jobs.remove(job)


def test_a_run_missed_during_the_take_over_is_made_up(app, processes):
    registered = contributions(app)
    now_local = utcnow() + timedelta(hours=8)
    due = (now_local - timedelta(minutes=5)).strftime("%M %H * * *")  # it was due five minutes ago
    ran = threading.Event()
    job = Job("probe_missed", ran.set, due)
    registered.jobs.append(job)
    try:
        a = processes("a")
        a.tick()
        assert ran.wait(10)  # now, not tomorrow
    finally:
        registered.jobs.remove(job)


def _next_local(hour: int, minute: int):
    """The next such time of day to come, as naive UTC: APScheduler keeps real time, so a made-up run set for a
    moment still to come waits for it instead of firing (or being dropped as missed) during the test."""
    now_local = to_local(utcnow())
    at_local = now_local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at_local <= now_local:
        at_local += timedelta(days=1)
    return at_local.astimezone(UTC).replace(tzinfo=None)


@pytest.mark.parametrize(("starts_at", "made_up"), [((23, 56), True), ((23, 54), False)])
def test_a_leader_starting_just_after_the_audit_checkpoint_makes_it_up(processes, starts_at, made_up):
    """The checkpoint is due at 23:55: a leader starting at 23:56 runs it at once rather than tomorrow; one starting
    at 23:54 waits for it."""
    start = _next_local(*starts_at)
    with clock_at(start):
        a = processes("a")
        a.tick()
        next_run = a.scheduler.get_job("audit_checkpoint").next_run_time
    if made_up:
        assert (next_run.hour, next_run.minute) == starts_at and next_run.timestamp() == pytest.approx(
            start.replace(tzinfo=UTC).timestamp())
    else:
        assert (next_run.hour, next_run.minute) == (23, 55)


def test_a_run_the_old_leader_made_is_not_repeated(app, processes):
    registered = contributions(app)
    now_local = utcnow() + timedelta(hours=8)
    due = (now_local - timedelta(minutes=5)).strftime("%M %H * * *")
    job = Job("probe_done", lambda: None, due)
    registered.jobs.append(job)
    try:
        old = processes("old")
        old.tick()
        old.last_runs["probe_done"] = utcnow() - timedelta(minutes=4)  # it ran it, after it was due
        lease.publish(old.holder, old.job_table())
        old.stop_leading()
        with clock_at(utcnow() + timedelta(seconds=old.lease_seconds + 1)):
            new = processes("new")
            new.tick()
            assert new.leading
            assert new.scheduler.get_job("probe_done").next_run_time.timestamp() > time.time() + 3600
    finally:
        registered.jobs.remove(job)


def test_the_scheduler_api_shows_the_leader_and_the_next_runs(as_, staff, processes):
    a = processes("a")
    a.tick()
    body = as_(staff["supervisor"]).get("/api/v1/scheduler").get_json()
    assert body["leader"] == "host-a:1" and body["since"] and body["heartbeat_at"]
    jobs = {job["key"]: job["next_run_at"] for job in body["jobs"]}
    assert jobs["stale_requests"].endswith("Z") and jobs["stale_requests"][11:16] == "00:30"  # 08:30 local


# --- two real processes, kill -9 ---------------------------------------------------------------------------------


def _start(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _leader() -> str | None:
    db.session.rollback()  # a fresh snapshot
    return lease.state().leader


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return predicate()


def test_a_standby_process_takes_over_after_kill_9_of_the_leader(app, committing_db, supervisor):
    env = {**os.environ, "CARDOPS_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SCHEDULER_LEASE_SECONDS": "3",
           "SCHEDULER_HEARTBEAT_SECONDS": "1", "SCHEDULER_SYNC_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    started = [_start(env), _start(env)]
    try:
        pids = {f"{socket.gethostname()}:{p.pid}": p for p in started}
        first = _wait_for(lambda: _leader() in pids and _leader(), 40)
        assert first in pids, f"no leader among {sorted(pids)}: {first}"
        time.sleep(2)
        assert _leader() == first  # stable: the standby does not steal a live lease

        # A supervisor's change reaches the running leader within its sync interval.
        settings.update_rule(supervisor, "weekly_digest", {"enabled": False})
        db.session.commit()
        gone = _wait_for(lambda: "weekly_digest" not in {j["key"] for j in _published()}, 10)
        assert gone

        killed_at = time.monotonic()
        pids[first].send_signal(signal.SIGKILL)
        pids[first].wait(timeout=10)
        second = _wait_for(lambda: (leader := _leader()) not in (None, first) and leader, 30)
        took = time.monotonic() - killed_at
        assert second in pids and second != first, second
        assert took < 60
        assert "weekly_digest" not in {j["key"] for j in _published()}
        assert pids[second].poll() is None
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _published() -> list[dict]:
    db.session.rollback()
    return list(db.session.scalar(select(SchedulerLease.jobs).where(SchedulerLease.name == lease.LEASE_NAME)) or [])
