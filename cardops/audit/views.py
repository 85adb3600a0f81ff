"""The supervisor's audit page: list, filter, verify the chain."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.core.access import roles_required
from cardops.core.pagination import paginate, parse_page_args
from cardops.core.timeutil import local_midnight_utc
from cardops.extensions import db
from cardops.outlets.models import Outlet

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _local_day_start(value: str) -> datetime | None:
    """Local midnight of a YYYY-MM-DD date as naive UTC (the form stored in the database)."""
    try:
        return local_midnight_utc(datetime.strptime(value, "%Y-%m-%d").date())
    except ValueError:
        return None


@bp.route("/")
@roles_required("supervisor", "admin")
def entries():
    page, per_page = parse_page_args(request.args, default_per_page=50)
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    args = request.args
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action.startswith(args["action"].strip()))
    if args.get("actor"):
        stmt = stmt.where(AuditEntry.actor_name == args["actor"].strip())
    if args.get("outlet"):
        stmt = stmt.join(Outlet, Outlet.id == AuditEntry.outlet_id).where(Outlet.code == args["outlet"])
    if args.get("object_id"):
        stmt = stmt.where(AuditEntry.object_id == args["object_id"].strip())
    start = _local_day_start(args.get("from", ""))
    if start is not None:
        stmt = stmt.where(AuditEntry.at >= start)
    end = _local_day_start(args.get("to", ""))
    if end is not None:
        stmt = stmt.where(AuditEntry.at < end + timedelta(days=1))
    listing = paginate(stmt, page, per_page, bounded=True)
    outlets = {o.id: o for o in db.session.scalars(select(Outlet))}
    report = verify_chain() if args.get("verify") else None
    return render_template("audit/entries.html", listing=listing, outlets=outlets, report=report)
