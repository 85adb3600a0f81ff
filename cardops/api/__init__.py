"""The JSON API under /api/v1: Bearer tokens, the SPEC §9 error format, the OpenAPI document.

Features add endpoints on blueprints made by ``api_blueprint``, which share token authentication.
"""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select

from cardops.api.core import api_blueprint, json_ok, public
from cardops.core.access import current_actor, login_required
from cardops.extensions import db
from cardops.outlets.models import Outlet

bp = api_blueprint("api", __name__)


@bp.get("/me")
@login_required
def me():
    actor = current_actor()
    body = actor.to_dict()
    if actor.outlet is not None:
        body["outlet"] = actor.outlet.to_dict()
    return json_ok(body)


@bp.get("/outlets")
@login_required
def outlets():
    rows = db.session.scalars(select(Outlet).order_by(Outlet.code))
    return json_ok({"items": [o.to_dict() for o in rows]})


@bp.get("/openapi.json")
@public
def openapi():
    from cardops.api.openapi import build_document

    return jsonify(build_document(current_app))

