"""The card desk: new cards arriving from the city card center (到卡登记) and handing them over (发卡)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cardops.core.access import current_actor, roles_required
from cardops.core.errors import DomainError, NotFound, ValidationError
from cardops.core.forms import run_for_form, settle, show_error_on_form
from cardops.core.i18n import translate
from cardops.extensions import db
from cardops.reissue import arrivals as batch
from cardops.reissue import pickup, services
from cardops.reissue.errors import PickupTokenInvalid
from cardops.reissue.forms import ArrivalForm, PickupForm
from cardops.reissue.queries import get_request_or_404
from cardops.reissue.web import forget_id_numbers
from cardops.reissue.workflow import STATUS_LABELS, Status

bp = Blueprint("cards", __name__)
staff_required = roles_required("clerk", "supervisor")


# --- arrival -----------------------------------------------------------------------------------------------

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
            # Ready for the next card: the single-number field is emptied (a scanner types into it).
            form.number.data = form.card_number.data = ""
    return render_template("reissue/arrivals.html", form=form, results=results, source=source,
                           summary=batch.summarise(results) if results is not None else None,
                           labels=batch.OUTCOME_LABELS), status


# --- pickup ------------------------------------------------------------------------------------------------

def _pickup_request(actor, number: str | None, token: str):
    """The request the pickup is for: the one the clerk opened, or the one the receipt's token names."""
    if number:
        return get_request_or_404(actor, number)
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


@bp.route("/pickup", methods=["GET", "POST"], endpoint="pickup")
@staff_required
def pickup_desk():
    actor = current_actor()
    form = PickupForm()
    status = 200
    req = None
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
        form.number.data = request.args.get("number", "")
    if form.number.data:
        req = get_request_or_404(actor, form.number.data)
    if form.validate_on_submit():
        token = pickup.extract_token(form.token.data)
        collector = {"id_number": form.collector_id_number.data, "name": form.collector_name.data}
        try:
            req = _pickup_request(actor, form.number.data, token)
            services.collect(actor, req, token, collector)
        except DomainError as error:
            settle(error)
            _show_pickup_error(form, error, req)
            status = error.status
        else:
            db.session.commit()
            return redirect(url_for(".pickup", done=req.number))
    done = None
    if request.method == "GET" and request.args.get("done"):
        done = get_request_or_404(actor, request.args["done"])
        if done.status != Status.COLLECTED:
            done = None
    forget_id_numbers(form.collector_id_number)
    return render_template("reissue/pickup.html", form=form, r=req, done=done), status
