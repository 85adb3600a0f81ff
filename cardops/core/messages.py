"""Sentences a service composes in Chinese that a page can still show in the reader's language.

A ``Message`` *is* the Chinese sentence (a ``str``: the API, the database column and the tests see exactly the
text they saw before) and also remembers its template and parameters, so ``translate()`` can build it again from
the translated template. Parameters that are words of a vocabulary (a step, a status, "申请人") are translated
with it; data (numbers, an outlet's name, a masked ID) is inserted as it is: wrap such text in ``verbatim()``.
A message stored in the database keeps its structure in a JSON column (``to_data`` / ``from_data``).
"""

from __future__ import annotations

from flask_babel import gettext


class Verbatim(str):
    """Text inserted into a message as it is, never looked up in the catalogue (names, codes, masked IDs)."""


def verbatim(value) -> Verbatim:
    return Verbatim("" if value is None else str(value))


class Message(str):
    """A Chinese sentence built from a ``N_``-marked template and its parameters."""

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        text = template % {k: _as_chinese(v) for k, v in params.items()} if params else template
        message = super().__new__(cls, text)
        message.template = template
        message.params = params
        return message

    def translated(self) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        return text % {k: _translated(v) for k, v in self.params.items()}

    # --- stored in a JSON column -----------------------------------------------------------------------------

    def to_data(self) -> dict:
        return {"t": self.template, "p": {k: _param_data(v) for k, v in self.params.items()}}

    @classmethod
    def from_data(cls, data) -> Message | None:
        if not isinstance(data, dict) or not isinstance(data.get("t"), str):
            return None
        params = {k: _param_value(v) for k, v in (data.get("p") or {}).items()}
        return cls(data["t"], **params)


class Joined(str):
    """Messages joined by a separator that is itself translated (``、`` becomes ``, ``; ``；`` becomes ``; ``)."""

    separator: str
    parts: list

    def __new__(cls, separator: str, parts):
        parts = list(parts)
        joined = super().__new__(cls, separator.join(_as_chinese(p) for p in parts))
        joined.separator = separator
        joined.parts = parts
        return joined

    def translated(self) -> str:
        return gettext(self.separator).join(_translated(p) for p in self.parts)


def _as_chinese(value):
    return value if isinstance(value, int | float) else str(value)


def _translated(value):
    if isinstance(value, Message | Joined):
        return value.translated()
    if isinstance(value, Verbatim) or not isinstance(value, str):
        return value
    return gettext(value) if value else value


def _param_data(value):
    if isinstance(value, Message):
        return {"m": value.to_data()}
    if isinstance(value, Joined):
        return {"j": value.separator, "items": [_param_data(p) for p in value.parts]}
    if isinstance(value, Verbatim):
        return {"v": str(value)}
    return value


def _param_value(data):
    if isinstance(data, dict):
        if "m" in data:
            return Message.from_data(data["m"]) or ""
        if "j" in data:
            return Joined(data["j"], [_param_value(p) for p in data.get("items", [])])
        if "v" in data:
            return Verbatim(data["v"])
        return ""
    return data


def translate_message(message):
    """The reader's words for ``message``: a Message or Joined rebuilt from translated parts, any other text
    looked up as a msgid (unknown text comes back unchanged)."""
    if isinstance(message, Message | Joined):
        return message.translated()
    if isinstance(message, Verbatim):
        return str(message)
    return gettext(str(message))


def message_data(value) -> dict | None:
    """The JSON form of a Message or Joined (None for plain text, which is stored as it is)."""
    if isinstance(value, Message | Joined):
        return _param_data(value)
    return None


def message_from_data(data, fallback: str | None = None):
    """A stored message back (Message or Joined), or ``fallback`` (the plain Chinese text) when there is none."""
    if isinstance(data, dict):
        value = _param_value(data)
        if value:
            return value
    return fallback
