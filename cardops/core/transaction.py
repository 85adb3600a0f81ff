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

from flask import Flask, g, has_request_context

from cardops.extensions import db

_SETTLED = "_cardops_unit_of_work_settled"
_BEFORE_COMMIT = "_cardops_before_commit"


class CardopsFlask(Flask):
    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        end_unit_of_work(response.status_code)
        return response


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
        db.session.rollback()


def settle(error) -> None:
    """After a refused operation: keep what the refusal recorded (``error.persist``), roll back the rest."""
    if getattr(error, "persist", False):
        db.session.commit()
    else:
        db.session.rollback()
    if has_request_context():
        setattr(g, _SETTLED, True)
