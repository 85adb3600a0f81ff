"""The watchlist page (预警名单, supervisors): list masked, add, remove with a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.core.access import current_actor, roles_required
from cardops.core.errors import DomainError
from cardops.core.forms import forget_id_numbers, run_for_form
from cardops.core.i18n import translate
from cardops.core.pagination import lenient_page_args, paginate
from cardops.core.transaction import settle
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
    page, per_page = lenient_page_args(request.args, default_per_page=50)
    listing = paginate(service.active_entries(), page, per_page, bounded=True)
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
        flash(_("已从预警名单移除：%(masked)s", masked=entry.id_masked), "success")
    return redirect(url_for(".watchlist"))
