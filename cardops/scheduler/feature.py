"""The scheduler processes (``flask --app wsgi scheduler``): one leader among any number, never inside web workers;
it runs the jobs the features register (``contributions(app).jobs`` and ``job_sources``)."""

from __future__ import annotations

from cardops.core.registry import contributions
from cardops.scheduler import api
from cardops.scheduler import models as models
from cardops.scheduler.commands import scheduler_command


def register(app) -> None:
    app.register_blueprint(api.bp)
    app.cli.add_command(scheduler_command)
    contributions(app).add_openapi(api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
