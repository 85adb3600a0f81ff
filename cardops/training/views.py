"""The training pages (SPEC §5): the roster, the sessions with their log form, a person's training record and the
year's summaries (per outlet, per person, per trainer).

Thin on purpose: load in the actor's scope (another outlet's session is a 404) → service → redirect; the request's
unit of work commits. Refusals come back as DomainErrors: field errors onto the form, anything else flashed.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.auth.services import find_user
from cardops.core.access import current_actor, login_required, roles_required
from cardops.core.errors import NotFound, ValidationError
from cardops.core.forms import run_for_form
from cardops.core.i18n import translate
from cardops.core.pagination import lenient_page_args, paginate
from cardops.core.timeutil import local_today
from cardops.outlets.services import all_outlets
from cardops.training import roster, services
from cardops.training.errors import TrainerNotActive
from cardops.training.forms import AppointForm, SessionForm, TrainerUpdateForm
from cardops.training.models import TrainingSession
from cardops.training.permissions import (
    correction_refusal,
    logging_refusal,
    manages_roster,
    record_refusal,
    roster_refusal,
)
from cardops.training.queries import (
    RosterFilters,
    SessionFilters,
    appointable_users,
    get_session_or_404,
    get_trainer_or_404,
    parse_year,
    roster_entry,
    roster_query,
    sessions_led,
    sessions_query,
    trainer_choices,
)
from cardops.training.serializers import certification_state
from cardops.training.session_form import SessionPage
from cardops.training.summary import personal_record, training_summary, warning_education_overdue

bp = Blueprint("training", __name__, url_prefix="/training")
staff_required = roles_required("clerk", "trainer", "supervisor")
supervisor_required = roles_required("supervisor")


def _filters_or_none(parse, args):
    """Filters of a list page; a mistyped one is said and ignored (a page never answers 400 for its address)."""
    try:
        return parse(args)
    except ValidationError as error:
        flash(_("筛选条件无效，已忽略：") + _("；").join(translate(m) for m in error.fields.values()), "error")
        return parse({})


def _year() -> int:
    try:
        return parse_year(request.args.get("year"), local_today().year)
    except ValidationError:
        return local_today().year


def _refuse_posts_without(form, actor) -> None:
    """The roster's pages are for everyone to read; only those who get its forms may post them."""
    if form is None and request.method == "POST":
        raise roster_refusal(actor)


# --- the roster (小教员名册) -----------------------------------------------------------------------------------

@bp.route("/trainers", methods=["GET", "POST"], endpoint="roster")
@login_required
def roster_page():
    actor = current_actor()
    form = AppointForm() if manages_roster(actor) else None
    _refuse_posts_without(form, actor)
    status = 200
    if form is not None:
        form.username.choices = [("", _("请选择网点工作人员"))] + [
            (u.username, f"{u.outlet.code} {u.display_name}（{u.username}）") for u in appointable_users()]
        if form.validate_on_submit():
            outcome = run_for_form(form, lambda: roster.appoint(actor, form.to_service_data()))
            if outcome.ok:
                entry = outcome.value
                flash(_("已任命 %(name)s 为小教员。", name=entry.user.display_name), "success")
                return redirect(url_for(".trainer", trainer_id=entry.id))
            status = outcome.status
        elif request.method == "GET":
            form.appointed_on.data = local_today().isoformat()
    filters = _filters_or_none(RosterFilters.from_args, request.args)
    page, per_page = lenient_page_args(request.args, default_per_page=50)
    listing = paginate(roster_query(filters), page, per_page, bounded=True)
    today = local_today()
    return render_template("training/roster.html", listing=listing, filters=filters, form=form, today=today,
                           led=sessions_led([e.user_id for e in listing.items], today.year),
                           states={e.id: certification_state(e, today) for e in listing.items},
                           outlets=all_outlets()), status


@bp.route("/trainers/<int:trainer_id>", methods=["GET", "POST"])
@login_required
def trainer(trainer_id: int):
    actor = current_actor()
    entry = get_trainer_or_404(trainer_id)
    form = TrainerUpdateForm() if manages_roster(actor) else None
    _refuse_posts_without(form, actor)
    status = 200
    if form is not None:
        if form.validate_on_submit():
            outcome = run_for_form(form, lambda: roster.update_trainer(actor, entry, form.to_service_data()))
            if outcome.ok:
                flash(_("名册已更新。"), "success")
                return redirect(url_for(".trainer", trainer_id=entry.id))
            status = outcome.status
        elif request.method == "GET":
            form.certified_until.data = entry.certified_until.isoformat()
            form.specialties.data = "、".join(entry.specialties or [])
            form.status.data = entry.status
    today = local_today()
    recent = sessions_query(actor, SessionFilters(trainer=entry.user.username)).limit(10)
    return render_template("training/trainer.html", entry=entry, form=form, today=today,
                           state=certification_state(entry, today),
                           led=sessions_led([entry.user_id], today.year).get(entry.user_id, 0),
                           recent=list(paginate(recent, 1, 10).items)), status


# --- sessions ----------------------------------------------------------------------------------------------------

@bp.route("/sessions")
@staff_required
def sessions():
    actor = current_actor()
    filters = _filters_or_none(SessionFilters.from_args, request.args)
    page, per_page = lenient_page_args(request.args)
    listing = paginate(sessions_query(actor, filters), page, per_page, bounded=True)
    entry = None if actor.is_supervisor else roster_entry(actor.id)
    return render_template("training/sessions.html", listing=listing, filters=filters,
                           outlets=all_outlets() if actor.is_supervisor else [],
                           trainers=trainer_choices(actor), periods=_periods(local_today()),
                           may_log=logging_refusal(actor, entry) is None)


def _periods(today: date) -> list[tuple[str, date, date]]:
    """The periods a training officer asks about most: this month, quarter and year, the last twelve months."""
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [(_("本月"), today.replace(day=1), today), (_("本季度"), quarter, today),
            (_("本年"), today.replace(month=1, day=1), today), (_("近12个月"), today - timedelta(days=365), today)]


@bp.route("/sessions/new", methods=["GET", "POST"])
@staff_required
def new_session():
    actor = current_actor()
    page = SessionPage(actor, SessionForm())
    if page.refusal is not None and not isinstance(page.refusal, TrainerNotActive):
        raise page.refusal  # not a trainer: no form at all
    if request.method == "GET":
        page.fill_defaults(request.args)
    elif page.refusal is not None:  # a suspended or lapsed trainer: the page says why, nothing is logged
        page.status = page.refusal.status
    elif page.form.validate_on_submit():
        outcome = page.run(lambda data: services.log_session(actor, data))
        if outcome.ok:
            flash(_("培训已登记：%(topic)s（%(count)s人）", topic=outcome.value.topic,
                    count=len(outcome.value.attendances)), "success")
            return redirect(url_for(".session", session_id=outcome.value.id))
    return render_template("training/session_form.html", page=page, session=None), page.status


@bp.route("/sessions/<int:session_id>")
@staff_required
def session(session_id: int):
    actor = current_actor()
    found = get_session_or_404(actor, session_id)
    entry = None if actor.is_supervisor else roster_entry(actor.id)
    return render_template("training/session.html", s=found,
                           may_correct=correction_refusal(actor, found, entry, local_today()) is None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_session(session_id: int):
    actor = current_actor()
    found: TrainingSession = get_session_or_404(actor, session_id)
    entry = None if actor.is_supervisor else roster_entry(actor.id)
    refusal = correction_refusal(actor, found, entry, local_today())
    if refusal is not None:
        raise refusal
    page = SessionPage(actor, SessionForm(), session=found)
    if request.method == "GET":
        page.fill_from_session()
    elif page.form.validate_on_submit():
        outcome = page.run(lambda data: services.correct_session(actor, found, data,
                                                                 expected_version=page.form.version.data))
        if outcome.ok:
            flash(_("培训记录已更正。"), "success")
            return redirect(url_for(".session", session_id=found.id))
    return render_template("training/session_form.html", page=page, session=found), page.status


# --- a person's record and the summaries ----------------------------------------------------------------------

def _record(person):
    year = _year()
    today = local_today()
    record = personal_record(person, year, today)
    return render_template("training/record.html", record=record, year=year, today=today,
                           overdue=warning_education_overdue(record.figures.last_warning_education, today))


@bp.route("/record")
@roles_required("clerk", "trainer")
def my_record():
    return _record(current_actor())


@bp.route("/record/<username>")
@staff_required
def record(username: str):
    actor = current_actor()
    person = find_user(username[:64])
    if person is None:
        raise NotFound()
    refusal = record_refusal(actor, person)
    if refusal is not None:
        raise refusal
    return _record(person)


def _summary(template: str):
    today = local_today()
    year = _year()
    return render_template(template, summary=training_summary(current_actor(), year, today), year=year,
                           today=today, overdue=warning_education_overdue)


@bp.route("/summary")
@staff_required
def summary():
    return _summary("training/summary_outlets.html")


@bp.route("/summary/staff")
@staff_required
def staff_summary():
    return _summary("training/summary_staff.html")


@bp.route("/summary/trainers")
@staff_required
def trainer_summary():
    return _summary("training/summary_trainers.html")
