"""The watchlist operations (预警名单): masked entries, removal with a reason, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.core.errors import Conflict, Forbidden, NotFound, ValidationError
from cardops.core.pii import mask_id_number
from cardops.extensions import db
from cardops.risk import watchlist
from cardops.risk.models import WatchlistEntry
from tests.reissue.helpers import make_id


def _audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_an_entry_is_stored_encrypted_hashed_and_shown_masked(supervisor):
    id_number = make_id()
    entry = watchlist.add_entry(supervisor, {"id_number": f" {id_number.lower()} ", "reason": "deceased",
                                             "note": "  民政部门通报  "})
    assert entry.id_masked == mask_id_number(id_number) and "*" in entry.id_masked
    assert id_number not in (entry.id_enc, entry.id_hash)
    assert (entry.reason, entry.note, entry.created_by_id) == ("deceased", "民政部门通报", supervisor.id)
    shown = watchlist.entry_to_dict(entry)
    assert set(shown) == {"id", "id_number_masked", "reason", "note", "created_by", "created_at"}
    assert shown["id_number_masked"] == entry.id_masked and shown["created_by"] == "supervisor"
    assert id_number not in str(shown)


def test_adding_is_audited_with_the_masked_id(supervisor):
    id_number = make_id()
    entry = watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "police_hold"})
    [audited] = _audit("watchlist.add")
    assert (audited.actor_name, audited.object_id) == ("supervisor", str(entry.id))
    assert audited.detail == {"id_number": entry.id_masked, "reason": "police_hold"}
    assert verify_chain().ok


@pytest.mark.parametrize("data", [
    {"reason": "deceased"},
    {"id_number": "12345", "reason": "deceased"},
    {"id_number": 310107198001010011, "reason": "deceased"},
    {"id_number": None, "reason": "other"},
    {"reason": "unknown"},
    {"id_number": "VALID", "reason": "dead"},
    {"id_number": "VALID", "reason": None},
    {"id_number": "VALID", "reason": ["deceased"]},
    {"id_number": "VALID", "reason": "other", "note": 5},
    {"id_number": "VALID", "reason": "other", "note": "备" * 501},
])
def test_bad_entries_are_validation_errors(supervisor, data):
    data = {k: (make_id() if v == "VALID" else v) for k, v in data.items()}
    with pytest.raises(ValidationError):
        watchlist.add_entry(supervisor, data)
    assert db.session.scalar(select(WatchlistEntry.id)) is None
    assert _audit("watchlist.add") == []


def test_a_person_is_listed_once_at_a_time(supervisor):
    id_number = make_id()
    first = watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "deceased"})
    with pytest.raises(Conflict) as refused:
        watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "other"})
    assert refused.value.status == 409 and id_number not in str(refused.value.to_dict())
    watchlist.remove_entry(supervisor, first.id, "误报")
    again = watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "identity_theft"})
    assert again.id != first.id


def test_the_list_shows_active_entries_newest_first(supervisor):
    ids = [make_id() for _ in range(3)]
    entries = [watchlist.add_entry(supervisor, {"id_number": i, "reason": "other"}) for i in ids]
    watchlist.remove_entry(supervisor, entries[1].id, "已核实")
    listed = list(db.session.scalars(watchlist.active_entries()))
    assert [e.id for e in listed] == [entries[2].id, entries[0].id]


def test_removal_needs_a_reason_keeps_the_row_and_is_audited(supervisor):
    entry = watchlist.add_entry(supervisor, {"id_number": make_id(), "reason": "deceased"})
    for reason in (None, "", "  "):
        with pytest.raises(ValidationError):
            watchlist.remove_entry(supervisor, entry.id, reason)
    assert entry.active
    watchlist.remove_entry(supervisor, entry.id, " 家属持死亡证明更正 ")
    assert not entry.active
    assert (entry.removed_by_id, entry.removed_reason) == (supervisor.id, "家属持死亡证明更正")
    assert db.session.get(WatchlistEntry, entry.id) is not None  # kept for the record
    [audited] = _audit("watchlist.remove")
    assert audited.detail == {"id_number": entry.id_masked, "reason": "家属持死亡证明更正"}
    assert audited.actor_name == "supervisor"


@pytest.mark.parametrize("entry_id", [0, 999999, "1", None])
def test_removing_an_unknown_entry_is_not_found(supervisor, entry_id):
    with pytest.raises(NotFound):
        watchlist.remove_entry(supervisor, entry_id, "理由")


def test_removing_twice_is_not_found(supervisor):
    entry = watchlist.add_entry(supervisor, {"id_number": make_id(), "reason": "deceased"})
    watchlist.remove_entry(supervisor, entry.id, "误报")
    with pytest.raises(NotFound):
        watchlist.remove_entry(supervisor, entry.id, "误报")
    assert len(_audit("watchlist.remove")) == 1


def test_the_service_itself_refuses_non_supervisors(app, clerk, supervisor):
    """Not only the API guard: CLI, jobs and views calling the service get the same refusal."""
    with pytest.raises(Forbidden):
        watchlist.add_entry(clerk, {"id_number": make_id(), "reason": "deceased"})
    entry = watchlist.add_entry(supervisor, {"id_number": make_id(), "reason": "deceased"})
    with pytest.raises(Forbidden):
        watchlist.remove_entry(clerk, entry.id, "误登记")
    assert entry.removed_at is None
