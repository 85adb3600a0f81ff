"""OpenAPI paths and schemas of the training endpoints (SPEC §5)."""

from __future__ import annotations

from cardops.core.openapi import PAGE_PARAMS, STANDARD_ERRORS, error_response, json_content, page_of
from cardops.training.models import SessionKind, TrainerStatus

TRAINER_REF = {"$ref": "#/components/schemas/Trainer"}
SESSION_REF = {"$ref": "#/components/schemas/TrainingSession"}
DATE = {"type": "string", "format": "date", "example": "2026-11-26"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
KINDS = [k.value for k in SessionKind]
STATUSES = [s.value for s in TrainerStatus]


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _query(name: str, schema: dict, description: str | None = None) -> dict:
    param = {"name": name, "in": "query", "schema": schema}
    if description:
        param["description"] = description
    return param


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, **json_content(schema)}


NOT_FOUND = error_response("NOT_FOUND")
SPECIALTIES = {"type": "array", "maxItems": 10, "items": {"type": "string", "minLength": 1, "maxLength": 30}}
ATTENDEE_IN = {
    "type": "object", "required": ["username"],
    "properties": {"username": {"type": "string"}, "attended": {"type": "boolean", "default": True},
                   "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                             "description": "only for someone present"}},
}
SESSION_BODY_PROPERTIES = {
    "date": {**DATE, "description": "not in the future, at most 366 days back"},
    "outlet_code": {"type": ["string", "null"],
                    "description": "a trainer: their own outlet (the default); a supervisor: any outlet, or null "
                                   "(or absent) for a district session"},
    "trainer": {"type": "string", "description": "supervisors only: the username of who led the session (a "
                                                 "supervisor or a roster trainer certified that day); default: "
                                                 "the caller"},
    "topic": {"type": "string", "minLength": 1, "maxLength": 100},
    "kind": {"type": "string", "enum": KINDS},
    "duration_minutes": {"type": "integer", "minimum": 15, "maximum": 480},
    "attendees": {"type": "array", "minItems": 1, "items": ATTENDEE_IN,
                  "description": "active staff of the session's outlet (any outlet's for a district session)"},
    "materials": {"type": ["string", "null"], "maxLength": 2000},
    "cases": {"type": "array", "items": {"type": "integer"},
              "description": "ids of library cases (accepted, nominated or selected)"},
}

OPENAPI_SCHEMAS = {
    "Trainer": {"type": "object", "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
        "outlet_code": {"type": "string"}, "appointed_on": DATE, "certified_until": DATE,
        "specialties": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": STATUSES}, "status_reason": {"type": ["string", "null"]},
        "sessions_this_year": {"type": "integer"},
        "certification": {"type": "string", "enum": ["valid", "expiring", "lapsed"],
                          "description": "expiring: ends within 30 days"},
        "may_log_today": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "TrainingSession": {"type": "object", "properties": {
        "id": {"type": "integer"}, "date": DATE, "outlet_code": {"type": ["string", "null"],
                                                                  "description": "null: a district session"},
        "trainer": {"type": "object", "properties": {"username": {"type": "string"}, "name": {"type": "string"}}},
        "topic": {"type": "string"}, "kind": {"type": "string", "enum": KINDS},
        "duration_minutes": {"type": "integer"},
        "attendees": {"type": "array", "items": {"type": "object", "properties": {
            "username": {"type": "string"}, "name": {"type": "string"}, "outlet_code": {"type": "string"},
            "attended": {"type": "boolean"}, "score": {"type": ["integer", "null"]}}}},
        "materials": {"type": ["string", "null"]},
        "cases": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}}}},
        "version": {"type": "integer", "description": "send it back with a correction to be told (409) when "
                                                      "someone else corrected the session first"},
        "created_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "TrainingSummary": {"type": "object", "properties": {
        "year": {"type": "integer"},
        "clerks": {"type": "array", "items": {"type": "object", "properties": {
            "username": {"type": "string"}, "name": {"type": "string"}, "outlet_code": {"type": "string"},
            "hours": {"type": "number", "description": "minutes attended ÷ 60, one decimal (half up)"},
            "sessions": {"type": "integer"}, "last_warning_education": NULLABLE_DATE}}},
        "outlets": {"type": "array", "items": {"type": "object", "properties": {
            "outlet_code": {"type": "string"}, "name": {"type": "string"},
            "sessions_by_quarter": {"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 4},
            "sessions": {"type": "integer"}, "last_warning_education": NULLABLE_DATE}}},
        "trainers": {"type": "array", "items": {"type": "object", "properties": {
            "username": {"type": "string"}, "name": {"type": "string"}, "outlet_code": {"type": ["string", "null"]},
            "sessions": {"type": "integer"}, "attendees": {"type": "integer", "description": "attendances (人次)"},
            "status": {"type": ["string", "null"]}, "certified_until": NULLABLE_DATE}}},
        "district": {"type": "object", "description": "supervisors only: the district's own sessions",
                     "properties": {"sessions_by_quarter": {"type": "array", "items": {"type": "integer"}},
                                    "sessions": {"type": "integer"}}}}},
}

OPENAPI_PATHS = {
    "/api/v1/trainers": {
        "get": {
            "summary": "The trainer roster (every signed-in user)",
            "parameters": [_query("outlet_code", {"type": "string"}),
                           _query("status", {"type": "string", "enum": STATUSES}), *PAGE_PARAMS],
            "responses": {"200": _answer("A page of roster entries (per_page defaults to 100)", page_of(TRAINER_REF)),
                          **STANDARD_ERRORS},
        },
        "post": {
            "summary": "Appoint a member of an outlet's staff (supervisor); gives the trainer role",
            "requestBody": {"required": True, **json_content({
                "type": "object", "required": ["username", "certified_until"], "properties": {
                    "username": {"type": "string"},
                    "appointed_on": {**DATE, "description": "default: today"},
                    "certified_until": {**DATE, "description": "not before appointed_on"},
                    "specialties": SPECIALTIES}})},
            "responses": {"201": _answer("The new roster entry", TRAINER_REF), **STANDARD_ERRORS,
                          "409": error_response("ALREADY_ON_ROSTER")},
        },
    },
    "/api/v1/trainers/{trainer_id}": {
        "get": {"summary": "One roster entry", "parameters": [_id_param("trainer_id")],
                "responses": {"200": _answer("The entry", TRAINER_REF), **STANDARD_ERRORS, "404": NOT_FOUND}},
        "patch": {
            "summary": "Re-certify, change specialties, suspend or reinstate (supervisor)",
            "parameters": [_id_param("trainer_id")],
            "requestBody": {"required": True, **json_content({"type": "object", "properties": {
                "certified_until": DATE, "specialties": SPECIALTIES,
                "status": {"type": "string", "enum": STATUSES},
                "reason": {"type": "string", "maxLength": 500, "description": "required when the status changes"}}})},
            "responses": {"200": _answer("The updated entry", TRAINER_REF), **STANDARD_ERRORS, "404": NOT_FOUND},
        },
    },
    "/api/v1/training-sessions": {
        "get": {
            "summary": "Sessions in the caller's scope, newest first",
            "parameters": [_query("outlet_code", {"type": "string"}, "another outlet's code: 404 for outlet staff"),
                           _query("kind", {"type": "string", "enum": KINDS}),
                           _query("trainer", {"type": "string"}, "the leader's username"),
                           _query("from", DATE), _query("to", DATE), *PAGE_PARAMS],
            "responses": {"200": _answer("A page of sessions", page_of(SESSION_REF)), **STANDARD_ERRORS,
                          "404": NOT_FOUND},
        },
        "post": {
            "summary": "Log a session (a trainer: their outlet; a supervisor: any outlet or the district)",
            "requestBody": {"required": True, **json_content({
                "type": "object", "required": ["date", "topic", "kind", "duration_minutes", "attendees"],
                "properties": SESSION_BODY_PROPERTIES})},
            "responses": {"201": _answer("The logged session", SESSION_REF), **STANDARD_ERRORS,
                          "403": error_response("FORBIDDEN (another outlet, not a trainer) or TRAINER_NOT_ACTIVE "
                                                "(suspended, or certification lapsed by the session's date)")},
        },
    },
    "/api/v1/training-sessions/{session_id}": {
        "get": {"summary": "One session", "parameters": [_id_param("session_id")],
                "responses": {"200": _answer("The session", SESSION_REF), **STANDARD_ERRORS, "404": NOT_FOUND}},
        "patch": {
            "summary": "Correct a session: its trainer within 30 days of its date, or a supervisor (audited)",
            "parameters": [_id_param("session_id")],
            "requestBody": {"required": True, **json_content({"type": "object", "properties": {
                **SESSION_BODY_PROPERTIES, "version": {"type": "integer"}}})},
            "responses": {"200": _answer("The corrected session", SESSION_REF), **STANDARD_ERRORS,
                          "403": error_response("FORBIDDEN or TRAINER_NOT_ACTIVE"), "404": NOT_FOUND,
                          "409": error_response("CONFLICT: corrected by someone else meanwhile")},
        },
    },
    "/api/v1/training/summary": {
        "get": {
            "summary": "A year's training figures in the caller's scope",
            "parameters": [_query("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                                  "default: this year")],
            "responses": {"200": _answer("The summary", {"$ref": "#/components/schemas/TrainingSummary"}),
                          **STANDARD_ERRORS},
        },
    },
}
