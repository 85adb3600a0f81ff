from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from cardops.auth.models import ROLE_LABELS
from cardops.auth.services import MIN_PASSWORD_LENGTH
from cardops.core.forms import MultiCheckboxField

ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]
PASSWORD_RULE = Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"密码至少{MIN_PASSWORD_LENGTH}位")


class UserEditForm(FlaskForm):
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    roles = MultiCheckboxField("角色", choices=ROLE_CHOICES, validators=[DataRequired("至少选择一个角色")])
    outlet = SelectField("所属网点", choices=[], validate_choice=True)


class UserCreateForm(UserEditForm):
    username = StringField("用户名", validators=[
        DataRequired("请填写用户名"), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.\-]+$", message="用户名只能包含字母、数字、点、下划线和连字符"),
    ])
    password = PasswordField("初始密码", validators=[DataRequired("请填写初始密码"), PASSWORD_RULE])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired("请填写新密码"), PASSWORD_RULE])
    confirm = PasswordField("确认新密码", validators=[EqualTo("password", "两次输入的密码不一致")])


class DeactivateForm(FlaskForm):
    reason = TextAreaField("停用原因", validators=[DataRequired("请填写停用原因"), Length(max=500)])


class PostForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class OutletForm(FlaskForm):
    code = StringField("网点代码", validators=[
        DataRequired("请填写网点代码"), Regexp(r"^[A-Z0-9]{2,16}$", message="网点代码为2-16位大写字母或数字")])
    name = StringField("网点名称", validators=[DataRequired("请填写网点名称"), Length(max=100)])
    active = BooleanField("启用", default=True)


class TokenForm(FlaskForm):
    user = SelectField("用户", choices=[], coerce=int, validate_choice=True)
    name = StringField("用途说明", validators=[Optional(), Length(max=100)])
