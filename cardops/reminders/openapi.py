"""OpenAPI part of the reminders: rules, runs and notifications (SPEC §7)."""

from cardops.core.openapi import PAGE_PARAMS, STANDARD_ERRORS, error_response, json_content, page_of

RUN = {"$ref": "#/components/schemas/ReminderRun"}
RULE = {"$ref": "#/components/schemas/ReminderRule"}
NOTIFICATION = {"$ref": "#/components/schemas/Notification"}
KEY = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "stale_requests | uncollected_30 | uncollected_180 | no_warning_education | "
                       "certification_expiring | weekly_digest"}]
NOT_FOUND = {"404": error_response("NOT_FOUND")}
TIME = {"type": ["string", "null"], "format": "date-time"}

OPENAPI_SCHEMAS = {
    "ReminderRun": {"type": "object", "properties": {
        "id": {"type": "integer"}, "rule": {"type": "string"},
        "as_of": {"type": "string", "format": "date-time", "description": "the moment evaluated"},
        "started_at": TIME, "finished_at": TIME, "status": {"type": "string", "enum": ["ok", "failed"]},
        "notified": {"type": "integer", "description": "notifications created by this run"},
        "error": {"type": ["string", "null"]},
        "warnings": {"type": "array", "items": {"type": "string"},
                     "description": "e.g. a year the official calendar does not know (Monday–Friday used)"},
        "trigger": {"type": "string", "enum": ["schedule", "manual", "cli"]},
        "triggered_by": {"type": ["string", "null"]}}},
    "ReminderRule": {"type": "object", "properties": {
        "key": {"type": "string"}, "name": {"type": "string"}, "enabled": {"type": "boolean"},
        "schedule": {"type": "string", "description": "five-field crontab, local time; 1-5 = official working days"},
        "default_schedule": {"type": "string"}, "last_run": {"oneOf": [RUN, {"type": "null"}]}}},
    "Notification": {"type": "object", "properties": {
        "id": {"type": "integer"}, "rule": {"type": "string"}, "title": {"type": "string"},
        "body": {"type": "string"}, "link": {"type": ["string", "null"], "description": "a path of this application"},
        "created_at": {"type": "string", "format": "date-time"}, "read_at": TIME}},
}

OPENAPI_PATHS = {
    "/api/v1/reminder-rules": {"get": {
        "summary": "The reminder rules with their settings and last run (supervisors)",
        "responses": {"200": {"description": "Every rule", **json_content({"type": "array", "items": RULE})},
                      **STANDARD_ERRORS}}},
    "/api/v1/reminder-rules/{key}": {"patch": {
        "summary": "Enable, disable or reschedule a rule; the scheduler follows within 60 s",
        "parameters": KEY,
        "requestBody": {"required": True, **json_content({"type": "object", "properties": {
            "enabled": {"type": "boolean"}, "schedule": {"type": "string", "examples": ["30 8 * * 1-5"]}}})},
        "responses": {"200": {"description": "The rule", **json_content(RULE)}, **STANDARD_ERRORS, **NOT_FOUND}}},
    "/api/v1/reminder-rules/{key}/run": {"post": {
        "summary": "Run a rule now, or as at 09:00 local time of as_of",
        "parameters": KEY,
        "requestBody": {"required": False, **json_content({"type": "object", "properties": {
            "as_of": {"type": "string", "format": "date"}}})},
        "responses": {"200": {"description": "The run record (status failed when the rule raised)",
                              **json_content(RUN)}, **STANDARD_ERRORS, **NOT_FOUND}}},
    "/api/v1/reminder-runs": {"get": {
        "summary": "Run history, newest first (supervisors)",
        "parameters": [{"name": "rule", "in": "query", "schema": {"type": "string"}}, *PAGE_PARAMS],
        "responses": {"200": {"description": "A page of runs", **json_content(page_of(RUN))}, **STANDARD_ERRORS}}},
    "/api/v1/reminder-runs/{run_id}": {"get": {
        "summary": "One run with what it notified (supervisors)",
        "parameters": [{"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The run and its notifications", **json_content(RUN)},
                      **STANDARD_ERRORS, **NOT_FOUND}}},
    "/api/v1/notifications": {"get": {
        "summary": "The caller's own notifications, newest first, with the unread count",
        "parameters": [{"name": "unread", "in": "query", "schema": {"type": "boolean"}}, *PAGE_PARAMS],
        "responses": {"200": {"description": "A page of notifications", **json_content({
            **page_of(NOTIFICATION), "properties": {**page_of(NOTIFICATION)["properties"],
                                                    "unread": {"type": "integer"}}})},
                      **STANDARD_ERRORS}}},
    "/api/v1/notifications/{notification_id}/read": {"post": {
        "summary": "Mark one of the caller's notifications read (another user's: 404)",
        "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The notification", **json_content(NOTIFICATION)},
                      **STANDARD_ERRORS, **NOT_FOUND}}},
    "/api/v1/notifications/read-all": {"post": {
        "summary": "Mark all of the caller's notifications read",
        "responses": {"200": {"description": "Nothing left unread", **json_content({
            "type": "object", "properties": {"unread": {"type": "integer", "const": 0}}})}, **STANDARD_ERRORS}}},
}
