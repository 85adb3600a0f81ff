"""Finding a request by a full ID number (typed, or read by a card reader that types it and Enter), SPEC §3.4:
matched by its keyed hash, and the number itself never goes into a URL, a page or a log.

The queue's search form is POSTed; an ID number found among its words is replaced by an opaque key kept in the
signed-in session (with the keyed hash and the masked form), and the browser is sent on to the queue with that key
in the URL. The page shows the masked number only. Keys live as long as the session (sign-out clears them).
"""

from __future__ import annotations

import re
import secrets

from flask import session

from cardops.core import pii
from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.messages import Message

SESSION_KEY = "id_searches"
KEPT = 5  # the last few searches, so the back button and the pagination links keep working
# A whole ID number as a clerk or a reader types it: 18 characters, the last a digit or X. 15-digit numbers of
# the first generation are no longer valid cards.
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def split_terms(q: str | None) -> tuple[str, list[str]]:
    """(the other search words, the ID-number-like words) of a search box's text."""
    words = (q or "").replace("，", " ").replace(",", " ").split()
    ids = [w for w in words if _ID_LIKE.match(w)]
    return " ".join(w for w in words if not _ID_LIKE.match(w)), ids


def has_id_number(q: str | None) -> bool:
    return bool(split_terms(q)[1])


def remember(id_number: str) -> str:
    """Keep the search for ``id_number`` (already normalised) in the session; return its opaque key."""
    kept = dict(session.get(SESSION_KEY) or {})
    key = secrets.token_urlsafe(9)
    kept[key] = [pii.blind_index(id_number), pii.mask_id_number(id_number)]
    session[SESSION_KEY] = dict(list(kept.items())[-KEPT:])
    return key


def recall(key: str | None) -> tuple[str, str] | None:
    """(keyed hash, masked number) of a search kept under ``key``, or None."""
    found = (session.get(SESSION_KEY) or {}).get(key) if key else None
    return (found[0], found[1]) if isinstance(found, list) and len(found) == 2 else None


def id_number_hash(raw) -> str:
    """The keyed hash of a full ID number given to a search, or a VALIDATION_ERROR naming ``id_number`` (its
    message never repeats the number)."""
    try:
        return pii.blind_index(pii.normalise_id_number(raw if isinstance(raw, str) else None))
    except pii.InvalidIdNumber as problem:
        raise ValidationError(fields={"id_number": Message(N_("身份证号码有误：%(problem)s"), problem=str(problem))}) \
            from None
