from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from cardops.auth.models import ROLE_LABELS
from cardops.auth.services import MIN_PASSWORD_LENGTH
from cardops.core.forms import MultiCheckboxField

# The role labels are msgids of the catalogue (they also appear in templates/main/home.html).
ROLE_CHOICES = [SelectChoice(role.value, _l(label)) for role, label in ROLE_LABELS.items()]
PASSWORD_RULE = Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("密码至少%(n)s位", n=MIN_PASSWORD_LENGTH))


class UserEditForm(FlaskForm):
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64)])
    roles = MultiCheckboxField(_l("角色"), choices=ROLE_CHOICES,
                               validators=[DataRequired(_l("至少选择一个角色"))])
    outlet = SelectField(_l("所属网点"), choices=[], validate_choice=True)
    # Checked by the service (auth.services.normalise_email); its error lands on this field.
    email = StringField(_l("电子邮箱"), render_kw={"type": "email", "maxlength": 254, "autocomplete": "off",
                                                   "spellcheck": "false"})


class UserCreateForm(UserEditForm):
    username = StringField(_l("用户名"), validators=[
        DataRequired(_l("请填写用户名")), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("用户名只能包含字母、数字、点、下划线和连字符")),
    ])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码")), PASSWORD_RULE])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码")), PASSWORD_RULE])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("password", _l("两次输入的密码不一致"))])


class DeactivateForm(FlaskForm):
    reason = TextAreaField(_l("停用原因"), validators=[DataRequired(_l("请填写停用原因")), Length(max=500)])


class OutletForm(FlaskForm):
    code = StringField(_l("网点代码"), validators=[
        DataRequired(_l("请填写网点代码")),
        Regexp(r"^[A-Z0-9]{2,16}$", message=_l("网点代码为2-16位大写字母或数字"))])
    name = StringField(_l("网点名称"), validators=[DataRequired(_l("请填写网点名称")), Length(max=100)])
    active = BooleanField(_l("启用"), default=True)


class TokenForm(FlaskForm):
    user = SelectField(_l("用户"), choices=[], coerce=int, validate_choice=True)
    name = StringField(_l("用途说明"), validators=[Optional(), Length(max=100)])
