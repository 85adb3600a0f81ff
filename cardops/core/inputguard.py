"""Refuse NUL characters in paths, query strings, forms and JSON bodies before they reach a query.

PostgreSQL text cannot hold NUL (the driver raises, which would be a 500); no real name, number or note
contains one, so such input is simply malformed: 400, like any other bad input.
"""

from __future__ import annotations

from flask import request

from cardops.core.errors import ValidationError

NUL = "\x00"


def contains_nul(value) -> bool:
    """Whether a JSON-like value holds a NUL in any string (keys included)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def _malformed() -> ValidationError:
    from cardops.core.handlers import HTTP_MESSAGES

    return ValidationError(str(HTTP_MESSAGES[400]))


def ensure_no_nul(value) -> None:
    if contains_nul(value):
        raise _malformed()


def init_input_guard(app) -> None:
    @app.before_request
    def reject_nul_characters():
        if NUL in request.path or any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
            raise _malformed()
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
                NUL in k or NUL in v for k, v in request.form.items(multi=True)):
            raise _malformed()
