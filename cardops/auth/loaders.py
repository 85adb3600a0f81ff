"""Flask-Login wiring: load the session's user, send anonymous visitors to /login."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cardops.core.i18n import _l
from cardops.extensions import db, login_manager


def init_login(app) -> None:
    from cardops.auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        # Roles joined in: one statement for the user of every page, instead of a second for the roles.
        return db.session.scalars(
            select(User).where(User.id == int(user_id)).options(joinedload(User.role_rows))
        ).unique().first()
