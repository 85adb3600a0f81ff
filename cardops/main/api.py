"""``GET /api/v1/openapi.json``: the API's own description (no token needed)."""

from __future__ import annotations

from flask import jsonify

from cardops.core.api import api_blueprint, public
from cardops.core.openapi import build_document

bp = api_blueprint("main_api", __name__)


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(build_document())


OPENAPI_PATHS = {
    "/api/v1/openapi.json": {
        "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI"}}}
    },
}
