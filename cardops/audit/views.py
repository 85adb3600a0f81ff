"""The supervisor's audit page: the log in words (action names, staff names, the request as a link, the detail as a
sentence; the codes one click away), filtered by category — sign-ins hidden unless asked for —, actor, outlet,
object and dates; the chain verified on demand; the filtered log exported to Excel or CSV (itself audited)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from cardops.audit import export, services
from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.audit.vocabulary import OTHER, SIGN_IN, action_label, actor_names, audit_words, object_of, sentence
from cardops.core.access import current_actor, roles_required
from cardops.core.pagination import paginate, parse_page_args
from cardops.core.pii import mask_id_number
from cardops.core.timeutil import local_midnight_utc, parse_iso_date
from cardops.extensions import db
from cardops.outlets.models import Outlet

bp = Blueprint("audit", __name__, url_prefix="/audit")
auditors = roles_required("supervisor", "admin")
ALL = "all"  # the category filter's "everything, sign-ins included"
FILTERS = ("category", "action", "actor", "outlet", "object_id", "from", "to")
ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def _local_day_start(value: str) -> datetime | None:
    """Local midnight of a YYYY-MM-DD date as naive UTC (the form stored in the database)."""
    try:
        return local_midnight_utc(parse_iso_date(value))
    except ValueError:  # not a date, or one no timestamp can hold (0001-01-01): the filter is left out
        return None


@dataclass
class Filters:
    values: dict

    @classmethod
    def from_args(cls, args) -> Filters:
        return cls({name: (args.get(name) or "").strip()[:64] for name in FILTERS})

    def statement(self) -> Select:
        stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
        v, words = self.values, audit_words()
        category = v["category"]
        if category == OTHER:
            stmt = stmt.where(AuditEntry.action.not_in(list(words.actions)))
        elif category and category != ALL:
            stmt = stmt.where(AuditEntry.action.in_(words.actions_in(category)))
        elif not category and not v["action"]:
            # Sign-ins are most of the log and rarely what a supervisor looks for: hidden unless asked for.
            stmt = stmt.where(AuditEntry.action.not_in(words.actions_in(SIGN_IN)))
        if v["action"]:
            stmt = stmt.where(AuditEntry.action.startswith(v["action"], autoescape=True))
        if v["actor"]:
            stmt = stmt.where(AuditEntry.actor_name == v["actor"])
        if v["outlet"]:
            stmt = stmt.where(AuditEntry.outlet_id == select(Outlet.id).where(Outlet.code == v["outlet"].upper())
                              .scalar_subquery())
        if v["object_id"]:
            stmt = stmt.where(AuditEntry.object_id == v["object_id"])
        start = _local_day_start(v["from"])
        if start is not None:
            stmt = stmt.where(AuditEntry.at >= start)
        end = _local_day_start(v["to"])
        if end is not None:
            stmt = stmt.where(AuditEntry.at < end + timedelta(days=1))
        return stmt

    def given(self) -> dict:
        return {k: v for k, v in self.values.items() if v}

    def for_the_log(self) -> dict:
        """The filters as the export's audit entry records them: an ID number typed into a filter, masked."""
        return {k: mask_id_number(v) if ID_LIKE.match(v) else v for k, v in self.given().items()}


@bp.route("/")
@auditors
def entries():
    page, per_page = parse_page_args(request.args, default_per_page=50)
    filters = Filters.from_args(request.args)
    listing = paginate(filters.statement(), page, per_page, bounded=True)
    outlets = {o.id: o for o in db.session.scalars(select(Outlet))}
    report = verify_chain() if request.args.get("verify") else None
    words = audit_words()
    return render_template("audit/entries.html", listing=listing, outlets=outlets, report=report,
                           names=actor_names(listing.items), filters=filters.values,
                           categories=[(key, label) for key, label in words.categories.items()] + [(OTHER, _("其他"))],
                           all_category=ALL, audit_action=action_label, audit_sentence=sentence,
                           audit_object=object_of)


@bp.get("/export.<fmt>")
@auditors
def export_entries(fmt: str):
    if fmt not in export.FORMATS:
        return redirect(url_for(".entries"))
    filters = Filters.from_args(request.args)
    stmt = filters.statement()
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if count > export.MAX_ROWS:
        found, limit = format(count, ","), format(export.MAX_ROWS, ",")
        flash(_("符合条件的记录有 %(count)s 条，超过一次导出的上限 %(limit)s 条，请缩小日期范围后再导出。",
                count=found, limit=limit), "error")
        return redirect(url_for(".entries", **filters.given()))
    rows = list(db.session.scalars(stmt))
    outlets = {o.id: o.code for o in db.session.scalars(select(Outlet))}
    body, mimetype = export.render(fmt, rows, actor_names(rows), outlets)
    services.record("audit.export", actor=current_actor(), detail={"format": fmt, "rows": len(rows),
                                                                   "filters": filters.for_the_log()})
    filename = f"audit-{datetime.now():%Y%m%d-%H%M}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
