"""OpenAPI paths of the watchlist (supervisors)."""

from cardops.core.openapi import STANDARD_ERRORS, error_response
from cardops.risk.models import WatchlistReason

REASONS = [r.value for r in WatchlistReason]
ENTRY_REF = {"$ref": "#/components/schemas/WatchlistEntry"}

OPENAPI_SCHEMAS = {
    "WatchlistEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "id_number_masked": {"type": "string"},
        "reason": {"type": "string", "enum": REASONS}, "note": {"type": ["string", "null"]},
        "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
}

OPENAPI_PATHS = {
    "/api/v1/watchlist": {
        "get": {"summary": "Active watchlist entries (masked)",
                "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}},
                               {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 100}}],
                "responses": {"200": {"description": "A page of entries", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"items": {"type": "array", "items": ENTRY_REF},
                                                               "page": {"type": "integer"},
                                                               "per_page": {"type": "integer"},
                                                               "total": {"type": "integer"}}}}}},
                              **STANDARD_ERRORS}},
        "post": {"summary": "Add a person",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["id_number", "reason"],
                     "properties": {"id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$",
                                                  "example": "310107198001010014"},
                                    "reason": {"type": "string", "enum": REASONS},
                                    "note": {"type": "string", "maxLength": 500}}}}}},
                 "responses": {"201": {"description": "Added", "content": {"application/json": {"schema": ENTRY_REF}}},
                               **STANDARD_ERRORS, "409": error_response("already listed")}},
    },
    "/api/v1/watchlist/{entry_id}": {
        "delete": {"summary": "Remove with a reason",
                   "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                   "requestBody": {"required": True, "content": {"application/json": {"schema": {
                       "type": "object", "required": ["reason"],
                       "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}}}}},
                   "responses": {"200": {"description": "Removed"}, **STANDARD_ERRORS,
                                 "404": error_response("NOT_FOUND")}},
    },
}
