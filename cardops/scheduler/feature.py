"""The one scheduler process (``flask --app wsgi scheduler``); never started inside web workers."""

from __future__ import annotations

from cardops.scheduler.runner import scheduler_command


def register(app) -> None:
    app.cli.add_command(scheduler_command)
