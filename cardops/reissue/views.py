"""The reissue pages: queues (with the search by full ID number), intake, the request page with its checks and
actions, review, and the two pages without sign-in (receipt check, status look-up). The card desk — receipt,
reprint, arrival, pickup, the daily handover sheet — is in ``views_desk`` on the same blueprint.

Thin on purpose: load in the actor's scope (another outlet's request is a 404) → service → redirect; the request's
unit of work commits. A refused action comes back as a DomainError: field errors are shown on the form, anything
else is flashed.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.core.access import current_actor, roles_required
from cardops.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from cardops.core.forms import forget_id_numbers, run_for_form, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.pagination import lenient_page_args, paged, paginate
from cardops.core.pii import InvalidIdNumber, normalise_id_number
from cardops.core.timeutil import local_today, utcnow
from cardops.core.transaction import settle
from cardops.outlets.services import all_outlets
from cardops.reissue import arrivals as batch
from cardops.reissue import handover, idsearch, pickup, public, reprints, services
from cardops.reissue.errors import PickupTokenInvalid
from cardops.reissue.forms import (
    ArrivalForm,
    ArriveForm,
    CheckForm,
    HandoverForm,
    IntakeForm,
    PickupForm,
    ReasonForm,
    ReprintDecisionForm,
    ReprintForm,
    ReviewForm,
    StatusLookupForm,
    VersionedForm,
    choices,
)
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
    RequestFilters,
    awaiting_review,
    card_total,
    flags_of,
    get_request_or_404,
    missing_checks_of,
    queue_counts,
    queue_rows,
    requests_query,
)
from cardops.reissue.workflow import CHECKABLE_STATUSES, STATUS_LABELS, STEP_LABELS, Status, Step, applicable_steps

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
    now = utcnow()
    counts = queue_counts(actor, now)
    query = requests_query(actor, filters, now=now)
    listing = paginate(query, page, per_page, bounded=True, scalars=False, rows=paged(queue_rows(query)),
                       total=card_total(filters, counts))
    shown = [row.ReissueRequest for row in listing.items]
    return render_template("reissue/queue.html", listing=listing, filters=filters, counts=counts,
                           missing=missing_checks_of(shown), overdue=overdue_of(shown),
                           outlets=all_outlets() if actor.is_supervisor else [],
                           id_masked=id_search[1] if id_search else None)


@bp.route("/review")
@staff_required
def review_queue():
    actor = current_actor()
    outlet_code = (request.args.get("outlet_code") or "").strip() or None if actor.is_supervisor else None
    listing = awaiting_review(actor, outlet_code, *lenient_page_args(request.args))
    shown = [row.ReissueRequest for row in listing.items]
    return render_template("reissue/review_queue.html", listing=listing, flags=flags_of(shown),
                           refusals={r.id: refusal(actor, r, "approve") for r in shown},
                           outlets=all_outlets() if actor.is_supervisor else [], outlet_code=outlet_code,
                           reprints=reprints.waiting_reprints(actor), overdue=overdue_of(shown))


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


# --- the receipt (受理回执) ----------------------------------------------------------------------------------


@bp.route("/requests/<request_number:number>/receipt")
@staff_required
def receipt(number: str):
    actor = current_actor()
    req = get_request_or_404(actor, number)
    if not sees_pickup_token(actor, req):
        if req.status not in (Status.SUBMITTED, Status.READY):
            raise Conflict(_("该申请当前没有可打印的受理回执（提交制卡后才有回执）"))
        raise Forbidden(_("受理回执只能由受理网点打印"))
    url = pickup.verification_url(req)
    reprinted = next((r for r in reversed(req.reprints) if r.status == reprints.APPROVED), None)
    return render_template("reissue/receipt.html", r=req, verification_url=url, reprinted=reprinted,
                           code=pickup.grouped_code(pickup.request_code(req)),
                           qr=pickup.qr_svg(url, _("受理回执验证二维码")))


# --- a lost receipt: asked for at the counter, approved by a second person ---------------------------------------

@bp.post("/requests/<request_number:number>/reprints")
@staff_required
def reprint_request(number: str):
    actor = current_actor()
    req = get_request_or_404(actor, number)
    form = ReprintForm()
    data = {"reason": form.reason.data, "id_checked": bool(form.id_checked.data),
            "holder": {"id_number": form.holder_id_number.data, "name": form.holder_name.data}}
    try:
        reprints.request_reprint(actor, req, data)
    except DomainError as error:
        if error.code == "HOLDER_MISMATCH":
            error.fields = {"holder.id_number": error.message}
        forget_id_numbers(form.holder_id_number)
        return _refused(actor, req, error, form=form, slot="reprint_form")
    flash(_("已提交回执补打申请，请督导或本网点另一名受理员批准后打印新回执。"), "success")
    return redirect(url_for(".detail", number=req.number, _anchor="reprint"))


@bp.post("/requests/<request_number:number>/reprints/<int:reprint_id>")
@staff_required
def reprint_decision(number: str, reprint_id: int):
    actor = current_actor()
    req = get_request_or_404(actor, number)
    reprint = next((r for r in req.reprints if r.id == reprint_id), None)
    if reprint is None:
        raise NotFound()
    form = ReprintDecisionForm()
    decision = form.decision.data
    try:
        reprints.decide_reprint(actor, req, reprint, decision, form.reason.data, expected_version=form.version.data)
    except DomainError as error:
        return _refused(actor, req, error, form=form, slot="reprint_decision_form")
    if decision == "approve":
        flash(_("已批准补打：原回执和取卡码已作废。请打印新回执交给持证人。"), "success")
        return redirect(url_for(".receipt", number=req.number))
    flash(_("已不批准这份补打申请。"), "warning")
    return redirect(url_for(".detail", number=req.number))


# --- the card desk: arrival (到卡登记) and pickup (发卡) ----------------------------------------------------

def _arrival_rows(form: ArrivalForm) -> tuple[str, list[batch.ArrivalRow]]:
    """(source, rows) from whichever input the clerk used: the file, the list, or the single number."""
    upload = form.file.data
    if request.form.get("mode") == "batch":
        if upload is not None and getattr(upload, "filename", ""):
            return "file", batch.parse_csv(batch.decode_batch(upload.read(batch.MAX_FILE_BYTES + 1)))
        if (form.numbers.data or "").strip():
            return "list", batch.parse_lines(form.numbers.data)
        raise ValidationError(fields={"numbers": _("请粘贴申请编号清单（每行一个），或选择市卡中心的 CSV 文件")})
    number = (form.number.data or "").strip()
    if not number:
        raise ValidationError(fields={"number": _("请输入或扫描申请编号")})
    return "single", [batch.ArrivalRow(1, number.upper(), (form.card_number.data or "").strip() or None)]


@bp.route("/arrivals", methods=["GET", "POST"])
@staff_required
def arrivals():
    actor = current_actor()
    form = ArrivalForm()
    results = source = None
    status = 200
    if form.validate_on_submit():
        def arrive_rows():
            source, rows = _arrival_rows(form)
            return source, batch.apply_arrivals(actor, rows)

        outcome = run_for_form(form, arrive_rows)
        status = outcome.status
        if outcome.ok:
            source, results = outcome.value
            form.number.data = form.card_number.data = ""  # ready for the next card: a scanner types here
    return render_template("reissue/arrivals.html", form=form, results=results, source=source,
                           summary=batch.summarise(results) if results is not None else None), status


def _pickup_request(actor, number: str, token: str):
    """The request the pickup is for: the number the clerk typed, or the one the receipt's token names."""
    if number:
        try:
            return get_request_or_404(actor, number)
        except NotFound:
            raise ValidationError(fields={"number": _("本网点没有这个申请编号，请核对回执")}) from None
    payload = pickup.read_token(token)
    if payload is None:
        raise PickupTokenInvalid()
    try:
        return get_request_or_404(actor, payload[0])
    except NotFound:
        raise NotFound(_("该回执对应的申请不在本网点办理，请申请人到受理网点领取")) from None


def _show_pickup_error(form: PickupForm, error: DomainError, req) -> None:
    if error.code == "PICKUP_TOKEN_INVALID":
        form.token.errors = [*form.token.errors, translate(error.message)]
    elif error.code == "COLLECTOR_MISMATCH":
        form.collector_id_number.errors = [*form.collector_id_number.errors, translate(error.message)]
    elif error.code == "INVALID_TRANSITION" and req is not None:
        state = _(STATUS_LABELS[Status(req.status)])
        hint = _("新卡尚未到达") if req.status == Status.SUBMITTED else _("当前状态：%(state)s", state=state)
        form.form_errors.append(_("该申请现在不能发卡（%(hint)s）", hint=hint))
    else:
        show_error_on_form(form, error)


def _collect(actor, form: PickupForm):
    """Read what the clerk typed or scanned — the receipt's QR (its URL or token) or the number and the pickup
    code — and hand the card over. Returns the request."""
    typed = (form.token.data or "").strip()
    number = (form.number.data or "").strip().upper()
    if not typed:
        raise ValidationError(fields={"token": _("请输入回执上的取卡码，或扫描回执上的二维码")})
    code = pickup.normalise_code(typed)
    if code is not None and not number:
        raise ValidationError(fields={"number": _("凭取卡码发卡时请填写申请编号（印在回执上）")})
    token = None if code is not None else pickup.extract_token(typed)
    req = _pickup_request(actor, number, token)
    collector = {"id_number": form.collector_id_number.data, "name": form.collector_name.data}
    form.found = req
    services.collect(actor, req, token, collector, pickup_code=code)
    return req


@bp.route("/pickup", methods=["GET", "POST"], endpoint="pickup")
@staff_required
def pickup_desk():
    actor = current_actor()
    form = PickupForm()
    status = 200
    form.found = None
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
        form.number.data = request.args.get("number", "")
        if form.number.data:
            form.found = get_request_or_404(actor, form.number.data)
    if form.validate_on_submit():
        try:
            req = _collect(actor, form)
        except DomainError as error:
            settle(error)
            _show_pickup_error(form, error, form.found)
            status = error.status
        else:
            return redirect(url_for(".pickup", done=req.number))
    done = None
    if request.method == "GET" and request.args.get("done"):
        done = get_request_or_404(actor, request.args["done"])
        if done.status != Status.COLLECTED:
            done = None
    forget_id_numbers(form.collector_id_number)
    return render_template("reissue/pickup.html", form=form, r=form.found, done=done), status


# --- the daily handover sheet (日结) --------------------------------------------------------------------------

@bp.route("/handover")
@staff_required
def handover_sheet():
    actor = current_actor()
    form = HandoverForm(request.args, meta={"csrf": False})
    sheet = handover.build_sheet(actor, _day(form.day.data), outlet_code=form.outlet.data or None,
                                 username=form.clerk.data or None)
    handover.fill_choices(actor, form)
    return render_template("reissue/handover.html", form=form, sheet=sheet)


def _day(value) -> date:
    try:
        day = date.fromisoformat(value) if value else local_today()
    except ValueError:
        flash(_("日期无效，已显示今天。"), "error")
        return local_today()
    return min(day, local_today())
