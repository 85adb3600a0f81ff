"""Links in notifications: paths of this application, built without a request (the scheduler has none).

Mails make them absolute with ``cardops.core.urls.public_address`` (``PUBLIC_BASE_URL``), never with the Host header
of whatever request is running.
"""

from __future__ import annotations

from flask import current_app, g
from werkzeug.routing import BuildError


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
