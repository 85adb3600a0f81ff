"""What every template may use: date filters, masking, the navigation, and the features' vocabularies.

A coded value (a status, a kind, a risk level …) is shown through its vocabulary, registered by its feature:
``label('status', r.status)`` gives the translated word, ``badge('status', r.status)`` the coloured badge,
``options('kind')`` the (value, label) pairs of a select. Badges appear on every line of every queue, so they are
Python functions, not macros (a macro call costs several times a function call).

"""

from __future__ import annotations

from datetime import date, datetime

from flask import request, url_for
from markupsafe import Markup, escape

from cardops.core.access import current_actor
from cardops.core.i18n import page_gettext
from cardops.core.navigation import nav_items
from cardops.core.pii import mask_id_number, mask_name, mask_phone
from cardops.core.registry import contributions
from cardops.core.timeutil import to_local


def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%Y-%m-%d")


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (pagination and filter links)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


class Vocabularies:
    """``label``, ``options``, ``badge``, ``home_panels`` and ``header_items`` over the contributions of one
    application (looked up once, not on each of the hundreds of calls a queue page makes)."""

    def __init__(self, registered):
        self.registered = registered

    def label(self, vocabulary: str, value) -> str:
        """The translated word for ``value`` (the value itself when the vocabulary does not know it)."""
        if value is None:
            return ""
        words = self.registered.vocabularies[vocabulary].labels
        return page_gettext(words[value]) if value in words else str(value)

    def options(self, vocabulary: str) -> list[tuple[str, str]]:
        return [(str(value), page_gettext(word))
                for value, word in self.registered.vocabularies[vocabulary].labels.items()]

    def badge_style(self, vocabulary: str, value) -> str:
        return self.registered.vocabularies[vocabulary].badges.get(value, "neutral")

    def badge(self, vocabulary: str, value, size: str = "") -> Markup:
        classes = (f"badge badge-{self.badge_style(vocabulary, value)} {vocabulary}-badge"
                   + (f" badge-{size}" if size else ""))
        # An f-string of escaped parts: Markup.format costs three times as much, forty times a queue page.
        return Markup(f'<span class="{escape(classes)}" data-{escape(vocabulary)}="{escape(value)}">'
                      f'{escape(self.label(vocabulary, value))}</span>')

    def home_panels(self, actor) -> list[tuple[str, dict]]:
        """The home page's sections for ``actor``: (template, context) in display order."""
        return _fragments(self.registered.home_panels, actor)

    def header_items(self, actor) -> list[tuple[str, dict]]:
        """What the features show in the page header of a signed-in user (the notification bell …)."""
        return _fragments(self.registered.header_items, actor) if actor is not None else []


def _fragments(registered, actor) -> list[tuple[str, dict]]:
    panels = sorted((p for p in registered if p.visible_to(actor)), key=lambda p: p.order)
    return [(p.template, p.context(actor) if p.context else {}) for p in panels]


def init_templating(app) -> None:
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
        mask_name=mask_name,
    )
    words = Vocabularies(contributions(app))  # the features fill it in as they register
    app.jinja_env.globals.update(url_with=url_with, nav_items=nav_items, label=words.label, options=words.options,
                                 badge=words.badge, badge_style=words.badge_style, home_panels=words.home_panels,
                                 header_items=words.header_items)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_actor():
        return {"actor": current_actor()}
