"""The reissue pages of the counter and the district: queues, intake, the request page with its checks and
actions, review and the printable receipt.

Thin on purpose: load in the actor's scope (another outlet's request is a 404) → service → commit → redirect.
A refused action comes back as a DomainError: field errors are shown on the form, anything else is flashed.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cardops.auth import services as accounts
from cardops.core.access import current_actor, roles_required
from cardops.core.errors import Conflict, DomainError, Forbidden, ValidationError
from cardops.core.forms import run_for_form, settle, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.pagination import parse_page_args
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import pickup, services
from cardops.reissue.forms import ArriveForm, CheckForm, IntakeForm, ReasonForm, ReviewForm, VersionedForm, choices
from cardops.reissue.permissions import available_actions, refusal
from cardops.reissue.queries import RequestFilters, get_request_or_404, queue_counts, summaries
from cardops.reissue.web import forget_id_numbers, init_templates, qr_svg
from cardops.reissue.workflow import (
    CHECKABLE_STATUSES,
    STEP_LABELS,
    RiskLevel,
    Status,
    Step,
    applicable_steps,
    required_steps,
)

bp = Blueprint("reissue", __name__)
bp.record_once(init_templates)
staff_required = roles_required("clerk", "supervisor")

RECEIPT_STATUSES = frozenset({Status.SUBMITTED, Status.READY})


def _page_args(default_per_page: int = 20) -> tuple[int, int]:
    try:
        return parse_page_args(request.args, default_per_page)
    except ValidationError:
        return 1, default_per_page


def _outlets() -> list[Outlet]:
    return list(db.session.scalars(select(Outlet).order_by(Outlet.code)))


# --- queues ------------------------------------------------------------------------------------------------

@bp.route("/requests")
@staff_required
def queue():
    actor = current_actor()
    try:
        filters = RequestFilters.from_args(request.args)
    except ValidationError as error:
        flash(_("筛选条件无效，已显示全部：") + _("；").join(translate(m) for m in error.fields.values()), "error")
        filters = RequestFilters()
    page, per_page = _page_args()
    counts = queue_counts(actor)
    listing = summaries(actor, filters, page, per_page, counts=counts)
    return render_template("reissue/queue.html", listing=listing, filters=filters, counts=counts,
                           outlets=_outlets() if actor.is_supervisor else [])


@bp.route("/review")
@staff_required
def review_queue():
    actor = current_actor()
    outlet_code = None
    if actor.is_supervisor:
        outlet_code = (request.args.get("outlet_code") or "").strip() or None
    page, per_page = _page_args()
    listing = summaries(actor, RequestFilters(queue="review", outlet_code=outlet_code), page, per_page,
                        review_first=True, with_flags=True)
    refusals = {r.id: refusal(actor, r, "approve") for r in listing.items}
    return render_template("reissue/review_queue.html", listing=listing, refusals=refusals,
                           outlets=_outlets() if actor.is_supervisor else [], outlet_code=outlet_code)


# --- intake ------------------------------------------------------------------------------------------------

@bp.route("/requests/new", methods=["GET", "POST"])
@staff_required
def intake():
    actor = current_actor()
    form = IntakeForm()
    if actor.is_supervisor:
        form.outlet_code.choices = choices({o.code: f"{o.code} {o.name}" for o in _outlets() if o.active},
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

def _load(number: str, *, with_events: bool = False):
    actor = current_actor()
    return actor, get_request_or_404(actor, number, with_events=with_events)


def _check_steps(req) -> list[Step]:
    """The steps that may be recorded, in the order a clerk performs them."""
    applicable = applicable_steps(kind=req.kind, channel=req.channel)
    return [s for s in required_steps(kind=req.kind, channel=req.channel, risk_level=RiskLevel.HIGH)
            if s in applicable]


# The forms of the request page, each built only when its action is offered (most requests on screen are done
# with: building five forms for nothing cost more than the rest of the page).
ACTION_FORMS = (("cancel", "cancel_form", ReasonForm), ("return", "return_form", ReasonForm),
                ("arrive", "arrive_form", ArriveForm))


def _render_detail(actor, req, *, status: int = 200, **forms):
    actions = available_actions(actor, req)
    steps = _check_steps(req)
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
    for form in page_forms.values():
        form.version.data = str(req.version)
    required = req.required_checks
    return render_template(
        "reissue/detail.html", r=req, actions=actions, latest=req.latest_checks(), required=required,
        missing=req.missing_checks, optional_steps=[s for s in steps if s not in required], can_check=can_check,
        can_print=req.status in RECEIPT_STATUSES and actor.outlet_id == req.outlet_id,
        **page_forms,
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


@bp.route("/requests/<number>")
@staff_required
def detail(number: str):
    actor, req = _load(number, with_events=True)
    return _render_detail(actor, req)


@bp.post("/requests/<number>/checks")
@staff_required
def record_check(number: str):
    actor, req = _load(number)
    form = CheckForm()
    data = {"step": form.step.data, "result": form.result.data, "detail": form.detail.data,
            "score": form.score.data}
    try:
        check = services.record_check(actor, req, data, expected_version=form.version.data)
    except DomainError as error:
        return _refused(actor, req, error, form=form, slot="check_form")
    db.session.commit()
    outcome = _("通过") if check.result == "pass" else _("不通过")
    flash(_("已记录核验：%(step)s — %(outcome)s", step=_(STEP_LABELS[Step(check.step)]), outcome=outcome),
          "success" if check.result == "pass" else "warning")
    return redirect(url_for(".detail", number=req.number))


@bp.post("/requests/<number>/submit")
@staff_required
def submit(number: str):
    actor, req = _load(number)
    form = VersionedForm()
    try:
        went_to_review = services.submit(actor, req, expected_version=form.version.data)
    except DomainError as error:
        return _refused(actor, req, error)
    db.session.commit()
    if went_to_review:
        who = _("区卡中心督导") if req.review_level_needed == "district" else _("本网点另一名受理员或督导")
        flash(_("已转入待复核，须由%(who)s复核通过后制卡。", who=who), "warning")
    else:
        flash(_("已提交制卡，请打印受理回执交给申请人。"), "success")
    return redirect(url_for(".detail", number=req.number))


@bp.post("/requests/<number>/arrive")
@staff_required
def arrive(number: str):
    actor, req = _load(number)
    form = ArriveForm()
    try:
        services.arrive(actor, req, form.card_number.data or None, expected_version=form.version.data)
    except DomainError as error:
        return _refused(actor, req, error, form=form, slot="arrive_form")
    db.session.commit()
    flash(_("已登记新卡到达，待申请人领取。"), "success")
    return redirect(url_for(".detail", number=req.number))


@bp.post("/requests/<number>/cancel")
@staff_required
def cancel(number: str):
    return _close(number, "cancel", _("申请已撤销。"))


@bp.post("/requests/<number>/return")
@staff_required
def return_card(number: str):
    return _close(number, "return", _("已登记退回市卡中心。"))


def _close(number: str, action: str, done: str):
    actor, req = _load(number)
    form = ReasonForm()
    try:
        services.ACTIONS_WITH_REASON[action](actor, req, form.reason.data, expected_version=form.version.data)
    except DomainError as error:
        return _refused(actor, req, error, form=form, slot=f"{action}_form")
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".detail", number=req.number))


# --- review (双人复核) ---------------------------------------------------------------------------------------

@bp.route("/requests/<number>/review", methods=["GET", "POST"])
@staff_required
def review(number: str):
    actor, req = _load(number)
    form = ReviewForm()
    # A supervisor approving a high-risk request confirms it is really them (SPEC §3.4).
    needs_password = actor.is_supervisor and req.risk_level == RiskLevel.HIGH
    status = 200
    if request.method == "GET":
        form.version.data = str(req.version)
    elif form.validate_on_submit():
        decision = form.decision.data
        problem = refusal(actor, req, decision) if decision in ("approve", "reject") else None
        if problem is None and decision == "approve" and needs_password \
                and not accounts.confirm_password(actor, form.password.data, ip=request.remote_addr):
            db.session.commit()  # the failed re-authentication is audited and counts towards the lockout
            form.password.errors = [_("密码不正确，请重新输入您的登录密码")]
            status = 403
        else:
            try:
                if problem is not None:
                    raise problem
                services.review(actor, req, decision, form.reason.data, expected_version=form.version.data)
            except DomainError as error:
                settle(error)
                show_error_on_form(form, error)
                status = error.status
                req = get_request_or_404(actor, number)
                form.version.data = str(req.version)  # the page now shows the current request
            else:
                db.session.commit()
                if decision == "approve":
                    flash(_("%(number)s 复核通过，已提交制卡。", number=req.number), "success")
                else:
                    flash(_("%(number)s 已驳回。", number=req.number), "warning")
                return redirect(url_for(".review_queue"))
    form.password.data = ""
    approve_refusal = refusal(actor, req, "approve")
    return render_template("reissue/review.html", r=req, form=form, needs_password=needs_password,
                           approve_refusal=approve_refusal, latest=req.latest_checks()), status


# --- the receipt (受理回执) ----------------------------------------------------------------------------------

@bp.route("/requests/<number>/receipt")
@staff_required
def receipt(number: str):
    actor, req = _load(number)
    if actor.outlet_id != req.outlet_id:
        raise Forbidden(_("受理回执只能由受理网点打印"))
    if req.status not in RECEIPT_STATUSES:
        raise Conflict(_("该申请当前没有可打印的受理回执（提交制卡后才有回执）"))
    url = pickup.verification_url(req)
    return render_template("reissue/receipt.html", r=req, verification_url=url,
                           qr=qr_svg(url, _("受理回执验证二维码")))
