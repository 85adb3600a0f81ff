"""Pagination for HTML lists and the API (``{items, page, per_page, total}``).

The API's ``total`` is exact. A page shows a bounded count instead: counting every row of years of history costs
more than the page itself, so past ``PAGE_COUNT_LIMIT`` rows a page says "10,000+" (``Page.total_is_bounded``)
and pages on with "next".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, func, literal, select

from cardops.core.errors import ValidationError
from cardops.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
PAGE_COUNT_LIMIT = 10_000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    total_is_bounded: bool = False  # there are more than ``total`` rows

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.total_is_bounded


def parse_page_args(args, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``page`` ≥ 1 and ``per_page`` in 1..100; anything else is a 400 naming the parameter."""
    fields = {}
    try:
        page = int(args.get("page", 1))
        if not 1 <= page <= MAX_PAGE:  # a huge page would overflow the database's OFFSET (a 500)
            raise ValueError
    except (TypeError, ValueError):
        fields["page"] = _("page 应为正整数")
        page = 1
    try:
        per_page = int(args.get("per_page", default_per_page))
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError
    except (TypeError, ValueError):
        fields["per_page"] = _("per_page 应为 1 到 100 之间的整数")
        per_page = default_per_page
    if fields:
        raise ValidationError(fields=fields)
    return page, per_page


def lenient_page_args(args, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """For pages: a mistyped page number in an address shows the first page instead of an error."""
    try:
        return parse_page_args(args, default_per_page)
    except ValidationError:
        return 1, default_per_page


# A page as named parameters: a list statement written once (``paged``) stays the same object page after page.
PAGE_LIMIT = bindparam("page_limit", type_=Integer)
PAGE_OFFSET = bindparam("page_offset", type_=Integer)


def paged(stmt: Select) -> Select:
    return stmt.limit(PAGE_LIMIT).offset(PAGE_OFFSET)


def paginate(stmt: Select, page: int, per_page: int, *, bounded: bool = False, scalars: bool = True,
             total: int | None = None, rows: Select | None = None, params: dict | None = None) -> Page:
    """One page of ``stmt`` and its total: exact, or (``bounded``) counted up to ``PAGE_COUNT_LIMIT``.

    The total is counted only when the page cannot tell it: a page with rows and room to spare is the last one,
    so the rows before it and its own are all there are (a short queue, a search: one statement, not two).
    ``total``: the exact number of rows of ``stmt`` when the caller has it already (a queue tab's card counted the
    same criteria): it is not counted a second time. ``rows``: the statement of what the page shows, ``paged``,
    when it shows more than ``stmt`` selects (names joined in, loading options); ``stmt`` alone is counted.
    ``params``: the values of the named parameters of both.
    """
    params = params or {}
    query = paged(stmt) if rows is None else rows
    values = {**params, "page_limit": per_page, "page_offset": (page - 1) * per_page}
    result = db.session.scalars(query, values) if scalars else db.session.execute(query, values)
    items = list(result.unique() if scalars else result)
    if total is None and (0 < len(items) < per_page or (not items and page == 1)):
        total = (page - 1) * per_page + len(items)
    if total is None:
        total = _count(stmt, bounded, params)
    else:
        bounded = False  # an exact total
    if bounded and total > PAGE_COUNT_LIMIT:
        return Page(items, page, per_page, PAGE_COUNT_LIMIT, total_is_bounded=True)
    return Page(items, page, per_page, total)


def _count(stmt: Select, bounded: bool, params: dict) -> int:
    # Count rows, not columns: without the columns the database may answer from an index alone.
    unordered = stmt.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
    if bounded:
        unordered = unordered.limit(PAGE_COUNT_LIMIT + 1)
    return db.session.scalar(select(func.count()).select_from(unordered.subquery()), params) or 0
