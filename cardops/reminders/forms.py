from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField

from cardops.core.i18n import _l


class RuleForm(FlaskForm):
    # Checked by settings.update_rule (parse_crontab); its field errors land here.
    schedule = StringField(_l("运行计划（crontab）"), render_kw={"class": "mono", "maxlength": 100,
                                                           "spellcheck": "false", "autocomplete": "off"})
    enabled = BooleanField(_l("启用"))
    preview = SubmitField(_l("预览运行时间"))
    save = SubmitField(_l("保存"))


class RunForm(FlaskForm):
    as_of = StringField(_l("按某日运行（可选）"), render_kw={"type": "date"})
