"""``GET /api/v1/outlets``: the district's outlets (every signed-in user)."""

from __future__ import annotations

from cardops.core.access import login_required
from cardops.core.api import api_blueprint, json_ok
from cardops.core.openapi import STANDARD_ERRORS, json_content
from cardops.outlets.services import all_outlets

bp = api_blueprint("outlets_api", __name__)


@bp.get("/outlets")
@login_required
def index():
    return json_ok({"items": [o.to_dict() for o in all_outlets()]})


OPENAPI_SCHEMAS = {
    "Outlet": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "active": {"type": "boolean"}},
    },
}
OPENAPI_PATHS = {
    "/api/v1/outlets": {
        "get": {"summary": "All outlets",
                "responses": {"200": {"description": "Outlets", **json_content({
                    "type": "object", "properties": {"items": {"type": "array",
                                                               "items": {"$ref": "#/components/schemas/Outlet"}}}})},
                              **STANDARD_ERRORS}},
    },
}
