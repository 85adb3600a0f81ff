"""Request numbers ``PT03-20261126-0007``: per outlet and local day, handed out under a row lock so
concurrent intakes never share a number; a rolled-back intake gives its number back (gap-tolerant)."""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError

from cardops.extensions import db
from cardops.reissue.models import RequestCounter


def _increment(outlet_id: int, day: date) -> int | None:
    return db.session.execute(_increment_statement(), {"counter_outlet_id": outlet_id, "counter_day": day}).scalar()


@functools.cache
def _increment_statement():
    """Built once, on the table (it runs on every intake; nothing in the session mirrors the counter)."""
    counters = RequestCounter.__table__
    return (update(counters)
            .where(counters.c.outlet_id == bindparam("counter_outlet_id"), counters.c.day == bindparam("counter_day"))
            .values(last=counters.c.last + 1)
            .returning(counters.c.last))


def next_number(outlet, day: date) -> str:
    value = _increment(outlet.id, day)
    if value is None:
        # First intake of the day at this outlet: create the counter (another intake may race us to it).
        try:
            with db.session.begin_nested():
                db.session.execute(insert(RequestCounter).values(outlet_id=outlet.id, day=day, last=0))
        except IntegrityError:
            pass
        value = _increment(outlet.id, day)
    return f"{outlet.code}-{day:%Y%m%d}-{value:04d}"
