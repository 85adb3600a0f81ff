"""What the reissue pages share: the vocabulary templates show (labels and badge colours, from workflow.py, in
one place), masking of names, the receipt's QR code and settling a refused action's transaction."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask_babel import gettext as _
from markupsafe import Markup

from cardops.core import pii
from cardops.core.i18n import N_, page_gettext
from cardops.reissue import workflow
from cardops.reissue.queries import QUEUE_LABELS, queue_counts
from cardops.risk.models import WATCHLIST_REASON_LABELS


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧**娜``: enough to recognise one's own receipt, not to identify."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def qr_svg(data: str, label: str = "") -> Markup:
    """An inline SVG QR code (vector, prints sharply; no style attributes, so the CSP allows it)."""
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    # Size comes from the stylesheet, not from the factory's millimetres.
    head, _, rest = svg.partition(" version=")
    attributes = f'<svg class="qr" role="img" aria-label="{Markup.escape(label)}" version='
    return Markup(attributes + rest) if head.startswith("<svg") else Markup(svg)


def forget_id_numbers(*fields) -> None:
    """A form shown again never carries a full ID number back (SPEC §3.6): the field is emptied and, when the
    number was valid, its masked form says which one to type again."""
    for field in fields:
        if not field.data:
            continue
        hint = _("请重新输入")
        try:
            masked = pii.mask_id_number(pii.normalise_id_number(field.data))
        except pii.InvalidIdNumber:
            pass
        else:
            hint = _("请重新输入 %(masked)s", masked=masked)
        field.data = ""
        field.raw_data = []
        field.render_kw = {**(field.render_kw or {}), "placeholder": hint}


def _badge(kind: str, value, labels: dict, styles: dict, size: str = "") -> Markup:
    classes = f"badge badge-{styles.get(value, 'neutral')} {kind}-badge" + (f" badge-{size}" if size else "")
    return Markup('<span class="{}" data-{}="{}">{}</span>').format(
        classes, kind, value, page_gettext(labels.get(value, value)))


# Badges appear on every line of every queue: Python functions, not macros (a macro call costs several times
# more than a function call, and a queue page has dozens of them).
def status_badge(status, size: str = "") -> Markup:
    return _badge("status", status, workflow.STATUS_LABELS, workflow.STATUS_BADGES, size)


def risk_badge(level, size: str = "") -> Markup:
    return _badge("risk", level, workflow.RISK_LABELS, workflow.RISK_BADGES, size)


def init_templates(state) -> None:
    """Registered once with the reissue blueprint: every template (and imported macro) sees the same labels."""
    env = state.app.jinja_env
    env.globals.update(
        STATUS_LABELS=workflow.STATUS_LABELS,
        STATUS_BADGES=workflow.STATUS_BADGES,
        RISK_LABELS=workflow.RISK_LABELS,
        RISK_BADGES=workflow.RISK_BADGES,
        KIND_LABELS=workflow.KIND_LABELS,
        CHANNEL_LABELS=workflow.CHANNEL_LABELS,
        STEP_LABELS=workflow.STEP_LABELS,
        STEP_HINTS=workflow.STEP_HINTS,
        QUEUE_LABELS=QUEUE_LABELS,
        ACTION_LABELS={"intake": N_("受理"), **{name: t.label for name, t in workflow.TRANSITIONS.items()}},
        WATCHLIST_REASON_LABELS=WATCHLIST_REASON_LABELS,
        RELATIONS=workflow.RELATIONS,
        reissue_queue_counts=queue_counts,  # the home page's queue cards
        status_badge=status_badge,
        risk_badge=risk_badge,
    )
    env.filters.update(mask_name=mask_name)
