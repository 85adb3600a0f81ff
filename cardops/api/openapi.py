"""The OpenAPI 3.1 document served at /api/v1/openapi.json.

Each feature contributes a dict of paths (``OPENAPI_PATHS``) and schemas (``OPENAPI_SCHEMAS``) from its own
module, listed in ``features.OPENAPI``; a test checks every /api/v1 route is documented.
"""

from __future__ import annotations

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


def error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


STANDARD_ERRORS = {
    "400": error_response("VALIDATION_ERROR: malformed JSON, wrong types, missing or invalid fields"),
    "401": error_response("UNAUTHENTICATED: missing, unknown or revoked token"),
    "403": error_response("FORBIDDEN: the token's user lacks the role"),
}

CORE_PATHS = {
    "/api/v1/me": {
        "get": {
            "summary": "The token's user",
            "responses": {"200": {"description": "The user",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/outlets": {
        "get": {
            "summary": "All outlets",
            "responses": {"200": {"description": "Outlets", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"items": {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/Outlet"}}}}}}},
                          **STANDARD_ERRORS},
        }
    },
    "/api/v1/openapi.json": {
        "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI"}}}
    },
}

CORE_SCHEMAS = {
    "Error": ERROR_SCHEMA,
    "User": {
        "type": "object",
        "properties": {
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string",
                                                  "enum": ["clerk", "trainer", "supervisor", "admin"]}},
            "outlet_code": {"type": ["string", "null"]},
            "active": {"type": "boolean"},
        },
    },
    "Outlet": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "active": {"type": "boolean"}},
    },
}


def build_document(app) -> dict:
    from cardops.features import OPENAPI

    paths = dict(CORE_PATHS)
    schemas = dict(CORE_SCHEMAS)
    for module in OPENAPI():
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
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
            "schemas": schemas,
        },
        "paths": paths,
    }
