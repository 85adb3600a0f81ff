from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from cardops.auth import services
from cardops.auth.forms import LoginForm
from cardops.core.transaction import settle

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, ip=request.remote_addr)
        except services.SignInThrottled as throttled:
            settle(throttled)
            form.password.errors.append(throttled.message)
            return render_template("auth/login.html", form=form), throttled.status
        except services.LoginRefused as refused:
            settle(refused)  # failures and lockouts are recorded even though sign-in is refused
            form.password.errors.append(refused.message)
        else:
            lang = session.get("lang")
            session.clear()  # no session fixation: a fresh session for the signed-in user
            login_user(user)
            session.permanent = True
            if lang:
                session["lang"] = lang
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.record_logout(current_user._get_current_object())
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))
