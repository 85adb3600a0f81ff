"""Outlets are rows, not code: the district's service points and their API list."""

from __future__ import annotations

from cardops.core.registry import contributions
from cardops.outlets import api


def register(app) -> None:
    app.register_blueprint(api.bp)
    contributions(app).add_openapi(api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
