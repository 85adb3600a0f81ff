"""OpenAPI paths and schemas of the reissue endpoints (SPEC §9)."""

from __future__ import annotations

from cardops.core.openapi import STANDARD_ERRORS, error_response
from cardops.reissue.numbers import NUMBER_SHAPE
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import RELATIONS, Channel, Kind, Status, Step
from cardops.risk.registry import RiskLevel

REQUEST_REF = {"$ref": "#/components/schemas/ReissueRequest"}
NUMBER_PATTERN = f"^{NUMBER_SHAPE}$"
ID_NUMBER = {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$", "minLength": 18, "maxLength": 18,
             "description": "18-character resident ID (GB 11643; the check character is verified: 400 otherwise)",
             "example": "310107198001010014"}
NUMBER_PARAM = {"name": "number", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": NUMBER_PATTERN, "maxLength": 32},
                "example": "PT03-20261126-0007"}
# Every action answers with the request: what a client does next with it (OpenAPI links; schemathesis follows them).
_FROM_BODY = {"number": "$response.body#/number"}


def _link(name: str, number: str) -> dict:
    link = {"operationRef": f"#/paths/~1api~1v1~1requests~1{{number}}~1{name}/post", "parameters": {"number": number}}
    if name == "collect":  # the token the request object carries for its outlet's staff
        link["requestBody"] = {"pickup_token": number.replace("/number", "/pickup_token"),
                               "collector": {"id_number": "310107198001010014"}}
    return link


def _links(*operations: str) -> dict:
    return {"links": {f"then_{name}": _link(name, _FROM_BODY["number"]) for name in operations}}


NEXT = {
    "intake": ("checks", "submit", "cancel"),
    "checks": ("checks", "submit", "cancel"),
    "submit": ("review", "arrive", "cancel"),
    "review": ("submit", "arrive"),
    "arrive": ("collect", "return"),
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _request_answer(description: str = "The whole updated request object", then: tuple = ()) -> dict:
    return {"description": description, **_json(REQUEST_REF), **(_links(*then) if then else {})}


ACTION_ERRORS = {
    **STANDARD_ERRORS,
    "404": error_response("NOT_FOUND: no such request in the caller's outlet scope"),
    "409": error_response("INVALID_TRANSITION, or CONFLICT when another action changed the request first "
                          "(optional body field `version` makes this explicit)"),
}


def _action(summary: str, body_schema: dict | None, extra_responses: dict | None = None,
            ok: dict | None = None, then: tuple = ()) -> dict:
    operation = {
        "summary": summary,
        "parameters": [NUMBER_PARAM],
        "responses": {"200": ok or _request_answer(then=then), **ACTION_ERRORS, **(extra_responses or {})},
    }
    if body_schema is not None:
        operation["requestBody"] = {"required": False, **_json(body_schema)}
    return {"post": operation}


NAME = {"type": "string", "minLength": 1, "maxLength": 50, "example": "张三",
        "description": "letters, the middle dot · and single spaces (SPEC §3.6)"}
PERSON = {
    "type": "object",
    "required": ["id_number", "name", "phone"],
    "properties": {
        "id_number": ID_NUMBER,
        "name": NAME,
        "phone": {"type": "string", "description": "11-digit mainland mobile", "minLength": 11, "maxLength": 30,
                  "example": "13812345678"},
    },
}
AGENT = {**PERSON, "required": [*PERSON["required"], "relation"],
         "properties": {**PERSON["properties"], "relation": {"type": "string", "enum": list(RELATIONS)},
                        "reason": {"type": "string", "maxLength": 200,
                                   "description": "optional: why the holder does not come in person"}}}
MASKED_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "id_number_masked": {"type": "string", "example": "310107********123X"},
                   "phone_masked": {"type": "string", "example": "138****5678"}},
}
VERSION = {"version": {"type": ["integer", "null"],
                       "description": "optional: the version the client saw (409 if stale)"}}
REASON = {"type": "string", "minLength": 1, "maxLength": 500, "example": "申请人撤回"}
REASON_BODY = {"type": "object", "required": ["reason"], "properties": {"reason": REASON, **VERSION}}

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
                                                                  "relation": {"type": "string"},
                                                                  "reason": {"type": ["string", "null"]}}},
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
            "pickup_code": {"type": ["string", "null"], "pattern": "^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$",
                            "description": "the short pickup code (取卡码) printed beside the QR; same visibility "
                                           "as pickup_token; a reprinted receipt voids both"},
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
                               "outlet_code": {"type": "string", "pattern": "^[A-Za-z0-9]{2,16}$"}}})},
            "responses": {"201": _request_answer("Created", then=NEXT["intake"]), **STANDARD_ERRORS,
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
                {"name": "flag", "in": "query", "schema": {"type": "string", "enum": list(RULES.rules)},
                 "description": "a risk rule's code (e.g. `PROXY_APPLICATION`): the requests it flagged"},
                {"name": "review", "in": "query", "schema": {"type": "string", "enum": ["approve", "reject"]},
                 "description": "the review decision on record"},
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "created on or after this local date (Asia/Shanghai)"},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
                 "description": "created on or before this local date (included)"},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 60},
                 "description": "number, applicant name prefix and/or last 4 ID characters, e.g. `张三 123X`. "
                                "A full ID number is refused here (it would sit in URLs and access logs): "
                                "POST /api/v1/requests/search"},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            ],
            "responses": {"200": {"description": "A page", **_json({"type": "object", "properties": {
                "items": {"type": "array", "items": REQUEST_REF}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "total": {"type": "integer"}}}), "links": {
                f"first_{name}": _link(name, "$response.body#/items/0/number")
                for name in ("checks", "submit", "review", "arrive", "collect", "cancel", "return")}},
                **STANDARD_ERRORS},
        },
    },
    "/api/v1/requests/search": {
        "post": {
            "summary": "Search requests by a full ID number (applicant or agent), without putting it in a URL",
            "requestBody": {"required": True, **_json({"type": "object", "required": ["id_number"], "properties": {
                "id_number": {**ID_NUMBER, "description": "18-character resident ID; matched by its keyed hash"},
                "status": {"type": "string"}, "kind": {"type": "string"}, "risk": {"type": "string"},
                "outlet_code": {"type": "string"}, "queue": {"type": "string"}, "q": {"type": "string"},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}})},
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
        {"422": error_response("CHECK_NOT_APPLICABLE")}, then=NEXT["checks"],
    ),
    "/api/v1/requests/{number}/submit": _action(
        "Submit for production (200) or for review (202)", {"type": "object", "properties": VERSION},
        {"202": _request_answer("Review required: now pending_review", then=("review", "cancel")),
         "422": error_response("CHECKS_INCOMPLETE (body carries missing_checks)")}, then=NEXT["submit"],
    ),
    "/api/v1/requests/{number}/review": _action(
        "Approve or reject (second person; high risk: supervisor)",
        {"type": "object", "required": ["decision"], "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject"]},
            "reason": {**REASON, "description": "required to reject"}, **VERSION}},
        {"403": error_response("SELF_REVIEW_FORBIDDEN or FORBIDDEN (clerk on a high-risk request)"),
         "422": error_response("CHECKS_INCOMPLETE")}, then=NEXT["review"],
    ),
    "/api/v1/requests/{number}/arrive": _action(
        "Record the new card's arrival", {"type": "object", "properties": {
            "card_number": {"type": "string", "maxLength": 32}, **VERSION}}, then=NEXT["arrive"]),
    "/api/v1/requests/{number}/collect": _action(
        "Hand the card over",
        {"type": "object", "required": ["collector"], "properties": {
            "pickup_token": {"type": "string", "maxLength": 500,
                             "description": "the receipt's token (or its verification URL)"},
            "pickup_code": {"type": "string", "maxLength": 20,
                            "description": "in place of pickup_token: the receipt's 8-character pickup code "
                                           "(case, spaces and dashes ignored)"},
            "collector": {"type": "object", "required": ["id_number"], "properties": {
                "id_number": ID_NUMBER, "name": {**NAME, "description": "optional"}}}, **VERSION}},
        {"422": error_response("PICKUP_TOKEN_INVALID or COLLECTOR_MISMATCH")},
    ),
    "/api/v1/requests/{number}/cancel": _action("Cancel (from intake or pending_review)", REASON_BODY),
    "/api/v1/requests/{number}/return": _action("Return an uncollected card to the city center", REASON_BODY),
    "/api/v1/public/status": {
        "get": {
            "summary": "Public status look-up (no login; 10 a minute per address)",
            "security": [],
            "parameters": [{"name": "number", "in": "query", "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 32}},
                           {"name": "id_last4", "in": "query", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]{3}[0-9Xx]$"}}],
            "responses": {"200": {"description": "Status and outlet only",
                                  **_json({"$ref": "#/components/schemas/PublicStatus"})},
                          "400": error_response("VALIDATION_ERROR"), "404": error_response("NOT_FOUND"),
                          "429": error_response("RATE_LIMITED")},
        }
    },
}
