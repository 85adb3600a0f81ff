"""OpenAPI paths and schemas of the reissue endpoints (SPEC §9)."""

from __future__ import annotations

from cardops.core.openapi import STANDARD_ERRORS, error_response
from cardops.reissue.workflow import RELATIONS, Channel, Kind, Status, Step
from cardops.risk.registry import RiskLevel

REQUEST_REF = {"$ref": "#/components/schemas/ReissueRequest"}
NUMBER_PARAM = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
                "example": "PT03-20261126-0007"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _request_answer(description: str = "The whole updated request object") -> dict:
    return {"description": description, **_json(REQUEST_REF)}


ACTION_ERRORS = {
    **STANDARD_ERRORS,
    "404": error_response("NOT_FOUND: no such request in the caller's outlet scope"),
    "409": error_response("INVALID_TRANSITION, or CONFLICT when another action changed the request first "
                          "(optional body field `version` makes this explicit)"),
}


def _action(summary: str, body_schema: dict | None, extra_responses: dict | None = None,
            ok: dict | None = None) -> dict:
    operation = {
        "summary": summary,
        "parameters": [NUMBER_PARAM],
        "responses": {"200": ok or _request_answer(), **ACTION_ERRORS, **(extra_responses or {})},
    }
    if body_schema is not None:
        operation["requestBody"] = {"required": False, **_json(body_schema)}
    return {"post": operation}


PERSON = {
    "type": "object",
    "required": ["id_number", "name", "phone"],
    "properties": {
        "id_number": {"type": "string", "description": "18-character resident ID (GB 11643)", "maxLength": 40},
        "name": {"type": "string", "minLength": 1, "maxLength": 50},
        "phone": {"type": "string", "description": "11-digit mainland mobile", "example": "13812345678"},
    },
}
AGENT = {**PERSON, "required": [*PERSON["required"], "relation"],
         "properties": {**PERSON["properties"], "relation": {"type": "string", "enum": list(RELATIONS)}}}
MASKED_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "id_number_masked": {"type": "string", "example": "310107********123X"},
                   "phone_masked": {"type": "string", "example": "138****5678"}},
}
VERSION = {"version": {"type": "integer", "description": "optional: the version the client saw (409 if stale)"}}
REASON_BODY = {"type": "object", "required": ["reason"],
               "properties": {"reason": {"type": "string", "maxLength": 500}, **VERSION}}

OPENAPI_SCHEMAS = {
    "ReissueRequest": {
        "type": "object",
        "properties": {
            "number": {"type": "string"},
            "outlet_code": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in Kind]},
            "channel": {"type": "string", "enum": [c.value for c in Channel]},
            "status": {"type": "string", "enum": [s.value for s in Status]},
            "version": {"type": "integer"},
            "applicant": MASKED_PERSON,
            "agent": {"oneOf": [{**MASKED_PERSON, "properties": {**MASKED_PERSON["properties"],
                                                                  "relation": {"type": "string"}}},
                                {"type": "null"}]},
            "note": {"type": ["string", "null"]},
            "risk": {"type": "object", "properties": {
                "level": {"type": "string", "enum": [r.value for r in RiskLevel]},
                "flags": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string", "enum": ["PROXY_APPLICATION", "RECENT_REISSUE", "SHARED_PHONE",
                                                        "SERIAL_AGENT", "WATCHLIST", "FAILED_CHECK"]},
                    "level": {"type": "string"}, "reason": {"type": "string"}}}}}},
            "required_checks": {"type": "array", "items": {"type": "string", "enum": [s.value for s in Step]}},
            "missing_checks": {"type": "array", "items": {"type": "string"}},
            "checks": {"type": "array", "items": {"type": "object", "properties": {
                "step": {"type": "string"}, "result": {"type": "string", "enum": ["pass", "fail"]},
                "detail": {"type": ["string", "null"]}, "score": {"type": ["integer", "null"]},
                "by": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}},
            "review": {"type": "object", "properties": {
                "required": {"type": "boolean"},
                "level": {"type": ["string", "null"], "enum": ["outlet", "district", None]},
                "decision": {"type": ["string", "null"]}, "by": {"type": ["string", "null"]},
                "at": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]}}},
            "pickup_token": {"type": ["string", "null"],
                             "description": "for staff of the request's outlet once submitted"},
            "card_number": {"type": ["string", "null"]},
            "expected_date": {"type": ["string", "null"], "format": "date"},
            "created_by": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "PublicStatus": {"type": "object", "properties": {
        "number": {"type": "string"}, "status": {"type": "string"}, "status_label": {"type": "string"},
        "outlet_code": {"type": "string"}, "outlet_name": {"type": "string"}}},
}

OPENAPI_PATHS = {
    "/api/v1/requests": {
        "post": {
            "summary": "Intake a reissue request (clerk; a supervisor adds outlet_code)",
            "requestBody": {"required": True, **_json({
                "type": "object", "required": ["kind", "channel", "applicant"],
                "properties": {"kind": {"type": "string", "enum": [k.value for k in Kind]},
                               "channel": {"type": "string", "enum": [c.value for c in Channel]},
                               "applicant": PERSON, "agent": AGENT, "note": {"type": "string", "maxLength": 1000},
                               "outlet_code": {"type": "string"}}})},
            "responses": {"201": _request_answer("Created"), **STANDARD_ERRORS,
                          "409": error_response("OPEN_REQUEST_EXISTS (names the outlet, no personal data)")},
        },
        "get": {
            "summary": "List requests in the caller's scope",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": [s.value for s in Status]}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": [k.value for k in Kind]}},
                {"name": "risk", "in": "query", "schema": {"type": "string", "enum": [r.value for r in RiskLevel]}},
                {"name": "outlet_code", "in": "query", "schema": {"type": "string"}},
                {"name": "queue", "in": "query", "schema": {"type": "string", "enum": [
                    "today", "review", "awaiting_card", "ready", "overdue", "open", "stale", "uncollected"]},
                 "description": "`overdue` = `stale` (intake or pending_review over 2 working days) or "
                                "`uncollected` (ready for 30 days or more)"},
                {"name": "flag", "in": "query", "schema": {"type": "string"},
                 "description": "a risk rule's code (e.g. `PROXY_APPLICATION`): the requests it flagged"},
                {"name": "review", "in": "query", "schema": {"type": "string", "enum": ["approve", "reject"]},
                 "description": "the review decision on record"},
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "created on or after this local date (Asia/Shanghai)"},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "created on or before this local date (included)"},
                {"name": "q", "in": "query", "schema": {"type": "string"},
                 "description": "number, applicant name prefix and/or last 4 ID characters, e.g. `张三 123X`"},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            ],
            "responses": {"200": {"description": "A page", **_json({"type": "object", "properties": {
                "items": {"type": "array", "items": REQUEST_REF}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "total": {"type": "integer"}}})}, **STANDARD_ERRORS},
        },
    },
    "/api/v1/requests/{number}": {
        "get": {"summary": "One request", "parameters": [NUMBER_PARAM],
                "responses": {"200": _request_answer("The request"), **STANDARD_ERRORS,
                              "404": error_response("NOT_FOUND")}},
    },
    "/api/v1/requests/{number}/checks": _action(
        "Record an identity check",
        {"type": "object", "required": ["step", "result"], "properties": {
            "step": {"type": "string", "enum": [s.value for s in Step]},
            "result": {"type": "string", "enum": ["pass", "fail"]},
            "detail": {"type": "string", "maxLength": 500},
            "score": {"type": "integer", "minimum": 0, "maximum": 100}, **VERSION}},
        {"422": error_response("CHECK_NOT_APPLICABLE")},
    ),
    "/api/v1/requests/{number}/submit": _action(
        "Submit for production (200) or for review (202)", {"type": "object", "properties": VERSION},
        {"202": _request_answer("Review required: now pending_review"),
         "422": error_response("CHECKS_INCOMPLETE (body carries missing_checks)")},
    ),
    "/api/v1/requests/{number}/review": _action(
        "Approve or reject (second person; high risk: supervisor)",
        {"type": "object", "required": ["decision"], "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject"]},
            "reason": {"type": "string", "description": "required to reject"}, **VERSION}},
        {"403": error_response("SELF_REVIEW_FORBIDDEN or FORBIDDEN (clerk on a high-risk request)"),
         "422": error_response("CHECKS_INCOMPLETE")},
    ),
    "/api/v1/requests/{number}/arrive": _action(
        "Record the new card's arrival", {"type": "object", "properties": {
            "card_number": {"type": "string", "maxLength": 32}, **VERSION}}),
    "/api/v1/requests/{number}/collect": _action(
        "Hand the card over",
        {"type": "object", "required": ["pickup_token", "collector"], "properties": {
            "pickup_token": {"type": "string"},
            "collector": {"type": "object", "required": ["id_number"], "properties": {
                "id_number": {"type": "string"}, "name": {"type": "string"}}}, **VERSION}},
        {"422": error_response("PICKUP_TOKEN_INVALID or COLLECTOR_MISMATCH")},
    ),
    "/api/v1/requests/{number}/cancel": _action("Cancel (from intake or pending_review)", REASON_BODY),
    "/api/v1/requests/{number}/return": _action("Return an uncollected card to the city center", REASON_BODY),
    "/api/v1/public/status": {
        "get": {
            "summary": "Public status look-up (no login; 10 a minute per address)",
            "security": [],
            "parameters": [{"name": "number", "in": "query", "required": True, "schema": {"type": "string"}},
                           {"name": "id_last4", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Status and outlet only",
                                  **_json({"$ref": "#/components/schemas/PublicStatus"})},
                          "400": error_response("VALIDATION_ERROR"), "404": error_response("NOT_FOUND"),
                          "429": error_response("RATE_LIMITED")},
        }
    },
}
