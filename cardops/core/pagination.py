"""Pagination for HTML lists and the API (``{items, page, per_page, total}``)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, func, select

from cardops.core.errors import ValidationError
from cardops.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_page_args(args, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``page`` ≥ 1 and ``per_page`` in 1..100 (larger values are capped at 100); anything else is a 400."""
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
        if per_page < 1:
            raise ValueError
    except (TypeError, ValueError):
        fields["per_page"] = _("per_page 应为 1 到 100 之间的整数")
        per_page = default_per_page
    if fields:
        raise ValidationError(fields=fields)
    return page, min(per_page, MAX_PER_PAGE)


@dataclass(frozen=True)
class ListQuery:
    """A list statement built once, run many times: its rows (page size and offset as parameters) and its count.

    Building a SELECT and computing its cache key costs more Python time than running it; lists that every
    request runs (queues, API lists) are built once per shape of filters and executed with their values as
    parameters (see ``cardops.reissue.queries``).
    """

    rows: Select
    count: Select

    @classmethod
    def of(cls, stmt: Select) -> ListQuery:
        return cls(
            rows=stmt.limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer)),
            count=select(func.count()).select_from(stmt.order_by(None).subquery()),
        )


def paginate(stmt: Select | ListQuery, page: int, per_page: int, *, params: dict | None = None,
             scalars=True, total: int | None = None) -> Page:
    """One page of ``stmt`` (a statement, or a ``ListQuery`` with its ``params``) and the total (counted unless
    the caller already knows it)."""
    if isinstance(stmt, ListQuery):
        params = dict(params or {})
        if total is None:
            total = _total(stmt.count, params)
        params.update(page_limit=per_page, page_offset=(page - 1) * per_page)
        query = stmt.rows
    else:
        params = {}
        if total is None:
            total = _total(select(func.count()).select_from(stmt.order_by(None).subquery()), params)
        query = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(query, params) if scalars else db.session.execute(query, params)
    items = list(result.unique() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)


def _total(count_stmt: Select, params: dict) -> int:
    """The number of matching rows, counted on every call while counting is cheap (queues, searches: exact, live).

    A total that took ``PAGINATION_SLOW_COUNT_MS`` or more to count — ``count(*)`` over an outlet's years of
    history, the audit log, a filter no index narrows — is reused for ``PAGINATION_TOTAL_SECONDS`` by the process
    that counted it, for exactly the same query and parameters. The items are always read fresh; only a figure
    like "73,460 requests" may lag by those seconds.
    """
    config = current_app.config
    seconds = config.get("PAGINATION_TOTAL_SECONDS", 60)
    if not seconds:
        return db.session.scalar(count_stmt, params) or 0
    cache_key = count_stmt._generate_cache_key()  # the statement's structure, its bound values and parameters
    key = (cache_key.key, tuple(_hashable(p.effective_value) for p in cache_key.bindparams),
           tuple(sorted((k, _hashable(v)) for k, v in params.items()))) if cache_key else None
    remembered = current_app.extensions.setdefault("cardops_slow_totals", {})
    started = time.monotonic()
    hit = remembered.get(key) if key is not None else None
    if hit is not None and hit[0] > started:
        return hit[1]
    total = db.session.scalar(count_stmt, params) or 0
    finished = time.monotonic()
    if key is not None and (finished - started) * 1000 >= config.get("PAGINATION_SLOW_COUNT_MS", 20):
        if len(remembered) >= 512:  # filters are few, but never let the memory grow without bound
            remembered.clear()
        remembered[key] = (finished + seconds, total)
    return total


def _hashable(value):
    return tuple(value) if isinstance(value, list | set | frozenset) else value
