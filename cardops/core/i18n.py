"""Chinese first, English available: the language is the session's choice, never the browser's guess."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_babel import lazy_gettext

from cardops.extensions import babel


def select_locale() -> str:
    # Outside a request (CLI, scheduler jobs) there is no session: messages stay in the default language.
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path) + "/translations",
    )


_l = lazy_gettext
