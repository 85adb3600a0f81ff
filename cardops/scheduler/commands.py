"""``flask --app wsgi scheduler``: run as many as you like (one per host, say); exactly one leads."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from cardops.scheduler.runner import SchedulerProcess


@click.command("scheduler", help="Run the scheduler in the foreground. Several may run for availability: one leads "
                                 "(a lease in the database), the others stand by and take over within a minute.")
@with_appcontext
def scheduler_command():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    SchedulerProcess(current_app._get_current_object()).run_forever()
