from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from cardops.core.i18n import _l
from cardops.risk.models import WATCHLIST_REASON_LABELS


class WatchlistAddForm(FlaskForm):
    # Checked by watchlist.add_entry (checksum, reason, length); its field errors land on these fields.
    id_number = StringField(_l("身份证号码"), render_kw={
        "autocomplete": "off", "maxlength": 22, "data-validate": "id-number", "spellcheck": "false", "class": "mono"})
    reason = SelectField(_l("原因"), choices=[SelectChoice("", "—")] + [
        SelectChoice(str(reason), _l(label)) for reason, label in WATCHLIST_REASON_LABELS.items()],
        validate_choice=False)
    note = TextAreaField(_l("备注"), render_kw={"rows": 2, "maxlength": 500})


class WatchlistRemoveForm(FlaskForm):
    reason = StringField(_l("移除理由"), render_kw={"maxlength": 500})
