"""The case library's pages: the library with its search, writing and editing a case, the case page with its
actions, the annual selection's ranking and scoring, and the printable booklet of a final year.

Thin on purpose: load in the actor's scope (a case still in the works at another outlet is a 404) → service →
redirect; the request's unit of work commits. A refused action comes back as a DomainError: field errors are shown
on the form, anything else is flashed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.cases import selection, services
from cardops.cases.forms import CaseForm, NominateForm, ReasonForm, ScoreForm, VersionedForm, choices
from cardops.cases.permissions import available_actions, may_write_cases, refusal, sees_workings
from cardops.cases.queries import (
    CaseFilters,
    case_history,
    cases_query,
    get_case_or_404,
    sessions_using,
    status_counts,
)
from cardops.cases.ranking import describe_ties
from cardops.cases.validation import CASE_ID_RULE, YEAR_RULE
from cardops.core.access import current_actor, login_required, roles_required
from cardops.core.errors import DomainError, Forbidden, NotFound, ValidationError
from cardops.core.forms import run_for_form, show_error_on_form
from cardops.core.i18n import N_, translate
from cardops.core.pagination import lenient_page_args, paginate
from cardops.core.registry import contributions
from cardops.core.timeutil import local_today
from cardops.core.transaction import settle
from cardops.outlets.services import all_outlets

bp = Blueprint("cases", __name__)
supervisor_required = roles_required("supervisor")


# --- the library -------------------------------------------------------------------------------------------

@bp.route("/cases")
@login_required
def library():
    actor = current_actor()
    try:
        filters = CaseFilters.from_args(request.args)
    except ValidationError as error:
        flash(_("筛选条件无效，已显示全部：") + _("；").join(translate(m) for m in error.fields.values()), "error")
        filters = CaseFilters()
    page, per_page = lenient_page_args(request.args)
    listing = paginate(cases_query(actor, filters), page, per_page, bounded=True)
    return render_template("cases/library.html", listing=listing, filters=filters, outlets=all_outlets(),
                           counts=status_counts(actor), can_write=may_write_cases(actor),
                           final_years=selection.final_years())


# --- writing -----------------------------------------------------------------------------------------------

def _prepare_case_form(actor, form: CaseForm) -> CaseForm:
    if actor.is_supervisor:
        form.outlet_code.choices = choices({o.code: f"{o.code} {o.name}" for o in all_outlets()},
                                           blank=_("请选择案例所属网点"))
    return form


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new():
    actor = current_actor()
    if not may_write_cases(actor):
        raise Forbidden(_("只有小教员或督导可以撰写案例"))
    form = _prepare_case_form(actor, CaseForm())
    status = 200
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: services.create_case(
            actor, form.to_service_data(with_outlet=actor.is_supervisor)))
        if outcome.ok:
            flash(_("案例已保存为草稿。检查无误后请提交审核。"), "success")
            return redirect(url_for(".detail", case_id=outcome.value.id))
        status = outcome.status
    return render_template("cases/form.html", form=form, case=None), status


@bp.route(f"/cases/{CASE_ID_RULE}/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    actor = current_actor()
    case = get_case_or_404(actor, case_id)
    problem = refusal(actor, case, "edit")
    if problem is not None:
        settle(problem)
        flash(translate(problem.message), "error")
        return redirect(url_for(".detail", case_id=case.id))
    form = _prepare_case_form(actor, CaseForm() if request.method == "POST" else CaseForm(data=_form_values(case)))
    status = 200
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: services.update_case(
            actor, case, form.to_service_data(with_outlet=actor.is_supervisor),
            expected_version=form.version.data))
        if outcome.ok:
            flash(_("案例已保存。"), "success")
            return redirect(url_for(".detail", case_id=case.id))
        status = outcome.status
    return render_template("cases/form.html", form=form, case=case), status


def _form_values(case) -> dict:
    return {"title": case.title, "narrative": case.narrative, "lessons": case.lessons, "category": case.category,
            "occurred_on": case.occurred_on.isoformat(), "outlet_code": case.outlet.code,
            "request_number": case.request.number if case.request else "", "version": str(case.version)}


# --- the case page -----------------------------------------------------------------------------------------

def _nomination_years(case) -> list[int]:
    this_year = local_today().year
    return list(range(this_year, min(case.occurred_on.year, this_year) - 1, -1))


def _session_kind_label(kind: str) -> str:
    """The training feature's word for a session kind, when it registered one (cases never imports training)."""
    vocabulary = contributions().vocabularies.get("session_kind")
    word = vocabulary.labels.get(kind) if vocabulary else None
    return _(word) if word else kind


def _render_detail(actor, case, *, status: int = 200, **forms):
    actions = available_actions(actor, case)
    page_forms = {}
    if "accept" in actions:
        page_forms["accept_form"] = forms.get("accept_form") or ReasonForm(formdata=None)
        page_forms["return_form"] = forms.get("return_form") or ReasonForm(formdata=None)
    if "nominate" in actions:
        nominate_form = page_forms["nominate_form"] = forms.get("nominate_form") or NominateForm(formdata=None)
        nominate_form.year.choices = [(str(y), str(y)) for y in _nomination_years(case)]
    for form in page_forms.values():
        form.version.data = str(case.version)
    sessions, other_sessions = sessions_using(actor, case)
    return render_template(
        "cases/detail.html", case=case, actions=actions, history=case_history(actor, case),
        sessions=sessions, other_sessions=other_sessions, session_kind=_session_kind_label,
        sees_workings=sees_workings(actor, case), **page_forms,
    ), status


@bp.route(f"/cases/{CASE_ID_RULE}")
@login_required
def detail(case_id: int):
    actor = current_actor()
    return _render_detail(actor, get_case_or_404(actor, case_id))


# The case page's actions: the form each posts, where a refusal's field errors go, and what success says.
ACTIONS = {
    "submit": (VersionedForm, None, N_("已提交审核，等待区卡中心督导审核。")),
    "accept": (ReasonForm, "accept_form", N_("案例已审核入库，各网点均可查阅学习。")),
    "return": (ReasonForm, "return_form", N_("案例已退回撰写人修改。")),
    "nominate": (NominateForm, "nominate_form", N_("已提名参加 %(year)s 年度十大典型事例评选。")),
}


@bp.post(f"/cases/{CASE_ID_RULE}/<any(submit, accept, return, nominate):action>")
@login_required
def act(case_id: int, action: str):
    actor = current_actor()
    case = get_case_or_404(actor, case_id)
    form_class, slot, done = ACTIONS[action]
    form = form_class()
    body = {}
    if isinstance(form, ReasonForm):
        body["reason"] = form.reason.data
    if isinstance(form, NominateForm):  # the service wants an integer year; anything else it refuses itself
        raw = form.year.data or ""
        body["year"] = int(raw) if raw.isascii() and raw.isdigit() else raw
    try:
        services.perform(action, actor, case, body, expected_version=form.version.data)
    except DomainError as error:
        settle(error)
        if slot is not None and error.fields:
            show_error_on_form(form, error)
            return _render_detail(actor, get_case_or_404(actor, case_id), status=error.status, **{slot: form})
        flash(translate(error.message), "error")
        return redirect(url_for(".detail", case_id=case_id))
    flash(_(done, year=case.nominated_year) if action == "nominate" else _(done), "success")
    return redirect(url_for(".detail", case_id=case.id))


# --- the annual selection ----------------------------------------------------------------------------------

@bp.route("/selections")
@login_required
def selections():
    actor = current_actor()
    rounds = [(r, n) for r, n in selection.rounds_overview() if actor.is_supervisor or r.status == "final"]
    return render_template("cases/selections.html", rounds=rounds, this_year=local_today().year)


@bp.route(f"/selections/{YEAR_RULE}")
@login_required
def selection_page(year: int):
    actor = current_actor()
    view = selection.round_view(actor, year)
    forms = {}
    if not view.is_final:
        for row in view.rows:
            mine = row.score_of(actor)
            form = ScoreForm(formdata=None, prefix=f"c{row.case.id}")
            if mine is not None:
                for criterion in ("typicality", "educational_value", "impact"):
                    getattr(form, criterion).data = str(getattr(mine, criterion))
            forms[row.case.id] = form
    return render_template("cases/selection.html", view=view, score_forms=forms,
                           tie_words=describe_ties(view.notes, _) if view.notes else None)


@bp.post(f"/selections/{YEAR_RULE}/scores/{CASE_ID_RULE}")
@supervisor_required
def score(year: int, case_id: int):
    actor = current_actor()
    case = get_case_or_404(actor, case_id)
    form = ScoreForm(prefix=f"c{case_id}")
    try:
        selection.score_case(actor, year, case, form.to_service_data())
    except DomainError as error:
        settle(error)
        message = _("；").join(translate(m) for m in error.fields.values()) or translate(error.message)
        flash(_("《%(title)s》未能保存评分：%(message)s", title=case.title, message=message), "error")
    else:
        flash(_("已保存对《%(title)s》的评分。", title=case.title), "success")
    return redirect(url_for(".selection_page", year=year, _anchor=f"case-{case_id}"))


@bp.post(f"/selections/{YEAR_RULE}/finalise")
@supervisor_required
def finalise(year: int):
    selection.finalise(current_actor(), year)
    flash(_("%(year)s 年度评选已定稿，入选案例已标记为年度典型事例。", year=year), "success")
    return redirect(url_for(".selection_page", year=year))


# --- the booklet -------------------------------------------------------------------------------------------

@bp.route(f"/cases/booklet/{YEAR_RULE}")
@login_required
def booklet(year: int):
    view = selection.round_view(current_actor(), year)
    if not view.is_final:
        raise NotFound(_("%(year)s 年度评选尚未定稿，暂无典型事例汇编", year=year))
    chosen = [row for row in view.rows if row.selected]
    district = current_app.config.get("DISTRICT_NAME") or _("普陀区社保卡服务中心")
    return render_template("cases/booklet.html", view=view, cases=chosen, district=district)

