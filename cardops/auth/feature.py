"""Accounts: sign-in with lockout and idle timeout, API tokens, the ``users`` command."""

from __future__ import annotations

from cardops.auth import api, audit_words, views
from cardops.auth.commands import users_cli
from cardops.auth.loaders import init_login
from cardops.auth.session import init_session_guard
from cardops.core.registry import contributions


def register(app) -> None:
    init_login(app)
    init_session_guard(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(users_cli)
    contributions(app).add_openapi(api.OPENAPI_PATHS, api.OPENAPI_SCHEMAS)
    audit_words.register(app)
