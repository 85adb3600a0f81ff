"""Links that leave the application — printed on a receipt (QR code), mailed, shown to be typed elsewhere — are
built from the configured ``PUBLIC_BASE_URL``, never from the request's Host header (SPEC §9): a forged Host must
not put an attacker's address on a receipt or in an e-mail, and jobs without a request build the same links.
"""

from __future__ import annotations

from flask import current_app


def public_address(path: str) -> str:
    """``PUBLIC_BASE_URL`` + ``path`` (a path of this application, e.g. a notification's stored link)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        raise RuntimeError("PUBLIC_BASE_URL is not configured")
    return base + path


def public_url(endpoint: str, **values) -> str:
    """The absolute public address of ``endpoint``: ``PUBLIC_BASE_URL`` + its path (and query arguments)."""
    adapter = current_app.url_map.bind("public.invalid", url_scheme="https")
    return public_address(adapter.build(endpoint, values, force_external=False))


def init_app(app) -> None:
    app.jinja_env.globals["public_url"] = public_url
