"""The year's selection round (评选轮次) as a lock: nominations, scores and the finalisation of a year go through
its row, so a score or a nomination arriving while the round is finalised either lands before it or is refused
with SELECTION_FINAL — never lost, never half-counted."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from cardops.cases.errors import SelectionFinal
from cardops.cases.models import SelectionRound
from cardops.cases.workflow import RoundStatus
from cardops.extensions import db

_ROUNDS = SelectionRound.__table__


def get_round(year: int) -> SelectionRound | None:
    return db.session.get(SelectionRound, year)


def _create_round(year: int) -> SelectionRound:
    try:
        # Inside a savepoint: two supervisors nominating the first case of a year at the same moment both try.
        with db.session.begin_nested():
            round_ = SelectionRound(year=year, status=RoundStatus.OPEN)
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        round_ = db.session.get(SelectionRound, year)
        if round_ is None:
            raise
    return round_


def lock_open_round(year: int, *, create: bool = False) -> SelectionRound | None:
    """The year's round, row-locked until commit while it is open; SELECTION_FINAL once final. Without ``create``,
    None when the year has no round (nothing was ever nominated for it)."""
    round_ = get_round(year)
    if round_ is None:
        if not create:
            return None
        round_ = _create_round(year)
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) and re-reads the status under it.
    locked = db.session.execute(
        update(_ROUNDS).where(_ROUNDS.c.year == year, _ROUNDS.c.status == RoundStatus.OPEN)
        .values(status=RoundStatus.OPEN)
    ).rowcount
    if not locked:
        db.session.refresh(round_)
        raise SelectionFinal()
    return round_
