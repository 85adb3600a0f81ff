"""Links in notifications: paths of this application, built without a request (the scheduler has none).

Mails make them absolute with ``PUBLIC_BASE_URL``, never with the Host header of whatever request is running.
A subject whose page belongs to a feature that is not installed gets no link rather than a broken one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, g
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, RequestRedirect


def _adapter():
    adapter = g.get("_cardops_link_adapter")
    if adapter is None:  # once per application context: a run builds thousands of links
        adapter = g._cardops_link_adapter = current_app.url_map.bind("localhost")
    return adapter


def path_for(endpoint: str, **values) -> str | None:
    """The path of ``endpoint`` (with ``values``), or None when the application has no such page."""
    try:
        return _adapter().build(endpoint, values)
    except BuildError:
        return None


def first_path(*endpoints: str, **values) -> str | None:
    """The path of the first of ``endpoints`` the application serves."""
    return next((path for endpoint in endpoints if (path := path_for(endpoint, **values)) is not None), None)


def served_path(path: str, **query) -> str | None:
    """``path`` (a page the SPEC names, e.g. /dashboard) with ``query``, or None while nothing serves it."""
    try:
        _adapter().match(path, method="GET")
    except RequestRedirect:  # served, with a trailing slash
        pass
    except HTTPException:
        return None
    return path + ("?" + urlencode(query) if query else "")


def absolute_url(path: str | None) -> str | None:
    if not path:
        return None
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
