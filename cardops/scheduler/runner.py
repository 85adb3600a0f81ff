"""The scheduler process (``flask --app wsgi scheduler``): start as many as you like, exactly one runs jobs.

Every ``SCHEDULER_HEARTBEAT_SECONDS`` each process tries the leader lease (``lease.try_lead``). The leader renews
it and publishes its jobs; a standby takes it over once it has expired (``SCHEDULER_LEASE_SECONDS`` after the
leader's last heartbeat, however the leader died — ``kill -9`` included). Only while leading does a process run
an APScheduler with the jobs: the static ones the features registered (``contributions(app).jobs``) and those
whose schedule lives in the database (``contributions(app).job_sources``: the reminder rules), re-read every
``SCHEDULER_SYNC_SECONDS`` so that a supervisor's change is followed without a restart. A leader that cannot
renew stops running jobs before its lease can have passed to someone else. A new leader makes up a run of a
crontab job that nobody made within the last ``SCHEDULER_CATCH_UP_MINUTES`` (the gap of a take-over).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from cardops.core.crontab import parse_crontab
from cardops.core.registry import Job, contributions
from cardops.core.timeutil import LOCAL_TZ, isoformat_utc, utcnow
from cardops.extensions import db
from cardops.scheduler import lease

log = logging.getLogger("cardops.scheduler")


def trigger_of(job: Job):
    """A crontab string (read as Unix cron, ``cardops.core.crontab``) or an APScheduler trigger as given."""
    return parse_crontab(job.trigger).trigger(LOCAL_TZ) if isinstance(job.trigger, str) else job.trigger


def signature(job: Job) -> str:
    return job.trigger if isinstance(job.trigger, str) else str(job.trigger)


def configured_jobs(app) -> list[Job]:
    """The jobs the leader runs now: the features' static jobs and what their job sources read."""
    registered = contributions(app)
    jobs = list(registered.jobs)
    for source in registered.job_sources:
        jobs.extend(source())
    return jobs


class SchedulerProcess:
    def __init__(self, app, holder: lease.Holder | None = None):
        self.app = app
        config = app.config
        self.lease_seconds = config["SCHEDULER_LEASE_SECONDS"]
        self.heartbeat_seconds = config["SCHEDULER_HEARTBEAT_SECONDS"]
        self.sync_seconds = config["SCHEDULER_SYNC_SECONDS"]
        self.catch_up = timedelta(minutes=config["SCHEDULER_CATCH_UP_MINUTES"])
        self.holder = holder or lease.Holder()
        self.scheduler: BackgroundScheduler | None = None
        self.signatures: dict[str, str] = {}
        self.crontab_keys: set[str] = set()
        self.last_runs: dict[str, datetime] = {}  # key → when the job last started (carried over between leaders)
        self.valid_until = 0.0  # monotonic: past this, this process may no longer be sure it leads
        self.last_sync = 0.0
        self.stopping = threading.Event()

    # --- leadership -------------------------------------------------------------------------------------------

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def may_run(self) -> bool:
        return self.leading and time.monotonic() < self.valid_until

    def tick(self) -> None:
        """One heartbeat: take or renew the lease, and start, follow or stop the jobs accordingly."""
        with self.app.app_context():
            try:
                ours = lease.try_lead(self.holder, self.lease_seconds, self.job_table() if self.leading else None)
            except SQLAlchemyError as error:
                db.session.rollback()
                log.warning("scheduler: the database cannot be reached (%s)", error.__class__.__name__)
                if self.leading and time.monotonic() >= self.valid_until:
                    log.warning("scheduler: lease may have passed to another process; stopping jobs")
                    self.stop_leading()
                return
            if not ours:
                if self.leading:
                    log.warning("scheduler: lost the lead to another process")
                    self.stop_leading()
                return
            # Stop trusting the lease a heartbeat before it runs out, so two leaders never overlap.
            self.valid_until = time.monotonic() + max(self.lease_seconds - self.heartbeat_seconds, 1)
            if not self.leading:
                self.start_leading()
            elif time.monotonic() - self.last_sync >= self.sync_seconds:
                self.sync_jobs()
                lease.publish(self.holder, self.job_table())

    def start_leading(self) -> None:
        self.last_runs = {job["key"]: _parse(job["last_run_at"]) for job in lease.published_jobs()
                          if job.get("last_run_at")}
        self.scheduler = BackgroundScheduler(timezone=LOCAL_TZ, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
        self.signatures, self.crontab_keys = {}, set()
        self.scheduler.start()
        self.sync_jobs()
        self.make_up_missed_runs()
        lease.publish(self.holder, self.job_table())
        log.info("scheduler: %s leads, jobs: %s", self.holder.identity, ", ".join(sorted(self.signatures)))

    def stop_leading(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        self.signatures, self.crontab_keys = {}, set()
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    # --- jobs -------------------------------------------------------------------------------------------------

    def sync_jobs(self) -> None:
        """Add, reschedule and remove jobs to match what is configured now."""
        self.last_sync = time.monotonic()
        try:
            wanted = {job.key: job for job in configured_jobs(self.app)}
        except Exception:  # a source that cannot be read leaves the jobs as they are until the next sync
            db.session.rollback()
            log.exception("scheduler: could not read the configured jobs")
            return
        for key in set(self.signatures) - set(wanted):
            self.scheduler.remove_job(key)
            del self.signatures[key]
            self.crontab_keys.discard(key)
            log.info("scheduler: job %s removed", key)
        for key, job in wanted.items():
            if self.signatures.get(key) == signature(job):
                continue
            try:
                trigger = trigger_of(job)
            except ValueError as error:
                log.error("scheduler: job %s has an unreadable schedule %r: %s", key, job.trigger, error)
                continue
            self.scheduler.add_job(self._runner(job), trigger, id=key, name=key, replace_existing=True)
            log.info("scheduler: job %s %s (%s)", key, "rescheduled" if key in self.signatures else "added",
                     signature(job))
            self.signatures[key] = signature(job)
            if isinstance(job.trigger, str):
                self.crontab_keys.add(key)

    def make_up_missed_runs(self) -> None:
        """Run now each crontab job whose latest scheduled time in the catch-up window passed without a run."""
        now = utcnow()
        for aps_job in self.scheduler.get_jobs():
            if aps_job.id not in self.crontab_keys:
                continue
            missed = self._latest_fire_time(aps_job.trigger, now)
            last = self.last_runs.get(aps_job.id)
            if missed is not None and (last is None or last < missed):
                log.info("scheduler: making up %s, due at %s UTC", aps_job.id, missed)
                aps_job.modify(next_run_time=_aware(now))

    def _latest_fire_time(self, trigger, now):
        """The last time ``trigger`` fired in (now - catch-up, now], as naive UTC, or None."""
        moment = trigger.get_next_fire_time(None, _aware(now - self.catch_up))
        latest = None
        while moment is not None and _naive(moment) <= now:
            latest = _naive(moment)
            moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
        return latest

    def _runner(self, job: Job):
        def run() -> None:
            if not self.may_run():
                log.warning("scheduler: %s skipped: this process is no longer sure it leads", job.key)
                return
            self.last_runs[job.key] = utcnow()
            with self.app.app_context():
                try:
                    job.func()
                except Exception:
                    db.session.rollback()
                    log.exception("scheduler: job %s failed", job.key)

        run.__name__ = job.key
        return run

    def job_table(self) -> list[dict]:
        if self.scheduler is None:
            return []
        jobs = {job.id: job for job in self.scheduler.get_jobs()}
        return [{"key": key, "next_run_at": _iso(jobs[key].next_run_time) if key in jobs else None,
                 "last_run_at": isoformat_utc(self.last_runs.get(key))} for key in sorted(self.signatures)]

    # --- the process ------------------------------------------------------------------------------------------

    def run_forever(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        log.info("scheduler: %s started (lease %ss, heartbeat %ss)", self.holder.identity, self.lease_seconds,
                 self.heartbeat_seconds)
        was_leading = None
        while not self.stopping.is_set():
            self.tick()
            if self.leading != was_leading:
                log.info("scheduler: %s is %s", self.holder.identity, "the leader" if self.leading else "standby")
                was_leading = self.leading
            self.stopping.wait(self.heartbeat_seconds)
        self.shutdown()

    def shutdown(self) -> None:
        """A clean stop: let running jobs finish, then hand the lease over at once."""
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
            with self.app.app_context():
                try:
                    lease.release(self.holder)
                except SQLAlchemyError:
                    log.warning("scheduler: could not release the lease; it expires by itself")
        log.info("scheduler: %s stopped", self.holder.identity)


def _aware(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def _naive(aware: datetime) -> datetime:
    return aware.astimezone(UTC).replace(tzinfo=None)


def _iso(aware: datetime | None) -> str | None:
    return None if aware is None else isoformat_utc(_naive(aware))


def _parse(iso_utc: str) -> datetime:
    return _naive(datetime.fromisoformat(iso_utc))
