"""Outlet administration (outlets are rows, not code). User and token administration: ``cardops.auth.services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cardops.audit import services as audit
from cardops.core.errors import Conflict
from cardops.core.validation import FieldErrors, text
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import outlet_by_code


def _outlet_name(value) -> str:
    errors = FieldErrors()
    name = text(value, errors, "name", required=True, max_length=100, label="网点名称")
    errors.raise_if_any()
    return name


def create_outlet(actor, *, code: str, name: str, active: bool = True) -> Outlet:
    name = _outlet_name(name)
    if outlet_by_code(code) is not None:
        raise Conflict(_l("网点代码 %(code)s 已存在", code=code), fields={"code": _l("网点代码已存在")})
    outlet = Outlet(code=code.strip().upper(), name=name, active=active)
    db.session.add(outlet)
    db.session.flush()
    audit.record("admin.outlet_created", actor=actor, object_type="outlet", object_id=outlet.code,
                 outlet_id=outlet.id, detail={"name": outlet.name})
    return outlet


def update_outlet(actor, outlet: Outlet, *, name: str, active: bool) -> Outlet:
    name = _outlet_name(name)
    before = {"name": outlet.name, "active": outlet.active}
    outlet.name = name
    outlet.active = active
    audit.record("admin.outlet_updated", actor=actor, object_type="outlet", object_id=outlet.code,
                 outlet_id=outlet.id, detail={"before": before, "after": {"name": outlet.name, "active": active}})
    return outlet
