"""WTForms of the reissue pages. They only carry the input: the rules (ID checksum, phone, who may do what) live
in validation.py and the services, whose field errors are put back on these fields by ``show_error_on_form``
(``applicant.id_number`` → ``applicant_id_number``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from cardops.core.i18n import _l
from cardops.reissue.workflow import (
    CHANNEL_LABELS,
    KIND_LABELS,
    RELATIONS,
    STEP_LABELS,
)


def choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    """Options from a vocabulary of workflow.py: the value stays as it is, the label is shown translated."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(str(value), _l(str(label))) for value, label in labels.items()]


class VersionedForm(FlaskForm):
    """An action on a request: the version the page showed, so a stale page is refused (409)."""

    version = HiddenField()


class IntakeForm(FlaskForm):
    # validate_choice=False: an empty or unknown choice is reported by the service in plain Chinese.
    kind = RadioField(_l("业务类型"), choices=choices(KIND_LABELS), validate_choice=False)
    channel = RadioField(_l("办理方式"), choices=choices(CHANNEL_LABELS), default="in_person", validate_choice=False)
    outlet_code = SelectField(_l("受理网点"), choices=[], validate_choice=False)
    applicant_id_number = StringField(_l("申请人身份证号码"), render_kw={
        "autocomplete": "off", "maxlength": 22, "data-validate": "id-number", "spellcheck": "false",
        "inputmode": "text", "class": "mono"})
    applicant_name = StringField(_l("申请人姓名"), render_kw={"autocomplete": "off", "maxlength": 50})
    applicant_phone = StringField(_l("申请人手机号码"), render_kw={
        "autocomplete": "off", "maxlength": 16, "data-validate": "phone", "inputmode": "tel", "type": "tel"})
    agent_id_number = StringField(_l("代办人身份证号码"), render_kw={
        "autocomplete": "off", "maxlength": 22, "data-validate": "id-number", "spellcheck": "false",
        "class": "mono"})
    agent_name = StringField(_l("代办人姓名"), render_kw={"autocomplete": "off", "maxlength": 50})
    agent_phone = StringField(_l("代办人手机号码"), render_kw={
        "autocomplete": "off", "maxlength": 16, "data-validate": "phone", "inputmode": "tel", "type": "tel"})
    agent_relation = SelectField(_l("与申请人关系"), choices=choices({r: r for r in RELATIONS}, blank="—"),
                                 validate_choice=False)
    agent_reason = StringField(_l("代办原因（可选）"), render_kw={"maxlength": 200, "autocomplete": "off"})
    note = TextAreaField(_l("备注"), validators=[Optional()], render_kw={"rows": 2, "maxlength": 1000})

    def to_service_data(self, *, with_outlet: bool) -> dict:
        """The body ``services.intake`` takes (the API's shape); agent fields count only for a proxy."""
        data = {
            "kind": self.kind.data,
            "channel": self.channel.data,
            "applicant": {"id_number": self.applicant_id_number.data, "name": self.applicant_name.data,
                          "phone": self.applicant_phone.data},
            "note": self.note.data,
        }
        if self.channel.data == "proxy":
            data["agent"] = {"id_number": self.agent_id_number.data, "name": self.agent_name.data,
                             "phone": self.agent_phone.data, "relation": self.agent_relation.data,
                             "reason": self.agent_reason.data}
        if with_outlet:
            data["outlet_code"] = self.outlet_code.data
        return data


class CheckForm(VersionedForm):
    step = SelectField(_l("核验项目"), choices=choices(STEP_LABELS), validate_choice=False)
    result = RadioField(_l("结果"), choices=[SelectChoice("pass", _l("通过")), SelectChoice("fail", _l("不通过"))],
                        default="pass", validate_choice=False)
    score = StringField(_l("比对分数"), render_kw={"inputmode": "numeric", "maxlength": 3, "class": "short"})
    detail = StringField(_l("说明"), render_kw={"maxlength": 500})


class ReasonForm(VersionedForm):
    reason = TextAreaField(_l("理由"), render_kw={"rows": 2, "maxlength": 500})


class ArriveForm(VersionedForm):
    card_number = StringField(_l("新卡卡号（可选）"), validators=[Optional(), Length(max=32)],
                              render_kw={"maxlength": 32, "autocomplete": "off"})


class ReviewForm(VersionedForm):
    decision = RadioField(_l("复核结论"), choices=[SelectChoice("approve", _l("通过")),
                                                   SelectChoice("reject", _l("驳回"))], validate_choice=False)
    reason = TextAreaField(_l("意见"), render_kw={"rows": 3, "maxlength": 500})
    password = PasswordField(_l("您的登录密码"), render_kw={"autocomplete": "current-password"})


class ArrivalForm(FlaskForm):
    number = StringField(_l("申请编号"), render_kw={"autocomplete": "off", "spellcheck": "false", "class": "mono",
                                                   "placeholder": _l("扫描或输入申请编号")})
    card_number = StringField(_l("新卡卡号（可选）"), render_kw={"autocomplete": "off", "maxlength": 32})
    numbers = TextAreaField(_l("申请编号清单"), render_kw={"rows": 8, "spellcheck": "false", "class": "mono"})
    file = FileField(_l("市卡中心批量文件（CSV）"), render_kw={"accept": ".csv,text/csv"})


class PickupForm(FlaskForm):
    # Either the receipt's QR (a scanner types its URL) alone, or the number and the 8-character pickup code.
    number = StringField(_l("申请编号"), render_kw={"autocomplete": "off", "spellcheck": "false", "class": "mono",
                                                   "placeholder": _l("印在回执上"), "data-enter-next": "token"})
    token = StringField(_l("取卡码或回执二维码"),
                        render_kw={"autocomplete": "off", "spellcheck": "false", "class": "mono",
                                   "placeholder": _l("扫描二维码，或输入 8 位取卡码"),
                                   "data-enter-next": "collector_id_number"})
    collector_id_number = StringField(_l("领取人身份证号码"), render_kw={
        "autocomplete": "off", "maxlength": 22, "data-validate": "id-number", "spellcheck": "false",
        "class": "mono"})
    collector_name = StringField(_l("领取人姓名"), render_kw={"autocomplete": "off", "maxlength": 50})


class StatusLookupForm(FlaskForm):
    number = StringField(_l("申请编号"), validators=[DataRequired(_l("请填写申请编号")), Length(max=32)],
                         render_kw={"autocomplete": "off", "spellcheck": "false", "class": "mono",
                                    "placeholder": _l("见受理回执")})
    id_last4 = StringField(_l("申请人身份证号码后4位"),
                           validators=[DataRequired(_l("请填写身份证号码后4位")),
                                       Length(min=4, max=4, message=_l("请填写身份证号码的最后4位"))],
                           render_kw={"autocomplete": "off", "maxlength": 4, "class": "mono short"})



class ReprintForm(VersionedForm):
    """A lost receipt: the holder is at the counter with their ID."""

    holder_id_number = StringField(_l("持证人身份证号码"), render_kw={
        "autocomplete": "off", "maxlength": 22, "data-validate": "id-number", "spellcheck": "false",
        "class": "mono"})
    holder_name = StringField(_l("持证人姓名（可选）"), render_kw={"autocomplete": "off", "maxlength": 50})
    reason = TextAreaField(_l("补打理由"), render_kw={"rows": 2, "maxlength": 500,
                                                     "placeholder": _l("例如：回执遗失，申请人本人持身份证到柜台")})
    id_checked = BooleanField(_l("已查验持证人身份证原件，人证一致"))


class ReprintDecisionForm(VersionedForm):
    decision = HiddenField()
    reason = TextAreaField(_l("意见"), render_kw={"rows": 2, "maxlength": 500})


class HandoverForm(FlaskForm):
    """The sheet's choice: a day, an outlet (supervisors), one clerk or the whole outlet. Sent by GET."""

    all_staff_label = _l("全体人员")
    day = StringField(_l("日期"), render_kw={"type": "date"})
    outlet = SelectField(_l("网点"), choices=[], validate_choice=False)
    clerk = SelectField(_l("人员"), choices=[], validate_choice=False)
