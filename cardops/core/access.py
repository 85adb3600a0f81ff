"""Roles and outlet scoping: the one mechanism every page, API call, export and count goes through.

* ``roles_required(...)`` guards a view: unauthenticated → login (HTML) or 401 (API); wrong role → 403.
* ``current_actor()`` is the signed-in user of the page or the Bearer token's user of the API call.
* ``scoped(stmt, actor, outlet_column)`` restricts any query to the rows ``actor`` may see: every outlet for a
  supervisor, their own outlet for outlet staff, nothing for anyone else; ``get_scoped_or_404`` loads one object
  through it, so another outlet's object is simply "not found". ``in_scope`` answers the same for an object
  already loaded. ``ScopedStatement`` is ``scoped`` for a statement written once, run on every page.
  Features name their permission checks on top of these (``reissue.permissions`` …).
"""

from __future__ import annotations

from functools import wraps

from flask import g
from flask_login import current_user
from sqlalchemy import Select, bindparam, false, or_

from cardops.core.errors import Forbidden, NotFound, Unauthenticated
from cardops.extensions import db


def current_actor():
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def roles_required(*roles: str):
    """Require an authenticated actor holding at least one of ``roles`` (none given: any signed-in user)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                raise Unauthenticated()
            if roles and not actor.has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


login_required = roles_required()


def sees_all_outlets(actor) -> bool:
    return actor.is_supervisor


def works_at(actor, outlet_id: int | None) -> bool:
    """Whether ``actor`` is staff of that outlet (supervisors belong to none)."""
    return actor.outlet_id is not None and actor.outlet_id == outlet_id


def in_scope(actor, outlet_id: int | None) -> bool:
    """Whether ``actor`` may see what belongs to ``outlet_id`` (None: district-wide, supervisors only)."""
    return sees_all_outlets(actor) or works_at(actor, outlet_id)


EVERY_OUTLET = object()


def visible_outlet(actor):
    """What ``actor`` may see: ``EVERY_OUTLET``, the id of their own outlet, or None (no outlet's rows)."""
    return EVERY_OUTLET if sees_all_outlets(actor) else actor.outlet_id


def scoped(stmt: Select, actor, outlet_column, *, also=None) -> Select:
    """``stmt`` restricted to the rows ``actor`` may see; ``also`` is a criterion for further visible rows
    (e.g. district-wide sessions the clerk attended)."""
    outlet = visible_outlet(actor)
    if outlet is EVERY_OUTLET:
        return stmt
    visible = [outlet_column == outlet] if outlet is not None else []
    if also is not None:
        visible.append(also)
    return stmt.where(or_(*visible) if visible else false())


class ScopedStatement:
    """A statement written once (at module level) in each form ``scoped`` gives it — every outlet, one outlet (its
    id the named parameter ``scope_outlet_id``), none — so that a statement run on every page is neither built nor
    compiled again per request. ``for_actor`` picks the form and its parameters by the same rule as ``scoped``."""

    def __init__(self, stmt: Select, outlet_column):
        self.every_outlet = stmt
        self.one_outlet = stmt.where(outlet_column == bindparam("scope_outlet_id"))
        self.no_outlet = stmt.where(false())

    def for_actor(self, actor) -> tuple[Select, dict]:
        outlet = visible_outlet(actor)
        if outlet is EVERY_OUTLET:
            return self.every_outlet, {}
        if outlet is None:
            return self.no_outlet, {}
        return self.one_outlet, {"scope_outlet_id": outlet}


def get_scoped_or_404(stmt: Select, actor, outlet_column, *, also=None):
    found = db.session.scalars(scoped(stmt, actor, outlet_column, also=also)).unique().one_or_none()
    if found is None:
        raise NotFound()
    return found


def ensure_in_scope(actor, outlet_id: int | None) -> None:
    if not in_scope(actor, outlet_id):
        raise NotFound()
