"""``GET /api/v1/scheduler`` (supervisors, administrators): who leads the scheduler processes, and the jobs."""

from __future__ import annotations

from flask import current_app

from cardops.core.access import roles_required
from cardops.core.api import api_blueprint, json_ok
from cardops.core.openapi import STANDARD_ERRORS, json_content
from cardops.scheduler import lease
from cardops.scheduler.runner import configured_jobs

bp = api_blueprint("scheduler_api", __name__, "/scheduler")


@bp.get("")
@roles_required("supervisor", "admin")
def status():
    body = lease.state().to_dict()
    if body["leader"] is None:  # nobody leads: the jobs a leader would run, none of them due
        body["jobs"] = [{"key": job.key, "next_run_at": None}
                        for job in sorted(configured_jobs(current_app), key=lambda job: job.key)]
    return json_ok(body)


OPENAPI_SCHEMAS = {
    "SchedulerStatus": {"type": "object", "required": ["leader", "since", "heartbeat_at", "jobs"], "properties": {
        "leader": {"type": ["string", "null"], "description": "HOST:PID of the leading process; null when none"},
        "since": {"type": ["string", "null"], "format": "date-time"},
        "heartbeat_at": {"type": ["string", "null"], "format": "date-time"},
        "jobs": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "next_run_at": {"type": ["string", "null"], "format": "date-time"}}}}}},
}
OPENAPI_PATHS = {
    "/api/v1/scheduler": {"get": {
        "summary": "Who leads the scheduler processes, since when, its last heartbeat, and its jobs",
        "responses": {"200": {"description": "The leader and its jobs",
                              **json_content({"$ref": "#/components/schemas/SchedulerStatus"})},
                      **STANDARD_ERRORS}}},
}
