"""The OpenAPI 3.1 document served at /api/v1/openapi.json, assembled from what the features registered
(``contributions().openapi_paths`` and ``openapi_schemas``), with the pieces every feature's part shares.
A test keeps every /api/v1 route in the document.
"""

from __future__ import annotations

import copy

from cardops.core.registry import contributions

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["VALIDATION_ERROR", "NOT_FOUND", "INVALID_TRANSITION"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def error_response(description: str) -> dict:
    return {"description": description, **json_content({"$ref": "#/components/schemas/Error"})}


def page_of(item_schema: dict) -> dict:
    """The schema of a list answer ``{items, page, per_page, total}``."""
    return {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": item_schema}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "total": {"type": "integer"}}}


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]

STANDARD_ERRORS = {
    "400": error_response("VALIDATION_ERROR: malformed JSON, wrong types, missing or invalid fields"),
    "401": error_response("UNAUTHENTICATED: missing, unknown or revoked token"),
    "403": error_response("FORBIDDEN: the token's user lacks the role"),
}


def _exact_parameters(paths: dict) -> dict:
    """Every string query parameter is at least one character long (the API refuses ``?status=``, see
    ``core.api.refuse_empty_parameters``), whichever feature declared it."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
    return paths


def build_document() -> dict:
    registered = contributions()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cardops API",
            "version": "1",
            "description": "社保卡补换卡防冒补系统 JSON API. Authenticate with `Authorization: Bearer <token>` "
                           "(`flask --app wsgi users token USERNAME`). Errors: "
                           "`{\"error\": {\"code\", \"message\", \"fields\"}}`.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA, **registered.openapi_schemas},
        },
        "paths": _exact_parameters(copy.deepcopy(dict(sorted(registered.openapi_paths.items())))),
    }
