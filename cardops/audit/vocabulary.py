"""The words of the audit log: what each action is called, which category it belongs to, how its detail reads as a
sentence, and where its object lives. The chain stores codes (``reissue.arrive``, ``{"from": "submitted", …}``);
supervisors read "到卡登记 · 状态 制卡中 → 待领取". Each feature registers the words of its own actions here
(``describe_actions``), as it registers its navigation; an action nobody described shows its code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from cardops.core.i18n import N_
from cardops.core.messages import Joined, Message, verbatim

EXTENSION_KEY = "cardops.audit_words"
SIGN_IN = "signin"
OTHER = "other"


@dataclass(frozen=True)
class ActionWords:
    label: str  # a N_-marked Chinese word
    category: str
    describe: Callable[[dict], object] | None = None  # detail → a Message (or plain text)


@dataclass(frozen=True)
class ObjectKind:
    label: str
    link: Callable[[str], str | None] | None = None  # object id → the page that shows it


@dataclass
class AuditWords:
    categories: dict[str, str] = field(default_factory=dict)
    actions: dict[str, ActionWords] = field(default_factory=dict)
    objects: dict[str, ObjectKind] = field(default_factory=dict)
    # {user id: the name staff know them by}; registered by the accounts feature (audit sits below it).
    actor_names: Callable[[set[int]], dict[int, str]] | None = None

    def actions_in(self, category: str) -> list[str]:
        return [name for name, words in self.actions.items() if words.category == category]

    def category_of(self, action: str) -> str:
        words = self.actions.get(action)
        return words.category if words else OTHER


def audit_words(app: Flask | None = None) -> AuditWords:
    return (app or current_app).extensions.setdefault(EXTENSION_KEY, AuditWords())


def describe_actions(app: Flask, category: str, category_label: str, actions: dict[str, tuple]) -> None:
    """Register ``{action: (label, describe|None)}`` under a category (its label shown in the filter)."""
    words = audit_words(app)
    words.categories.setdefault(category, category_label)
    for action, (label, describe) in actions.items():
        words.actions[action] = ActionWords(label, category, describe)


def describe_objects(app: Flask, objects: dict[str, ObjectKind]) -> None:
    audit_words(app).objects.update(objects)


def name_actors(app: Flask, names: Callable[[set[int]], dict[int, str]]) -> None:
    audit_words(app).actor_names = names


def actor_names(entries) -> dict[int, str]:
    ids = {e.actor_id for e in entries if e.actor_id}
    names = audit_words().actor_names
    return names(ids) if ids and names else {}


# --- reading an entry ------------------------------------------------------------------------------------------

def action_label(action: str) -> str:
    words = audit_words().actions.get(action)
    return words.label if words else action


def sentence(action: str, detail: dict | None):
    """The entry's detail as a sentence (a Message, translated when shown), or the generic ``key：value`` list."""
    detail = detail or {}
    words = audit_words().actions.get(action)
    if words and words.describe:
        try:
            return words.describe(detail)
        except (KeyError, TypeError, ValueError):
            pass  # an older entry with another shape: fall back to the plain list
    return plain(detail)


def plain(detail: dict):
    if not detail:
        return ""
    return Joined("；", [Message(N_("%(key)s：%(value)s"), key=verbatim(k), value=verbatim(_flat(v)))
                        for k, v in detail.items()])


def _flat(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def object_of(object_type: str | None, object_id: str | None) -> tuple[str, str | None]:
    """(what the object is called, a link to it or None)."""
    if not object_type:
        return "", None
    kind = audit_words().objects.get(object_type)
    if kind is None:
        return object_type, None
    return kind.label, kind.link(object_id) if kind.link and object_id else None


def clause(template: str, **params) -> Message:
    """A piece of a sentence: ``clause(N_("状态 %(from)s → %(to)s"), **…)``."""
    return Message(template, **params)


def sentence_of(parts) -> Joined | str:
    parts = [p for p in parts if p]
    return Joined("；", parts) if parts else ""
