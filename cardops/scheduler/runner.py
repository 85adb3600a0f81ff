from __future__ import annotations

import contextlib
import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import with_appcontext

from cardops.core.registry import Job, contributions

log = logging.getLogger("cardops.scheduler")


def heartbeat() -> None:
    log.info("scheduler heartbeat")


def scheduled_jobs(app) -> list[Job]:
    """Every scheduled job: the heartbeat and what the features registered."""
    return [Job("heartbeat", heartbeat, IntervalTrigger(minutes=1)), *contributions(app).jobs]


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])

    def in_app_context(func):
        def run():
            with app.app_context():
                func()

        run.__name__ = getattr(func, "__name__", "job")
        return run

    for job in scheduled_jobs(app):
        trigger = job.trigger
        if isinstance(trigger, str):
            trigger = CronTrigger.from_crontab(trigger, timezone=scheduler.timezone)
        scheduler.add_job(in_app_context(job.func), trigger, id=job.key, replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=300)
    return scheduler


@click.command("scheduler", help="Run the reminder scheduler in the foreground (one process per deployment).")
@with_appcontext
def scheduler_command():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    click.echo(f"scheduler started with jobs: {', '.join(job.id for job in scheduler.get_jobs())}")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):  # Ctrl-C or SIGTERM: a clean stop
        scheduler.start()
