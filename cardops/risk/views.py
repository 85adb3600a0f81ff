"""The watchlist page (预警名单, supervisors): list masked, add, remove with a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.core.access import current_actor, roles_required
from cardops.core.errors import DomainError, ValidationError
from cardops.core.forms import run_for_form, settle
from cardops.core.i18n import translate
from cardops.core.pagination import paginate, parse_page_args
from cardops.extensions import db
from cardops.reissue.web import forget_id_numbers
from cardops.risk import watchlist as service
from cardops.risk.forms import WatchlistAddForm, WatchlistRemoveForm

bp = Blueprint("risk", __name__)
supervisor_required = roles_required("supervisor")


@bp.route("/watchlist", methods=["GET", "POST"])
@supervisor_required
def watchlist():
    form = WatchlistAddForm()
    status = 200
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: service.add_entry(current_actor(), {
            "id_number": form.id_number.data, "reason": form.reason.data, "note": form.note.data}))
        if outcome.ok:
            flash(_("已加入预警名单：%(masked)s", masked=outcome.value.id_masked), "success")
            return redirect(url_for(".watchlist"))
        status = outcome.status
    forget_id_numbers(form.id_number)
    try:
        page, per_page = parse_page_args(request.args, default_per_page=50)
    except ValidationError:
        page, per_page = 1, 50
    listing = paginate(service.active_entries(), page, per_page)
    return render_template("risk/watchlist.html", form=form, listing=listing), status


@bp.post("/watchlist/<int:entry_id>/remove")
@supervisor_required
def remove(entry_id: int):
    form = WatchlistRemoveForm()
    try:
        entry = service.remove_entry(current_actor(), entry_id, form.reason.data)
    except DomainError as error:
        settle(error)
        message = _("；").join(translate(m) for m in error.fields.values()) or translate(error.message)
        flash(_("未能移除：%(message)s", message=message), "error")
    else:
        db.session.commit()
        flash(_("已从预警名单移除：%(masked)s", masked=entry.id_masked), "success")
    return redirect(url_for(".watchlist"))
