"""The reissue pages: queues (with the search by full ID number), intake, the request page with its checks and
actions, review, and the two pages without sign-in (receipt check, status look-up). The card desk — receipt,
reprint, arrival, pickup, the daily handover sheet — is in ``views_desk`` on the same blueprint.

Thin on purpose: load in the actor's scope (another outlet's request is a 404) → service → redirect; the request's
unit of work commits. A refused action comes back as a DomainError: field errors are shown on the form, anything
else is flashed.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cardops.core.access import current_actor, roles_required, scoped
from cardops.core.errors import DomainError, NotFound, ValidationError
from cardops.core.forms import forget_id_numbers, run_for_form, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.pagination import lenient_page_args, paginate
from cardops.core.pii import InvalidIdNumber, normalise_id_number
from cardops.core.transaction import settle
from cardops.extensions import db
from cardops.outlets.services import all_outlets
from cardops.reissue import idsearch, public, reprints, services
from cardops.reissue.forms import (
    ArriveForm,
    CheckForm,
    IntakeForm,
    ReasonForm,
    ReprintDecisionForm,
    ReprintForm,
    ReviewForm,
    StatusLookupForm,
    VersionedForm,
    choices,
)
from cardops.reissue.models import ReceiptReprint, ReissueRequest
from cardops.reissue.overdue import overdue_of
from cardops.reissue.permissions import (
    at_its_counter,
    page_actions,
    refusal,
    reprint_decision_refusal,
    reprint_request_refusal,
    sees_pickup_token,
)
from cardops.reissue.queries import (
    QUEUE_ROW,
    REVIEW_ORDER,
    REVIEW_ROW,
    RequestFilters,
    get_request_or_404,
    missing_checks_of,
    queue_counts,
    requests_query,
)
from cardops.reissue.workflow import CHECKABLE_STATUSES, STEP_LABELS, Step, applicable_steps

bp = Blueprint("reissue", __name__)
staff_required = roles_required("clerk", "supervisor")


# --- queues ------------------------------------------------------------------------------------------------

def _queue_args(source, q: str | None, who: str | None) -> dict:
    args = {name: (source.get(name) or "").strip() for name in RequestFilters.NAMES if name != "q"}
    args.update(q=q, who=who)
    return {k: v for k, v in args.items() if v}


@bp.post("/requests/search")
@staff_required
def queue_search():
    """The queue's search box. A full ID number (typed or from a card reader) becomes an opaque key in the session:
    the number never reaches a URL, a page or a log."""
    rest, ids = idsearch.split_terms(request.form.get("q"))
    who = None
    for typed in ids[:1]:
        try:
            who = idsearch.remember(normalise_id_number(typed))
        except InvalidIdNumber as problem:
            flash(_("身份证号码有误：%(problem)s", problem=translate(str(problem))), "error")
    return redirect(url_for(".queue", **_queue_args(request.form, rest[:60], who)))


@bp.route("/requests")
@staff_required
def queue():
    actor = current_actor()
    if idsearch.has_id_number(request.args.get("q")):
        # An ID number typed into the address bar: keep it out of the page, the history and further links.
        rest, ids = idsearch.split_terms(request.args.get("q"))
        try:
            who = idsearch.remember(normalise_id_number(ids[0]))
        except InvalidIdNumber:
            who = None
        return redirect(url_for(".queue", **_queue_args(request.args, rest, who)))
    try:
        filters = RequestFilters.from_args(request.args)
    except ValidationError as error:
        flash(_("筛选条件无效，已显示全部：") + _("；").join(translate(m) for m in error.fields.values()), "error")
        filters = RequestFilters()
    id_search = idsearch.recall(request.args.get("who"))
    if request.args.get("who") and id_search is None:
        flash(_("身份证号码查询已失效，请重新输入或刷卡。"), "warning")
    if id_search:
        filters.id_hash = id_search[0]
    page, per_page = lenient_page_args(request.args)
    listing = paginate(requests_query(actor, filters).options(*QUEUE_ROW), page, per_page, bounded=True)
    return render_template("reissue/queue.html", listing=listing, filters=filters, counts=queue_counts(actor),
                           missing=missing_checks_of(listing.items), overdue=overdue_of(listing.items),
                           outlets=all_outlets() if actor.is_supervisor else [],
                           id_masked=id_search[1] if id_search else None)


@bp.route("/review")
@staff_required
def review_queue():
    actor = current_actor()
    outlet_code = (request.args.get("outlet_code") or "").strip() or None if actor.is_supervisor else None
    page, per_page = lenient_page_args(request.args)
    filters = RequestFilters(queue="review", outlet_code=outlet_code)
    listing = paginate(requests_query(actor, filters, order=REVIEW_ORDER).options(*REVIEW_ROW), page, per_page,
                       bounded=True)
    refusals = {r.id: refusal(actor, r, "approve") for r in listing.items}
    return render_template("reissue/review_queue.html", listing=listing, refusals=refusals,
                           outlets=all_outlets() if actor.is_supervisor else [], outlet_code=outlet_code,
                           reprints=_pending_reprints(actor), overdue=overdue_of(listing.items))


def _pending_reprints(actor) -> list[tuple[ReceiptReprint, object]]:
    """Lost-receipt reprints waiting for a second person, in the actor's scope, with why this actor may not decide
    (None: may)."""
    stmt = scoped(select(ReceiptReprint).join(ReissueRequest, ReissueRequest.id == ReceiptReprint.request_id)
                  .where(ReceiptReprint.status == reprints.PENDING).order_by(ReceiptReprint.requested_at),
                  actor, ReissueRequest.outlet_id)
    pending = list(db.session.scalars(stmt.limit(100)))
    return [(r, reprint_decision_refusal(actor, r.request, r)) for r in pending]


# --- intake ------------------------------------------------------------------------------------------------

@bp.route("/requests/new", methods=["GET", "POST"])
@staff_required
def intake():
    actor = current_actor()
    form = IntakeForm()
    if actor.is_supervisor:
        form.outlet_code.choices = choices({o.code: f"{o.code} {o.name}" for o in all_outlets() if o.active},
                                           blank=_("请选择受理网点"))
    status = 200
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: services.intake(
            actor, form.to_service_data(with_outlet=actor.is_supervisor)))
        if outcome.ok:
            flash(_("已受理 %(number)s，请逐项完成身份核验。", number=outcome.value.number), "success")
            return redirect(url_for(".detail", number=outcome.value.number))
        status = outcome.status
    forget_id_numbers(form.applicant_id_number, form.agent_id_number)
    return render_template("reissue/intake.html", form=form), status


# --- the request page --------------------------------------------------------------------------------------

# The forms of the request page, each built only when its action is offered.
ACTION_FORMS = (("cancel", "cancel_form", ReasonForm), ("return", "return_form", ReasonForm),
                ("arrive", "arrive_form", ArriveForm))


def _render_detail(actor, req, *, status: int = 200, **forms):
    actions = page_actions(actor, req)
    steps = applicable_steps(kind=req.kind, channel=req.channel)
    can_check = refusal(actor, req, "check") is None and req.status in CHECKABLE_STATUSES
    page_forms = {}
    if can_check:
        check_form = page_forms["check_form"] = forms.get("check_form") or CheckForm(formdata=None)
        check_form.step.choices = choices({s: STEP_LABELS[s] for s in steps})
        if not forms.get("check_form"):
            missing = req.missing_checks
            check_form.step.data = str(missing[0]) if missing else str(steps[0])
    for action, slot, form_class in ACTION_FORMS:
        if action in actions:
            page_forms[slot] = forms.get(slot) or form_class(formdata=None)
    pending = reprints.pending_reprint(req)
    if pending is None and reprint_request_refusal(actor, req) is None:
        page_forms["reprint_form"] = forms.get("reprint_form") or ReprintForm(formdata=None)
    if pending is not None and reprint_decision_refusal(actor, req, pending) is None:
        page_forms["reprint_decision_form"] = forms.get("reprint_decision_form") or ReprintDecisionForm(formdata=None)
    for form in page_forms.values():
        form.version.data = str(req.version)
    required = req.required_checks
    return render_template(
        "reissue/detail.html", r=req, actions=actions, latest=req.latest_checks(), required=required,
        missing=req.missing_checks, optional_steps=[s for s in steps if s not in required], can_check=can_check,
        can_print=sees_pickup_token(actor, req), overdue=overdue_of([req]).get(req.id), pending_reprint=pending,
        reprint_refusal=reprint_decision_refusal(actor, req, pending) if pending else None, **page_forms,
    ), status


def _refused(actor, req, error: DomainError, *, form=None, slot: str | None = None):
    """Field errors go back onto the form; any other refusal is flashed above the fresh page."""
    settle(error)
    if form is not None and error.fields:
        show_error_on_form(form, error)
        return _render_detail(actor, get_request_or_404(actor, req.number, with_events=True),
                              status=error.status, **{slot: form})
    message = translate(error.message)
    missing = error.extra.get("missing_checks")
    if missing:
        message = _("%(message)s：%(steps)s", message=message,
                    steps=_("、").join(_(STEP_LABELS[Step(step)]) for step in missing))
    flash(message, "error")
    return redirect(url_for(".detail", number=req.number))


def _act(number: str, form, operation, done, *, slot: str | None = None):
    """Load the request, run ``operation(actor, request)``, and come back to its page saying what happened:
    ``done`` is a message, or ``done(request, outcome)`` gives (message, flash category)."""
    actor = current_actor()
    req = get_request_or_404(actor, number)
    try:
        outcome = operation(actor, req)
    except DomainError as error:
        return _refused(actor, req, error, form=form, slot=slot)
    flash(*(done(req, outcome) if callable(done) else (done, "success")))
    return redirect(url_for(".detail", number=req.number))


@bp.route("/requests/<request_number:number>")
@staff_required
def detail(number: str):
    actor = current_actor()
    return _render_detail(actor, get_request_or_404(actor, number, with_events=True))


@bp.post("/requests/<request_number:number>/checks")
@staff_required
def record_check(number: str):
    form = CheckForm()
    data = {"step": form.step.data, "result": form.result.data, "detail": form.detail.data,
            "score": form.score.data}

    def recorded(req, check) -> tuple[str, str]:
        passed = check.result == "pass"
        return (_("已记录核验：%(step)s — %(outcome)s", step=_(STEP_LABELS[Step(check.step)]),
                  outcome=_("通过") if passed else _("不通过")), "success" if passed else "warning")

    return _act(number, form, lambda actor, req: services.record_check(
        actor, req, data, expected_version=form.version.data), recorded, slot="check_form")


@bp.post("/requests/<request_number:number>/submit")
@staff_required
def submit(number: str):
    form = VersionedForm()

    def submitted(req, went_to_review: bool) -> tuple[str, str]:
        if not went_to_review:
            return _("已提交制卡，请打印受理回执交给申请人。"), "success"
        who = _("区卡中心督导") if req.review_level_needed == "district" else _("本网点另一名受理员或督导")
        return _("已转入待复核，须由%(who)s复核通过后制卡。", who=who), "warning"

    return _act(number, None, lambda actor, req: services.submit(actor, req, expected_version=form.version.data),
                submitted)


@bp.post("/requests/<request_number:number>/arrive")
@staff_required
def arrive(number: str):
    form = ArriveForm()
    return _act(number, form, lambda actor, req: services.arrive(
        actor, req, form.card_number.data or None, expected_version=form.version.data),
        _("已登记新卡到达，待申请人领取。"), slot="arrive_form")


@bp.post("/requests/<request_number:number>/cancel")
@staff_required
def cancel(number: str):
    form = ReasonForm()
    return _act(number, form, lambda actor, req: services.cancel(
        actor, req, form.reason.data, expected_version=form.version.data), _("申请已撤销。"), slot="cancel_form")


@bp.post("/requests/<request_number:number>/return")
@staff_required
def return_card(number: str):
    form = ReasonForm()
    return _act(number, form, lambda actor, req: services.return_card(
        actor, req, form.reason.data, expected_version=form.version.data), _("已登记退回市卡中心。"),
        slot="return_form")


# --- review (双人复核) ---------------------------------------------------------------------------------------

@bp.route("/requests/<request_number:number>/review", methods=["GET", "POST"])
@staff_required
def review(number: str):
    actor = current_actor()
    req = get_request_or_404(actor, number)
    form = ReviewForm()
    status = 200
    if request.method == "GET":
        form.version.data = str(req.version)
    elif form.validate_on_submit():
        decision = form.decision.data
        outcome = run_for_form(form, lambda: services.review(
            actor, req, decision, form.reason.data, expected_version=form.version.data,
            password=form.password.data, reauthenticate=True))
        if outcome.ok:
            if decision == "approve":
                flash(_("%(number)s 复核通过，已提交制卡。", number=req.number), "success")
            else:
                flash(_("%(number)s 已驳回。", number=req.number), "warning")
            return redirect(url_for(".review_queue"))
        status = outcome.status
        req = get_request_or_404(actor, number)  # the page now shows the current request
        form.version.data = str(req.version)
    form.password.data = ""
    return render_template("reissue/review.html", r=req, form=form,
                           needs_password=services.needs_reauthentication(actor, req),
                           approve_refusal=refusal(actor, req, "approve"), latest=req.latest_checks()), status


# --- without sign-in: the receipt's verification page and the status look-up ---------------------------------

@bp.route("/verify/<token>")
def verify(token: str):
    found = public.genuine_request(token)
    actor = current_actor()
    # Staff of the receipt's own outlet get a shortcut to the pickup form, filled with this token.
    at_counter = bool(found and actor and at_its_counter(actor, found))
    can_collect = at_counter and refusal(actor, found, "collect") is None
    return render_template("reissue/verify.html", r=found, token=token, at_its_outlet=at_counter,
                           can_collect=can_collect), 200 if found else 404


@bp.get("/status")
def status():
    return render_template("reissue/status.html", form=StatusLookupForm(formdata=None), result=None,
                           not_found=False)


@bp.post("/status")
@public.status_rate_limit  # the same budget as GET /api/v1/public/status: 10 look-ups a minute per address
def status_lookup():
    form = StatusLookupForm()
    result, not_found = None, False
    if form.validate_on_submit():
        try:
            result = public.lookup_status(form.number.data, form.id_last4.data)
        except NotFound:
            not_found = True
        except ValidationError as error:
            show_error_on_form(form, error)
    return render_template("reissue/status.html", form=form, result=result, not_found=not_found)


@bp.errorhandler(429)
def too_many_lookups(error):
    """Over the budget: the look-up page again, saying why, instead of a bare error page."""
    return render_template("reissue/status.html", form=StatusLookupForm(formdata=None), result=None,
                           not_found=False, rate_limited=True), 429
