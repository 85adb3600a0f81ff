"""Idle timeout: a signed-in session that saw no request for IDLE_TIMEOUT ends (SPEC §1)."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user


def init_session_guard(app) -> None:
    @app.before_request
    def end_idle_sessions():
        if request.path.startswith(("/api/", "/static/")) or request.endpoint == "main.healthz":
            return None
        if not current_user.is_authenticated:
            return None
        now = time.time()
        last_seen = session.get("last_seen")
        limit = current_app.config["IDLE_TIMEOUT"].total_seconds()
        if last_seen is not None and now - last_seen > limit:
            logout_user()
            session.clear()
            flash(_("由于长时间未操作，您已自动退出，请重新登录。"), "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        session["last_seen"] = now
        session.permanent = True
        return None
