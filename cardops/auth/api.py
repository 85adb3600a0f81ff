"""``GET /api/v1/me``: the token's user."""

from __future__ import annotations

from cardops.core.access import current_actor, login_required
from cardops.core.api import api_blueprint, json_ok
from cardops.core.openapi import STANDARD_ERRORS, json_content

bp = api_blueprint("auth_api", __name__)


@bp.get("/me")
@login_required
def me():
    actor = current_actor()
    body = actor.to_dict()
    if actor.outlet is not None:
        body["outlet"] = actor.outlet.to_dict()
    return json_ok(body)


OPENAPI_SCHEMAS = {
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
}
OPENAPI_PATHS = {
    "/api/v1/me": {
        "get": {"summary": "The token's user",
                "responses": {"200": {"description": "The user", **json_content({"$ref": "#/components/schemas/User"})},
                              **STANDARD_ERRORS}},
    },
}
