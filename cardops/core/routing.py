"""URL converters. ``<int:…>`` takes any number of digits; a number past what the database's integer columns
hold (2⁶³−1) would reach the query and fail there (SQLite: OverflowError, PostgreSQL: out of range) — a 500 for
a mistyped address. Such a number names nothing: the bounded converter makes it a plain 404."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**63 - 1


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DATABASE_INT_MAX if max is None else max,
                         signed=signed)


def init_app(app) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
