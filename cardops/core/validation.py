"""Input checks shared by every feature's services: errors collected per field and raised together as one
VALIDATION_ERROR, whose messages are plain Chinese sentences (the API answers them as they are) built as
``Message``s, so a page shows them in the reader's language. ``label`` is a ``N_``-marked word: it is translated
with the sentence."""

from __future__ import annotations

import re

from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message, verbatim

MAX_REASON = 500
_NEWLINES = re.compile("\r\n|\r|\u2028|\u2029")


class FieldErrors:
    def __init__(self):
        self.fields: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(N_("提交的信息有误，请按提示修改"), fields=self.fields)


def text(value, errors: FieldErrors, name: str, *, required: bool, max_length: int, label: str,
         multiline: bool = False) -> str | None:
    """A trimmed string of at most ``max_length`` characters, or None (and an error when required).

    ``multiline``: a field of several lines (a narrative), whose line breaks are normalised to ``\\n``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(name, Message(N_("请填写%(label)s"), label=label))
        return None
    if not isinstance(value, str):
        errors.add(name, Message(N_("%(label)s应为文字"), label=label))
        return None
    if multiline:
        value = _NEWLINES.sub("\n", value)
    value = value.strip()
    if len(value) > max_length:
        errors.add(name, Message(N_("%(label)s不能超过%(max)s个字符"), label=label, max=max_length))
        return None
    return value


def choice(value, enum_cls, errors: FieldErrors, name: str, label: str):
    """A member of ``enum_cls`` (a StrEnum) or None with an error naming the field."""
    if value is None or value == "":
        errors.add(name, Message(N_("请选择%(label)s"), label=label))
        return None
    try:
        return enum_cls(value) if isinstance(value, str) else enum_cls(str(value))
    except ValueError:
        # The API's reader needs the codes; a form only ever sends one of its own options.
        errors.add(name, Message(N_("%(label)s无效，可选：%(allowed)s"), label=label,
                                 allowed=verbatim("、".join(e.value for e in enum_cls))))
        return None


def parse_reason(value, *, required: bool) -> str | None:
    errors = FieldErrors()
    reason = text(value, errors, "reason", required=required, max_length=MAX_REASON, label=N_("理由"))
    errors.raise_if_any()
    return reason
