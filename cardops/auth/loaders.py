"""Flask-Login wiring: load the session's user, send anonymous visitors to /login."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from cardops.core.i18n import _l
from cardops.extensions import db, login_manager


def init_login(app) -> None:

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        return db.session.scalars(_user_by_id(), {"user_id": int(user_id)}).unique().first()


@functools.cache
def _user_by_id():
    """Built once (it runs on every page); roles joined in: one statement instead of a second for the roles."""
    from cardops.auth.models import User

    return select(User).where(User.id == bindparam("user_id")).options(joinedload(User.role_rows))
