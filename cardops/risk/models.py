"""The watchlist (预警名单): IDs that must not get a card without the district's review."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cardops.auth.models import User
from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.extensions import db


class WatchlistReason(enum.StrEnum):
    DECEASED = "deceased"
    IDENTITY_THEFT = "identity_theft"
    POLICE_HOLD = "police_hold"
    OTHER = "other"


WATCHLIST_REASON_LABELS = {
    WatchlistReason.DECEASED: N_("已故"),
    WatchlistReason.IDENTITY_THEFT: N_("身份冒用"),
    WatchlistReason.POLICE_HOLD: N_("公安协查"),
    WatchlistReason.OTHER: N_("其他"),
}


class WatchlistEntry(db.Model):
    """One listed person; removal keeps the row (with who, when and why) for the record."""

    __tablename__ = "watchlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_enc: Mapped[str] = mapped_column(Text)
    id_hash: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(18))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(String(500))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined", innerjoin=True)
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id], lazy="joined")

    __table_args__ = (Index("ix_watchlist_entries_id_hash_removed", "id_hash", "removed_at"),)

    @property
    def active(self) -> bool:
        return self.removed_at is None
