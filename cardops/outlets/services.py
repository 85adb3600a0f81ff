"""Finding outlets. (Creating and changing them is administration: ``cardops.admin.services``.)"""

from __future__ import annotations

from sqlalchemy import select

from cardops.extensions import db
from cardops.outlets.models import Outlet

# The outlet choices of the supervisors' filters, on their every queue page: written once.
ALL_OUTLETS = select(Outlet).order_by(Outlet.code)


def all_outlets() -> list[Outlet]:
    return list(db.session.scalars(ALL_OUTLETS))


def outlet_by_code(code: str | None) -> Outlet | None:
    if not code:
        return None
    return db.session.scalars(select(Outlet).where(Outlet.code == code.strip().upper())).first()
