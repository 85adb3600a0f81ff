from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cardops.core.access import current_actor, login_required
from cardops.core.handlers import safe_back_url
from cardops.core.transaction import rollback_quietly
from cardops.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return redirect(url_for("main.home") if current_actor() else url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    return render_template("main/home.html")


@bp.route("/help")
@login_required
def help_page():
    """使用说明: what the system does for each role, in the users' words."""
    return render_template("main/help.html")


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_back_url(url_for("main.index")))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it on pages that name no icon (a plain error page): the same icon, no log of a 404."""
    return current_app.send_static_file("img/favicon.svg")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db_state = "ok"
    except SQLAlchemyError as error:  # one line, no traceback: a probe fails like this every few seconds
        cause = type(getattr(error, "orig", error)).__name__
        current_app.logger.warning("health check: database unavailable: %s", cause)
        rollback_quietly()
        db_state = "error"
    body = {"status": "ok" if db_state == "ok" else "degraded", "db": db_state}
    response = jsonify(body)
    if db_state != "ok":
        response.headers["Retry-After"] = str(current_app.config.get("RETRY_AFTER_SECONDS", 5))
    return response, 200 if db_state == "ok" else 503


@bp.app_context_processor
def inject_languages():
    return {"languages": current_app.config["LANGUAGES"], "current_lang": session.get("lang", "zh_CN"),
            "request_path": request.path}
