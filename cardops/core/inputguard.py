"""Refuse text no field may hold before any view runs: in the path, the query string, form fields and every string
of a JSON body (keys included).

What is refused (``cardops.core.validation.refused_character``): NUL and the other control characters except tab
and line breaks, bidi embeddings/overrides/isolates, and lone UTF-16 surrogates. Flask's JSON parser accepts
``"\\ud800"`` and PostgreSQL cannot store it (nor NUL): left alone, either reaches the database driver and becomes a
500. No real name, number or note contains one, so the request is malformed: 400 ``VALIDATION_ERROR`` naming the
field, in one place, so that no service ever sees such a string. Which fields may hold line breaks is the
services' business (``validation.text(..., multiline=True)``).
"""

from __future__ import annotations

from flask import request

from cardops.core.errors import ValidationError
from cardops.core.validation import refused_character

NUL = "\x00"
JSON_PATH_PREFIX = "/api/"


class MalformedInput(ValidationError):
    """Refused before the view ran: the page cannot show the form again, so HTML gets a 400 page too."""

    show_page = True


def _problems(value, path: str = "", found: dict | None = None) -> dict[str, str]:
    """``{field path: reason}`` for every refused string in a JSON-like value (``applicant.name``, ``items.0``)."""
    found = {} if found is None else found
    if isinstance(value, str):
        problem = refused_character(value)
        if problem is not None:
            found.setdefault(path or "body", problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            key_problem = refused_character(key) if isinstance(key, str) else None
            name = f"{path}.{key}" if path else str(key)
            if key_problem is not None:
                found.setdefault(path or "body", key_problem)
            else:
                _problems(item, name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _problems(item, f"{path}.{index}" if path else str(index), found)
    return found


def contains_nul(value) -> bool:
    """Whether a JSON-like value holds a NUL in any string (keys included)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def _malformed(fields: dict[str, str]) -> MalformedInput:
    """The error names each field and what is wrong with it (a page shows only the message)."""
    from flask_babel import gettext

    details = "；".join(f"{name}：{gettext(problem)}" for name, problem in fields.items())
    return MalformedInput(gettext("提交的内容含有不允许的字符（%(details)s）", details=details), fields=fields)


def ensure_clean(value) -> None:
    """Raise the guard's 400 when a JSON-like value holds a string no field may hold."""
    found = _problems(value)
    if found:
        raise _malformed(found)


ensure_no_nul = ensure_clean  # the former name (NUL was the first character refused)


def _pairs_problems(pairs) -> dict[str, str]:
    """For query strings and forms: ``{field: reason}`` (a refused field name is reported as ``name``)."""
    found: dict[str, str] = {}
    for key, value in pairs:
        key_problem = refused_character(key)
        if key_problem is not None:
            found.setdefault("name", key_problem)
            continue
        problem = refused_character(value)
        if problem is not None:
            found.setdefault(key, problem)
    return found


def _json_document():
    """The request's JSON when it is JSON (API calls are JSON whatever their Content-Type), else None."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not (
            request.is_json or request.path.startswith(JSON_PATH_PREFIX)):
        return None
    try:
        return request.get_json(silent=True, force=True)
    except RecursionError:  # [[[[…: json_body answers it as malformed JSON
        return None


def init_input_guard(app) -> None:
    @app.before_request
    def refuse_malformed_text():
        problem = refused_character(request.path)
        if problem is not None:
            raise _malformed({"path": problem})
        found = _pairs_problems(request.args.items(multi=True))
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found.update(_pairs_problems(request.form.items(multi=True)))
        if not found:
            found = _problems(_json_document())
        if found:
            raise _malformed(found)
