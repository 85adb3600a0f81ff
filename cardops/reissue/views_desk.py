"""The card desk's pages, on the reissue blueprint: the printable receipt and its supervised reprint (回执遗失补打),
arrival of new cards (到卡登记), pickup (发卡) by QR or by number + pickup code, and the daily handover sheet (日结).

Thin like the rest of the blueprint: load in the actor's scope → service → redirect; refusals go back onto the
form or are flashed.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.core.access import current_actor
from cardops.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from cardops.core.forms import forget_id_numbers, run_for_form, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.timeutil import local_today
from cardops.core.transaction import settle
from cardops.reissue import arrivals as batch
from cardops.reissue import handover, pickup, reprints, services
from cardops.reissue.errors import PickupTokenInvalid
from cardops.reissue.forms import ArrivalForm, HandoverForm, PickupForm, ReprintDecisionForm, ReprintForm
from cardops.reissue.permissions import sees_pickup_token
from cardops.reissue.queries import get_request_or_404
from cardops.reissue.views import _refused, bp, staff_required
from cardops.reissue.workflow import STATUS_LABELS, Status

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
