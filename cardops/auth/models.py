from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet


class Role(enum.StrEnum):
    CLERK = "clerk"
    TRAINER = "trainer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CLERK: N_("窗口受理员"),
    Role.TRAINER: N_("小教员"),
    Role.SUPERVISOR: N_("区卡中心督导"),
    Role.ADMIN: N_("系统管理员"),
}
# Roles that work inside one outlet and must have one.
OUTLET_ROLES = frozenset({Role.CLERK, Role.TRAINER})


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # optional: reminders also go there by e-mail
    password_hash: Mapped[str] = mapped_column(String(256))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(String(500))
    deactivated_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every signed-in session's identity (``get_id``): raising it ends all of the user's sessions on the
    # server at once (sign-out, deactivation, a password change), whatever copies of the cookie exist.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    # Loaded when asked for: the signed-in user comes with both (``auth.loaders``); a request's creator shown by
    # name needs neither.
    outlet: Mapped[Outlet | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", order_by=UserRole.role)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # Flask-Login: a deactivated account cannot sign in and its sessions stop working.
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session's identity: the user and the session generation it was issued under (``auth.loaders``)."""
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    @roles.setter
    def roles(self, values) -> None:
        wanted = {Role(v).value for v in values}
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=v) for v in sorted(wanted - {r.role for r in self.role_rows})
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_supervisor(self) -> bool:
        return Role.SUPERVISOR in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.roles)]

    def set_password(self, password: str) -> None:
        """A new password ends every session opened with the old one."""
        self.password_hash = generate_password_hash(password)
        if self.id is not None:
            self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def to_dict(self) -> dict:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "roles": sorted(self.roles),
            "outlet_code": self.outlet.code if self.outlet else None,
            "active": self.active,
        }


_dummy_hashes: dict[int, str] = {}


def spend_a_password_check(password: str) -> None:
    """Check ``password`` against a hash made like users' hashes, for a username that does not exist: a refused
    sign-in then takes as long whether or not the name is known (SPEC §1). The hash is made once per process."""
    maker = generate_password_hash  # the module's own (tests make it cheaper, for users and this alike)
    dummy = _dummy_hashes.get(id(maker))
    if dummy is None:
        dummy = _dummy_hashes[id(maker)] = maker("cardops-no-such-user")
    check_password_hash(dummy, password or "")


class ApiToken(db.Model):
    """A Bearer token. Only the SHA-256 of the token is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
