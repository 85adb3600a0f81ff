"""OpenAPI paths and schemas of the case library and the annual selection (SPEC §6)."""

from __future__ import annotations

from cardops.cases.models import CaseCategory, CaseStatus
from cardops.cases.workflow import CRITERIA, SCORE_MAX, SCORE_MIN
from cardops.core.openapi import PAGE_PARAMS, STANDARD_ERRORS, error_response, json_content, page_of

CASE_REF = {"$ref": "#/components/schemas/Case"}
ROUND_REF = {"$ref": "#/components/schemas/SelectionRound"}
CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
YEAR = {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}, "example": 2026}
VERSION = {"version": {"type": "integer", "description": "optional: the version the client saw (409 if stale)"}}
NULLABLE_STRING = {"type": ["string", "null"]}
NUMBER_OR_NULL = {"type": ["number", "null"], "description": "two decimals; null while unscored"}

CASE_FIELDS = {
    "title": {"type": "string", "minLength": 1, "maxLength": 100},
    "occurred_on": {"type": "string", "format": "date", "description": "not in the future"},
    "category": {"type": "string", "enum": [c.value for c in CaseCategory]},
    "narrative": {"type": "string", "minLength": 20, "maxLength": 5000},
    "lessons": {"type": "string", "minLength": 1, "maxLength": 2000},
    "request_number": {"type": ["string", "null"], "description": "an existing request the author may see"},
    "outlet_code": {"type": "string", "description": "a supervisor's case: the outlet it comes from"},
}
PERSONAL_DATA_NOTE = ("A title, narrative or lessons containing a resident ID number or an 11-digit mobile "
                      "number is refused (400, naming the field): cases are printed and circulated.")

OPENAPI_SCHEMAS = {
    "Case": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "outlet_code": {"type": "string"},
        "occurred_on": {"type": "string", "format": "date"},
        "category": {"type": "string", "enum": [c.value for c in CaseCategory]},
        "narrative": {"type": "string"}, "lessons": {"type": "string"},
        "request": {"oneOf": [{"type": "object", "properties": {
            "number": {"type": "string"}, "kind": {"type": "string"}, "outlet_code": {"type": "string"}}},
            {"type": "null"}]},
        "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
        "author": {"type": "object", "properties": {"username": {"type": "string"}, "name": {"type": "string"}}},
        "decision_reason": NULLABLE_STRING,
        "nominated_year": {"type": ["integer", "null"]}, "selected_year": {"type": ["integer", "null"]},
        "version": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "CaseScore": {"type": "object", "properties": {
        "year": {"type": "integer"}, "case_id": {"type": "integer"}, "supervisor": {"type": "string"},
        **{c: {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX} for c in CRITERIA},
        "total": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "SelectionRound": {"type": "object", "properties": {
        "year": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "final"]},
        "finalised_at": {"type": ["string", "null"], "format": "date-time"},
        "finalised_by": NULLABLE_STRING,
        "tie_break": {"type": ["string", "null"],
                      "description": "which rule decided any place up to and including the tenth, in words"},
        "ranking": {"type": "array", "items": {"type": "object", "properties": {
            "rank": {"type": "integer"},
            "case": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                                      "outlet_code": {"type": "string"},
                                                      "category": {"type": "string"}}},
            "scores_count": {"type": "integer"}, "mean_typicality": NUMBER_OR_NULL,
            "mean_educational_value": NUMBER_OR_NULL, "mean_impact": NUMBER_OR_NULL, "mean_total": NUMBER_OR_NULL,
            "selected": {"type": "boolean"},
            "not_scored_by": {"type": "array", "items": {"type": "string"},
                              "description": "open rounds: supervisors who may score it and have not"}}}}}},
}

NOT_FOUND = {"404": error_response("NOT_FOUND: no such case, or one still in the works at another outlet")}


def _action(summary: str, body: dict | None = None, conflicts: str = "INVALID_TRANSITION, or CONFLICT (stale "
            "version)") -> dict:
    operation = {"summary": summary, "parameters": [CASE_ID],
                 "responses": {"200": {"description": "The whole updated case", **json_content(CASE_REF)},
                               **STANDARD_ERRORS, "403": error_response("FORBIDDEN: not this person's action"),
                               **NOT_FOUND, "409": error_response(conflicts)}}
    operation["requestBody"] = {"required": body is not None and bool(body.get("required")),
                                **json_content(body or {"type": "object", "properties": VERSION})}
    return {"post": operation}


OPENAPI_PATHS = {
    "/api/v1/cases": {
        "post": {"summary": "Write a case (trainer or supervisor): a draft at the author's outlet",
                 "description": PERSONAL_DATA_NOTE,
                 "requestBody": {"required": True, **json_content({
                     "type": "object", "required": ["title", "occurred_on", "category", "narrative", "lessons"],
                     "properties": CASE_FIELDS})},
                 "responses": {"201": {"description": "Created", **json_content(CASE_REF)}, **STANDARD_ERRORS}},
        "get": {"summary": "Cases the caller may see: the library of every outlet, and their outlet's cases in the "
                           "works (supervisors: all)",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {"type": "string",
                                                                 "enum": [s.value for s in CaseStatus]}},
                    {"name": "category", "in": "query", "schema": {"type": "string",
                                                                   "enum": [c.value for c in CaseCategory]}},
                    {"name": "outlet_code", "in": "query", "schema": {"type": "string"}},
                    {"name": "year", "in": "query", "schema": {"type": "integer"},
                     "description": "the year the case happened"},
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 60},
                     "description": "words searched in title, narrative and lessons (all must appear)"},
                    {"name": "mine", "in": "query", "schema": {"type": "boolean"},
                     "description": "only the caller's own cases"},
                    *PAGE_PARAMS],
                "responses": {"200": {"description": "A page, newest first", **json_content(page_of(CASE_REF))},
                              **STANDARD_ERRORS}},
    },
    "/api/v1/cases/{case_id}": {
        "get": {"summary": "One case", "parameters": [CASE_ID],
                "responses": {"200": {"description": "The case", **json_content(CASE_REF)}, **STANDARD_ERRORS,
                              **NOT_FOUND}},
        "patch": {"summary": "Change a case (its author, while draft or returned)", "parameters": [CASE_ID],
                  "description": PERSONAL_DATA_NOTE,
                  "requestBody": {"required": True, **json_content({"type": "object", "properties": {
                      **CASE_FIELDS, **VERSION}})},
                  "responses": {"200": {"description": "The whole updated case", **json_content(CASE_REF)},
                                **STANDARD_ERRORS, "403": error_response("FORBIDDEN: not the author"),
                                **NOT_FOUND, "409": error_response("INVALID_TRANSITION: not draft or returned")}},
    },
    "/api/v1/cases/{case_id}/submit": _action("Submit for review (author; from draft or returned)"),
    "/api/v1/cases/{case_id}/accept": _action(
        "Accept into the library (supervisor)",
        {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}, **VERSION}}),
    "/api/v1/cases/{case_id}/return": _action(
        "Return to the author with a reason (supervisor)",
        {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500},
                                                                  **VERSION}}),
    "/api/v1/cases/{case_id}/nominate": _action(
        "Nominate for a year's selection (supervisor; from accepted)",
        {"type": "object", "required": ["year"], "properties": {"year": {"type": "integer"}, **VERSION}},
        "INVALID_TRANSITION, SELECTION_FINAL (that year is final), or CONFLICT"),
    "/api/v1/selections/{year}": {
        "get": {"summary": "The year's ranking: an open round for supervisors, a final one for everyone",
                "parameters": [YEAR],
                "responses": {"200": {"description": "The round", **json_content(ROUND_REF)}, **STANDARD_ERRORS,
                              "404": error_response("NOT_FOUND: an open round asked for by a non-supervisor")}},
    },
    "/api/v1/selections/{year}/scores/{case_id}": {
        "put": {"summary": "Score a nominee (supervisor; a second PUT replaces the first)",
                "parameters": [YEAR, CASE_ID],
                "requestBody": {"required": True, **json_content({
                    "type": "object", "required": list(CRITERIA),
                    "properties": {c: {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX}
                                   for c in CRITERIA}})},
                "responses": {"200": {"description": "The score", **json_content(
                    {"$ref": "#/components/schemas/CaseScore"})}, **STANDARD_ERRORS,
                    "403": error_response("FORBIDDEN, or CONFLICT_OF_INTEREST (the supervisor wrote the case)"),
                    **NOT_FOUND,
                    "409": error_response("NOT_NOMINATED (not a nominee of that year) or SELECTION_FINAL")}},
    },
    "/api/v1/selections/{year}/finalise": {
        "post": {"summary": "Finalise: the top ten (all, when fewer) become selected", "parameters": [YEAR],
                 "responses": {"200": {"description": "The final round", **json_content(ROUND_REF)},
                               **STANDARD_ERRORS, **NOT_FOUND,
                               "409": error_response("SCORES_INCOMPLETE (a nominee without any score), "
                                                     "NOTHING_TO_SELECT or SELECTION_FINAL")}},
    },
}
