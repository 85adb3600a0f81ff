from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cardops.core.timeutil import utcnow
from cardops.extensions import db


class Outlet(db.Model):
    """A community service point (社区事务受理服务中心). Outlets are rows, not code."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Outlet {self.code}>"

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "active": self.active}
