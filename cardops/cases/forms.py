"""WTForms of the case pages. They only carry the input: the rules (lengths, dates, no personal data, who may do
what) live in validation.py and the services, whose field errors ``show_error_on_form`` puts back on these fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from cardops.cases.models import CASE_CATEGORY_LABELS
from cardops.cases.validation import LESSONS_MAX, NARRATIVE_MAX, TITLE_MAX
from cardops.cases.workflow import CRITERIA, CRITERION_LABELS, SCORE_MAX, SCORE_MIN
from cardops.core.i18n import _l


def choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(str(value), _l(str(label))) for value, label in labels.items()]


class VersionedForm(FlaskForm):
    """An action on a case: the version the page showed, so a stale page is refused (409)."""

    version = HiddenField()


class CaseForm(VersionedForm):
    title = StringField(_l("标题"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    outlet_code = SelectField(_l("所属网点"), choices=[], validate_choice=False)
    occurred_on = StringField(_l("发生日期"), render_kw={"type": "date"})
    category = SelectField(_l("类别"), choices=choices(CASE_CATEGORY_LABELS, blank="—"), validate_choice=False)
    narrative = TextAreaField(_l("案例经过"), render_kw={"rows": 12, "maxlength": NARRATIVE_MAX})
    lessons = TextAreaField(_l("经验与启示"), render_kw={"rows": 6, "maxlength": LESSONS_MAX})
    request_number = StringField(_l("关联申请编号（可选）"), render_kw={
        "autocomplete": "off", "spellcheck": "false", "class": "mono", "placeholder": "PT01-20261126-0001"})

    def to_service_data(self, *, with_outlet: bool) -> dict:
        data = {name: getattr(self, name).data for name in
                ("title", "occurred_on", "category", "narrative", "lessons", "request_number")}
        if with_outlet:
            data["outlet_code"] = self.outlet_code.data
        return data


class ReasonForm(VersionedForm):
    reason = TextAreaField(_l("意见"), render_kw={"rows": 3, "maxlength": 500})


class NominateForm(VersionedForm):
    year = SelectField(_l("评选年度"), choices=[], validate_choice=False)


class ScoreForm(FlaskForm):
    typicality = SelectField(_l(CRITERION_LABELS["typicality"]), validate_choice=False)
    educational_value = SelectField(_l(CRITERION_LABELS["educational_value"]), validate_choice=False)
    impact = SelectField(_l(CRITERION_LABELS["impact"]), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            getattr(self, criterion).choices = [SelectChoice("", "—")] + [
                SelectChoice(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]

    def to_service_data(self) -> dict:
        """Integers where the select gave one; anything else goes to the service as it came and is refused there."""
        data = {}
        for criterion in CRITERIA:
            raw = getattr(self, criterion).data
            data[criterion] = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else raw
        return data
