"""URL converters. ``<int:…>`` takes any number of digits; a number past what the database's integer columns hold
(2³¹−1: ids are INTEGER) would reach the query and fail there (SQLite: OverflowError, PostgreSQL: out of range) —
a 500 for a mistyped address. Such a number names nothing: the converter passes ``-1`` on (no row has that id), so
the address is a plain 404 like any other unknown id. (Refusing it in the converter instead would make werkzeug
answer 405 when another method of the same address exists.)"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1
NO_SUCH_ID = -1


class BoundedIntegerConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if self.max is not None or number <= DATABASE_INT_MAX else NO_SUCH_ID


def init_app(app) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
