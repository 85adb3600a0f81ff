"""Benchmark mode: count SQL statements per request and report them in the ``X-SQL-Count`` header."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event


def init_app(app) -> None:
    from cardops.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g.sql_count = g.get("sql_count", 0) + 1

    @app.after_request
    def _report(response):
        response.headers["X-SQL-Count"] = str(g.get("sql_count", 0))
        return response
