"""Chinese first, English available: the language is the session's choice, never the browser's guess."""

from __future__ import annotations

from flask import current_app, g, has_request_context, session
from flask_babel import get_translations, lazy_gettext

from cardops.core.messages import translate_message
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
    # Templates call _() a hundred times and more per page. Flask-Babel finds the catalogue again for each call
    # (context, domain, locale, its name); looking it up once per request halves the cost of every message.
    app.jinja_env.install_gettext_callables(
        page_gettext,
        lambda singular, plural, n: _request_translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: _request_translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: _request_translations().unpgettext(context, singular, plural, n),
    )
    app.jinja_env.filters["tr"] = translate


def page_gettext(message: str) -> str:
    """``gettext`` for what a page shows, with the request's catalogue looked up once per request."""
    return _request_translations().ugettext(message)


def _request_translations():
    translations = g.get("_cardops_translations")
    if translations is None:
        translations = g._cardops_translations = get_translations()
    return translations


_l = lazy_gettext


def N_(message: str) -> str:
    """Marks a vocabulary string for extraction and returns it unchanged (deferred translation).

    The labels of workflow.py, risk/models.py and auth/models.py stay plain Chinese strings (the API, the
    services and the audit log use them as they are); pages translate them when shown, with ``_(label)``.
    """
    return message


def translate(message):
    """Display-time translation of a message a service gave in Chinese (marked with ``N_`` where it is defined).

    A ``Message`` (``cardops.core.messages``) is rebuilt from its translated template and parameters. Unknown text
    (user input) comes back unchanged and is never treated as a format string or as markup, so pages may pass
    any refusal message through it (the ``tr`` template filter).
    """
    if not message:
        return message
    return translate_message(message)
