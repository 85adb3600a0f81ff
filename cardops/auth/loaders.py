"""Who is asking: the session's user (Flask-Login) for pages, the Bearer token's user for the API."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from cardops.auth.models import User
from cardops.auth.services import token_for_secret, touch_token
from cardops.core.api import API_PREFIX
from cardops.core.i18n import _l
from cardops.core.registry import contributions
from cardops.core.transaction import before_commit
from cardops.extensions import db, login_manager


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_session_user)
    app.before_request(load_api_user)


# On every page: the user with roles and outlet joined in (every page asks for both) and what the features load
# with it (``session_user_loads``), written once per application. As the database has it now, even where the
# session already holds the user (a session kept across requests, as in tests): the bell's count is live.
SESSION_USER = (select(User).where(User.id == bindparam("user_id"))
                .options(joinedload(User.role_rows), joinedload(User.outlet))
                .execution_options(populate_existing=True))


def session_user_statement():
    extensions = current_app.extensions
    if "cardops.session_user" not in extensions:
        extensions["cardops.session_user"] = SESSION_USER.options(*contributions().session_user_loads)
    return extensions["cardops.session_user"]


def load_session_user(session_id: str) -> User | None:
    """The user of a session whose identity (``User.get_id``: ``"<id>:<generation>"``) is still current: after
    a sign-out, a deactivation or a password change the generation has moved on and the cookie is worthless."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.scalars(session_user_statement(), {"user_id": int(user_id)}).unique().first()
    if user is None or (user.session_generation or 0) != int(generation):
        return None
    return user


def load_api_user() -> None:
    """``g.api_user`` for an API call with a valid ``Authorization: Bearer`` token (the API blueprints refuse
    the call without one, unless the view is public)."""
    if not request.path.startswith(API_PREFIX + "/"):
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    if token is not None:
        before_commit(lambda: touch_token(token))
        g.api_user = token.user
