"""The JSON API's plumbing under /api/v1: blueprints that require a Bearer token, JSON bodies, JSON answers.

Who a token belongs to is the auth feature's business: it sets ``g.api_user`` before any /api/ view runs (see
``cardops.auth.feature``). Here a view without that user is refused with 401 unless it is marked ``public``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from cardops.core.errors import Unauthenticated, ValidationError
from cardops.core.pagination import Page
from cardops.extensions import csrf

API_PREFIX = "/api/v1"
PUBLIC_ENDPOINT_ATTR = "api_public"


def public(view):
    """Mark an API view as needing no token (e.g. the public status look-up)."""
    setattr(view, PUBLIC_ENDPOINT_ATTR, True)
    return view


def api_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX + url_prefix)
    csrf.exempt(bp)

    @bp.before_request
    def require_token():
        view = current_app.view_functions.get(request.endpoint)
        if g.get("api_user") is None and not getattr(view, PUBLIC_ENDPOINT_ATTR, False):
            raise Unauthenticated(_("缺少或无效的 API 令牌（Authorization: Bearer <token>）"))
        refuse_empty_parameters()

    return bp


def refuse_empty_parameters() -> None:
    """``?status=``: a filter given without a value is a mistake in the API (400 naming it), not "all" as on the
    HTML queue pages; the OpenAPI document says so with ``minLength: 1``."""
    empty = {name: _("参数不能为空") for name, value in request.args.items(multi=True) if not value.strip()}
    if empty:
        raise ValidationError(fields=empty)


def json_body() -> dict:
    """The request's JSON object; malformed JSON or a non-object body is a 400 VALIDATION_ERROR. Its strings have
    passed the input guard (``cardops.core.inputguard``): no NUL, control character, bidi override or lone
    surrogate."""
    try:
        data = request.get_json(silent=True, force=True) if request.data else None
    except RecursionError:  # absurdly deep nesting ([[[[…): as invalid as any other malformed body
        data = None
    if request.data and data is None:
        raise ValidationError(_("请求体不是有效的 JSON"))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(_("请求体应为 JSON 对象"))
    return data


def json_ok(body, status: int = 200):
    return jsonify(body), status


def json_page(listing: Page, to_dict) -> tuple:
    """A list answer of SPEC §9: ``{items, page, per_page, total}``."""
    return json_ok({"items": [to_dict(item) for item in listing.items], "page": listing.page,
                    "per_page": listing.per_page, "total": listing.total})
