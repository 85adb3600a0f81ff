"""Shared API plumbing: token authentication, JSON bodies, JSON answers."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import update

from cardops.core.errors import Unauthenticated, ValidationError
from cardops.core.inputguard import ensure_no_nul
from cardops.core.timeutil import utcnow
from cardops.extensions import csrf, db

API_PREFIX = "/api/v1"
TOKEN_TOUCH_INTERVAL = timedelta(hours=1)
PUBLIC_ENDPOINT_ATTR = "api_public"


def public(view):
    """Mark an API view as needing no token (e.g. the public status look-up)."""
    setattr(view, PUBLIC_ENDPOINT_ATTR, True)
    return view


def _authenticate_bearer():
    from cardops.auth.models import ApiToken
    from cardops.auth.services import token_for_secret

    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = token_for_secret(secret.strip())
    if token is None:
        return None
    user = token.user
    now = utcnow()
    stale = now - TOKEN_TOUCH_INTERVAL
    # Record use at most hourly: a write per API call would cost every read endpoint, and so would the commit
    # (it expires the loaded user, whom the view would then load again). Decided on the row just read; the
    # UPDATE re-checks it so concurrent calls of one token still write once.
    if token.last_used_at is None or token.last_used_at < stale:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id)
            .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < stale))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return user


def api_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX + url_prefix)
    csrf.exempt(bp)

    @bp.before_request
    def authenticate():
        g.api_user = _authenticate_bearer()
        view = bp_view()
        if g.api_user is None and not getattr(view, PUBLIC_ENDPOINT_ATTR, False):
            raise Unauthenticated(_("缺少或无效的 API 令牌（Authorization: Bearer <token>）"))

    def bp_view():
        from flask import current_app

        return current_app.view_functions.get(request.endpoint)

    return bp


def json_body() -> dict:
    """The request's JSON object; malformed JSON or a non-object body is a 400 VALIDATION_ERROR."""
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
    ensure_no_nul(data)
    return data


def json_ok(body, status: int = 200):
    return jsonify(body), status
