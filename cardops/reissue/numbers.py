"""Request numbers ``PT03-20261126-0007``: per outlet and local day, handed out under a row lock so
concurrent intakes never share a number; a rolled-back intake gives its number back (gap-tolerant)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BaseConverter

from cardops.extensions import db
from cardops.reissue.models import RequestCounter

# What a request number looks like: the outlet's code, the local day, the day's sequence (four digits or more).
NUMBER_SHAPE = r"[A-Z0-9]{2,16}-[0-9]{8}-[0-9]{4,}"

_COUNTERS = RequestCounter.__table__
# The day's counter, on the table (nothing in the session mirrors it), every intake: written once.
INCREMENT = (update(_COUNTERS).where(_COUNTERS.c.outlet_id == bindparam("of_outlet"),
                                     _COUNTERS.c.day == bindparam("of_day"))
             .values(last=_COUNTERS.c.last + 1).returning(_COUNTERS.c.last))


def _increment(outlet_id: int, day: date) -> int | None:
    """The next value of the day's counter, None before its first intake."""
    return db.session.execute(INCREMENT, {"of_outlet": outlet_id, "of_day": day}).scalar()


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


class RequestNumberConverter(BaseConverter):
    """``<request_number:number>``: what a request number looks like (any case; the look-up upper-cases it), so
    ``/requests/search`` or ``/requests/new`` is never taken for a number."""

    regex = f"(?i:{NUMBER_SHAPE})"
