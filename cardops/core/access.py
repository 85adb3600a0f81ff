"""Roles and outlet scoping: the one mechanism every page, API call and export goes through.

* ``roles_required(...)`` guards a view: unauthenticated → login (HTML) or 401 (API); wrong role → 403.
* ``current_actor()`` is the signed-in user of the page or the Bearer token's user of the API call.
* ``scope_to_actor(stmt, Model, actor)`` restricts any query over an outlet-owned model to what the actor may
  see; ``get_scoped_or_404`` loads one object through it, so another outlet's object is simply "not found".
"""

from __future__ import annotations

from functools import wraps

from flask import g
from flask_login import current_user
from sqlalchemy import Select, bindparam, false, select

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


def scope_shape(actor) -> tuple[str, dict]:
    """Which outlets ``actor`` may see, as the shape of the restriction (``all``, ``outlet`` or ``none``) and its
    parameters: statements built once per shape take the actor's outlet as the ``scope_outlet_id`` parameter."""
    if sees_all_outlets(actor):
        return "all", {}
    if actor.outlet_id is None:
        return "none", {}
    return "outlet", {"scope_outlet_id": actor.outlet_id}


def apply_scope_shape(stmt: Select, model, shape: str) -> Select:
    """The restriction of ``scope_shape`` on a SELECT over ``model`` (which has ``outlet_id``)."""
    if shape == "outlet":
        return stmt.where(model.outlet_id == bindparam("scope_outlet_id"))
    if shape == "none":
        return stmt.where(false())
    return stmt


def scope_to_actor(stmt: Select, model, actor) -> Select:
    """Add the outlet restriction for ``actor`` to a SELECT over ``model``, its outlet bound in the statement."""
    shape, params = scope_shape(actor)
    stmt = apply_scope_shape(stmt, model, shape)
    return stmt.params(**params) if params else stmt


def get_scoped_or_404(model, actor, *criteria, options=()):
    stmt = scope_to_actor(select(model).where(*criteria), model, actor)
    if options:
        stmt = stmt.options(*options)
    obj = db.session.scalars(stmt).unique().one_or_none()
    if obj is None:
        raise NotFound()
    return obj


def can_access_outlet(actor, outlet_id: int | None) -> bool:
    return sees_all_outlets(actor) or (actor.outlet_id is not None and actor.outlet_id == outlet_id)
