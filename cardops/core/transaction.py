"""One unit of work per request, committed or rolled back in one place (Indico's pattern).

Services only flush; views and API functions never commit. When the view returns, ``CardopsFlask`` commits if
the answer is a success (status below 400) and rolls back otherwise, so a form shown again with its errors or a
refused API call leaves nothing half-written. A commit that fails (a lost optimistic lock, a unique index) raises
inside the request and is answered by the error handlers like any refusal.

Bookkeeping that should only be written when the request succeeds, and as late as possible (an API token's last
use: on SQLite any write takes the database's write lock until commit) is queued with ``before_commit``.

A refused operation is ``settle``\\ d where it is caught: rolled back, or committed when the refusal itself was
recorded and must stay (an audited failed sign-in or pickup, ``DomainError.persist``). CLI commands and jobs commit
themselves, once, at their end.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from cardops.extensions import db

_SETTLED = "_cardops_unit_of_work_settled"
_BEFORE_COMMIT = "_cardops_before_commit"


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CardopsFlask(Flask):
    def dispatch_request(self):
        try:
            response = self.make_response(super().dispatch_request())
        except DBAPIError as error:
            # A read whose connection dropped under it (the database restarted, a failover) is tried once more
            # on a fresh connection; anything else goes to the error handlers (503 while the database is away).
            if not (error.connection_invalidated and request.method in IDEMPOTENT_METHODS):
                raise
            current_app.logger.warning("connection lost during %s %s; retrying the read once",
                                       request.method, request.path)
            rollback_quietly()
            response = self.make_response(super().dispatch_request())
        end_unit_of_work(response.status_code)
        return response


def rollback_quietly() -> None:
    """Roll back; on a dead connection the rollback itself fails: then drop the connection instead (the error
    that brought us here is what the client hears about, not a second one from the rollback)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        try:
            db.session.close()
        except SQLAlchemyError:
            db.session.invalidate()


def before_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` in this request's unit of work just before it commits (not at all if it rolls back)."""
    g.setdefault(_BEFORE_COMMIT, []).append(callback)


def end_unit_of_work(status: int) -> None:
    pending = g.pop(_BEFORE_COMMIT, []) if has_request_context() else []
    if has_request_context() and g.pop(_SETTLED, False):
        return
    if status < 400:
        for callback in pending:
            callback()
        db.session.commit()
    else:
        rollback_quietly()


def settle(error) -> None:
    """After a refused operation: keep what the refusal recorded (``error.persist``), roll back the rest."""
    if getattr(error, "persist", False):
        try:
            db.session.commit()
        except DBAPIError as lost:  # the database went away: the refusal is still the answer, its record is lost
            current_app.logger.warning("could not keep the record of a refused operation: %s", type(lost.orig).__name__)
            rollback_quietly()
    else:
        rollback_quietly()
    if has_request_context():
        setattr(g, _SETTLED, True)
