"""Template filters and globals shared by every feature."""

from __future__ import annotations

from datetime import date, datetime

from flask import request, url_for

from cardops.core.access import current_actor
from cardops.core.navigation import nav_items
from cardops.core.pii import mask_id_number, mask_phone
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


def init_templating(app) -> None:
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
    )
    app.jinja_env.globals.update(url_with=url_with, nav_items=nav_items)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_actor():
        return {"actor": current_actor()}
