from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from cardops.extensions import db

# How an entry's ``hash`` was made: 1 = SHA-256 (entries written before migration 0007), 2 = HMAC-SHA256 under
# the audit key (cardops.audit.services.seal).
HASH_VERSION_UNKEYED = 1
HASH_VERSION_KEYED = 2


class AuditEntry(db.Model):
    """One append-only entry (the database refuses UPDATE and DELETE: migration 0007's triggers); ``hash`` seals
    the canonical form of the entry and ``prev_hash`` (``cardops.audit.services``)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    hash_version: Mapped[int] = mapped_column(SmallInteger, default=HASH_VERSION_KEYED,
                                              server_default=str(HASH_VERSION_KEYED))

    __table_args__ = (
        Index("ix_audit_entries_action_at", "action", "at"),
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_actor_id", "actor_id"),
        Index("ix_audit_entries_outlet_id", "outlet_id"),
        Index("ix_audit_entries_at", "at"),
    )


class AuditHead(db.Model):
    """A single row holding the chain's tip. Updating it first serialises appends on every database."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
