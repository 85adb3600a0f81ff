"""Input checks shared by every feature's services: errors collected per field and raised together as one
VALIDATION_ERROR, whose messages are plain Chinese sentences (the API answers them as they are) built as
``Message``s, so a page shows them in the reader's language. ``label`` is a ``N_``-marked word: it is translated
with the sentence.

The text rules of SPEC §3.6 live here, in one place:

* no text anywhere holds a NUL or another control character (tab and line breaks excepted), a bidi embedding,
  override or isolate (U+202A–U+202E, U+2066–U+2069: they make ``ABC`` display as ``CBA`` on a receipt or in an
  export), or a lone UTF-16 surrogate (no database can store one). ``cardops.core.inputguard`` refuses these for
  every request before any view runs, using ``refused_character``;
* ``text()`` also refuses line breaks and tabs unless the field is ``multiline`` (line breaks are normalised to
  ``\\n`` there), and treats a value made only of invisible characters (spaces, zero-width characters) as empty;
* ``person_name()``: a person's name is letters, the middle dot ``·`` and single spaces (SPEC §3.1/§3.6).
"""

from __future__ import annotations

import re
import unicodedata

from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message, verbatim

MAX_REASON = 500

# Refused in any text, single- or multi-line: C0 controls but tab/LF/CR, DEL, C1 controls (NEL included), bidi
# embeddings/overrides/isolates, lone surrogates.
_REFUSED_ANYWHERE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAK_OR_TAB = re.compile("[\t\n\r\u2028\u2029]")
_NEWLINES = re.compile("\r\n|\r|\u2028|\u2029")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Middle dots people type for the one in minority and foreign names (阿依古丽·买买提): all stored as U+00B7.
MIDDLE_DOT = "·"
_DOT_VARIANTS = re.compile("[\u2022\u2027\u2219\u22c5\u30fb\uff65\u0387\u16eb\u2e31]")
_SPACES = re.compile(r"[ \u00a0\u3000\u2000-\u200a\u202f\u205f]+")
_SPACED_DOT = re.compile(f" ?{MIDDLE_DOT} ?")


def refused_character(value: str, *, multiline: bool = True) -> str | None:
    """Why ``value`` cannot be stored as text (a plain Chinese sentence, a msgid), or None when it can.

    ``multiline=False`` also refuses tabs and line breaks.
    """
    found = _REFUSED_ANYWHERE.search(value)
    if found is not None:
        char = found.group()
        if _SURROGATE.match(char):
            return N_("含有无效的字符编码（孤立的代理项）")
        if _BIDI.match(char):
            return N_("含有不允许的文字方向控制字符")
        if char == "\x00":
            return N_("含有空字符（NUL）")
        return N_("含有不允许的控制字符")
    if not multiline and _LINE_BREAK_OR_TAB.search(value):
        return N_("不能包含换行符或制表符")
    return None


def is_blank(value: str) -> bool:
    """Nothing visible: only spaces, line breaks, zero-width and other format characters, lone marks."""
    return not any(unicodedata.category(char)[0] in "LNPS" for char in value)


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

    Single-line unless ``multiline`` (then ``\\r\\n`` and other line separators become ``\\n``).
    """
    if value is None or (isinstance(value, str) and is_blank(value)):
        if required:
            errors.add(name, Message(N_("请填写%(label)s"), label=label))
        return None
    if not isinstance(value, str):
        errors.add(name, Message(N_("%(label)s应为文字"), label=label))
        return None
    problem = refused_character(value, multiline=multiline)
    if problem is not None:
        errors.add(name, Message(N_("%(label)s%(problem)s"), label=label, problem=problem))
        return None
    if multiline:
        value = _NEWLINES.sub("\n", value)
    value = value.strip()
    if len(value) > max_length:
        errors.add(name, Message(N_("%(label)s不能超过%(max)s个字符"), label=label, max=max_length))
        return None
    return value


def person_name(value, errors: FieldErrors, name: str, *, required: bool, max_length: int, label: str) -> str | None:
    """A person's name: letters (with their combining marks), ``·`` between parts and single spaces.

    Typed variants of the middle dot become ``·``, runs of spaces one space, and the spelling is NFC; digits,
    punctuation, symbols, zero-width and control characters are refused.
    """
    value = text(value, errors, name, required=required, max_length=max_length * 4, label=label)
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value)
    value = _DOT_VARIANTS.sub(MIDDLE_DOT, value)
    value = _SPACED_DOT.sub(MIDDLE_DOT, _SPACES.sub(" ", value)).strip()
    if not _is_person_name(value):
        errors.add(name, Message(N_("%(label)s只能包含文字、间隔号“·”和空格"), label=label))
        return None
    if len(value) > max_length:
        errors.add(name, Message(N_("%(label)s不能超过%(max)s个字符"), label=label, max=max_length))
        return None
    return value


def _is_person_name(value: str) -> bool:
    """Parts of letters (a part may carry combining marks after a letter), joined by one ``·`` or one space."""
    for part in re.split(f"[ {MIDDLE_DOT}]", value):
        if not part or unicodedata.category(part[0])[0] != "L":
            return False
        if any(unicodedata.category(char)[0] not in "LM" for char in part):
            return False
    return True


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
    """A reason (reject, cancel, return, removal …): free text, several lines allowed."""
    errors = FieldErrors()
    reason = text(value, errors, "reason", required=required, max_length=MAX_REASON, label=N_("理由"),
                  multiline=True)
    errors.raise_if_any()
    return reason
