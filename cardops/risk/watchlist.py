"""Watchlist operations (supervisors). Entries are matched by keyed hash and shown masked; removal keeps
the row with who, when and why. Every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from cardops.audit import services as audit
from cardops.core import pii
from cardops.core.errors import Conflict, Forbidden, NotFound
from cardops.core.i18n import N_
from cardops.core.timeutil import isoformat_utc, utcnow
from cardops.core.validation import FieldErrors, parse_reason, text
from cardops.extensions import db
from cardops.risk.models import WatchlistEntry, WatchlistReason

MAX_NOTE = 500


def active_entries():
    return (select(WatchlistEntry).where(WatchlistEntry.removed_at.is_(None))
            .order_by(WatchlistEntry.created_at.desc(), WatchlistEntry.id.desc()))


def _ensure_supervisor(actor) -> None:
    if actor is None or not actor.is_supervisor:
        raise Forbidden(N_("只有区卡中心督导可以维护预警名单"))


def add_entry(actor, data: dict) -> WatchlistEntry:
    _ensure_supervisor(actor)
    errors = FieldErrors()
    id_number = None
    raw_id = data.get("id_number")
    try:
        id_number = pii.normalise_id_number(raw_id[:40] if isinstance(raw_id, str) else None)
    except pii.InvalidIdNumber as problem:
        errors.add("id_number", str(problem))
    reason = data.get("reason")
    if not isinstance(reason, str) or reason not in {r.value for r in WatchlistReason}:
        errors.add("reason", "原因应为：deceased（已故）、identity_theft（身份冒用）、"
                             "police_hold（公安协查）、other（其他）")
    note = text(data.get("note"), errors, "note", required=False, max_length=MAX_NOTE, label="备注", multiline=True)
    errors.raise_if_any()
    id_hash = pii.blind_index(id_number)
    already = db.session.scalars(active_entries().where(WatchlistEntry.id_hash == id_hash)).first()
    if already is not None:
        raise Conflict(N_("该身份证号码已在预警名单上"), fields={"id_number": N_("已在预警名单上")})
    entry = WatchlistEntry(id_enc=pii.encrypt(id_number), id_hash=id_hash, id_masked=pii.mask_id_number(id_number),
                           reason=reason, note=note, created_by_id=actor.id,
                           created_by=actor, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    audit.record("watchlist.add", actor=actor, object_type="watchlist_entry", object_id=entry.id,
                 detail={"id_number": entry.id_masked, "reason": reason})
    return entry


def remove_entry(actor, entry_id, reason) -> WatchlistEntry:
    _ensure_supervisor(actor)
    entry = db.session.get(WatchlistEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None or entry.removed_at is not None:
        raise NotFound(N_("预警名单中没有这条记录"))
    reason = parse_reason(reason, required=True)
    entry.removed_at = utcnow()
    entry.removed_by_id = actor.id
    entry.removed_reason = reason
    audit.record("watchlist.remove", actor=actor, object_type="watchlist_entry", object_id=entry.id,
                 detail={"id_number": entry.id_masked, "reason": reason})
    db.session.flush()
    return entry


def entry_to_dict(entry: WatchlistEntry) -> dict:
    return {
        "id": entry.id,
        "id_number_masked": entry.id_masked,
        "reason": entry.reason,
        "note": entry.note,
        "created_by": entry.created_by.username,
        "created_at": isoformat_utc(entry.created_at),
    }
