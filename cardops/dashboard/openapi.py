"""OpenAPI paths and schemas of the figures (SPEC §8)."""

from __future__ import annotations

from cardops.core.openapi import STANDARD_ERRORS, error_response, json_content
from cardops.dashboard.figures import PERCENTILES, STAGES
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import Kind, Status
from cardops.risk.registry import RiskLevel


def _counts(keys) -> dict:
    return {"type": "object", "properties": {str(k): {"type": "integer"} for k in keys}}


HOURS = {"type": ["number", "null"], "description": "hours, two decimals; null when no request reached the stage"}

ROW = {
    "type": "object",
    "properties": {
        "outlet_code": {"type": ["string", "null"], "description": "null in the totals"},
        "name": {"type": "string"},
        "requests": {"type": "object", "properties": {"total": {"type": "integer"}, "by_kind": _counts(Kind),
                                                      "by_status": _counts(Status)}},
        "turnaround_hours": {"type": "object", "properties": {
            stage: {"type": "object", "properties": {p: HOURS for p in PERCENTILES}} for stage in STAGES}},
        "overdue": {**_counts(["stale", "uncollected_30"]),
                    "description": "now (as_of), whatever the period: stale = intake or pending_review for more than "
                                   "2 working days; uncollected_30 = ready for 30 days or more (the overdue queue's "
                                   "and the reminders' definitions)"},
        "pending": {**_counts(["review", "pickup"]),
                    "description": "now: requests awaiting review, cards at the outlet awaiting pickup"},
        "risk": {"type": "object", "properties": {"by_level": _counts(RiskLevel), "by_flag": _counts(RULES.rules)}},
        "reviews": _counts(["approved", "rejected"]),
        "training": {"type": "object", "properties": {
            "sessions": {"type": "integer", "description": "sessions held at the outlet in the period"},
            "hours": {"type": "number", "description": "minutes of sessions (the outlet's and district-wide) "
                                                        "attended by the outlet's staff in the period ÷ 60"},
            "last_warning_education": {"type": ["string", "null"], "format": "date",
                                       "description": "latest warning-education session held at the outlet "
                                                      "on or before the period's end"}}},
    },
}

PARAMS = [
    {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"},
     "description": "first local date (Asia/Shanghai), included"},
    {"name": "to", "in": "query", "required": True, "schema": {"type": "string", "format": "date"},
     "description": "last local date, included; at most 3 years after `from`"},
    {"name": "outlet_code", "in": "query", "schema": {"type": "string"},
     "description": "one outlet (a clerk: only their own; another → 404)"},
]
ERRORS = {**STANDARD_ERRORS,
          "400": error_response("VALIDATION_ERROR naming the field: missing or bad date, `from` after `to`, "
                                "a span over 3 years"),
          "404": error_response("NOT_FOUND: an outlet unknown or outside the caller's scope")}
DESCRIPTION = ("Requests, turnaround, risk and reviews count the requests created in the period (local dates, both "
               "ends included). Percentiles: linear interpolation between the closest ranks (percentile_cont). "
               "Supervisors see every outlet, a clerk their own.")


def _file(summary: str, mimetype: str) -> dict:
    return {"get": {"summary": summary, "description": DESCRIPTION + " One row an outlet and a total row, headers "
                    "in Chinese; the export is audited.", "parameters": PARAMS,
                    "responses": {"200": {"description": "The file", "content": {mimetype: {
                        "schema": {"type": "string", "format": "binary"}}}}, **ERRORS}}}


OPENAPI_SCHEMAS = {
    "OutletStatsRow": ROW,
    "OutletStats": {"type": "object", "required": ["from", "to", "outlets", "totals"], "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "as_of": {"type": "string", "format": "date-time", "description": "when `overdue` and `pending` were taken"},
        "outlets": {"type": "array", "items": {"$ref": "#/components/schemas/OutletStatsRow"}},
        "totals": {"$ref": "#/components/schemas/OutletStatsRow"}}},
}

OPENAPI_PATHS = {
    "/api/v1/stats/outlets": {"get": {
        "summary": "The outlets' figures of a period (supervisor: every outlet; clerk: their own)",
        "description": DESCRIPTION, "parameters": PARAMS,
        "responses": {"200": {"description": "Figures per outlet and totals",
                              **json_content({"$ref": "#/components/schemas/OutletStats"})}, **ERRORS}}},
    "/api/v1/stats/outlets.xlsx": _file("The outlets' figures as an Excel workbook",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "/api/v1/stats/outlets.csv": _file("The outlets' figures as CSV (UTF-8 with BOM)", "text/csv"),
}
