"""One translation of errors: JSON (SPEC §9 format) under /api/, pages or flashed messages elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from cardops.core.errors import Conflict, DomainError, RateLimited, ValidationError
from cardops.core.i18n import translate
from cardops.core.transaction import settle

HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "UNAVAILABLE",
}

HTTP_MESSAGES = {
    400: _l("请求格式不正确"),
    401: _l("请先登录"),
    403: _l("您无权访问此页面"),
    404: _l("未找到您要的页面或记录"),
    405: _l("不支持该请求方法"),
    409: _l("操作冲突，请刷新后重试"),
    413: _l("提交的内容过大"),
    429: _l("请求过于频繁，请稍后再试"),
    500: _l("系统内部错误，请联系管理员"),
    503: _l("系统暂时无法服务，请稍后再试"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(code: str, message: str, status: int, fields: dict | None = None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status


def safe_back_url(default: str) -> str:
    target = request.referrer
    if target and urlsplit(target).netloc == urlsplit(request.host_url).netloc:
        return target
    return default


def render_domain_error(error: DomainError):
    settle(error)
    if wants_json():
        response = jsonify(error.to_dict())
        return response, error.status
    if error.status == 401:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if error.status in (403, 404, 429) or request.method == "GET" or getattr(error, "show_page", False):
        return error_page(error.status, translate(error.message))
    # A refused business action on a form: tell the clerk why and go back to where they were.
    flash(translate(error.message), "error")
    return redirect(safe_back_url(url_for("main.home")))


# Lock contention the database resolved by aborting us (PostgreSQL deadlock / serialisation failure, SQLite
# busy timeout): nothing was written; the user may simply try again.
RETRYABLE_PGCODES = {"40P01", "40001", "55P03"}


def is_retryable_db_error(error: DBAPIError) -> bool:
    pgcode = getattr(getattr(error, "orig", None), "sqlstate", None)
    if pgcode in RETRYABLE_PGCODES:
        return True
    return "database is locked" in str(getattr(error, "orig", ""))


def is_unavailable_db_error(error: Exception) -> bool:
    """The database cannot be reached or dropped the connection (restart, failover, network, pool exhausted)."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(error, DisconnectionError | PoolTimeout)


def _short(error: Exception) -> str:
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:200]}"


def render_unavailable(error: Exception):
    """503 with ``Retry-After`` while the database is away. One log line, no traceback: during a restart every
    request fails the same way. The page is rendered without the layout's context (no signed-in user, no menu),
    which would need the database."""
    settle(error)
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, _short(error))
    retry_after = str(current_app.config.get("RETRY_AFTER_SECONDS", 5))
    message = str(HTTP_MESSAGES[503])
    if wants_json():
        response, status = json_error("UNAVAILABLE", message, 503)
    else:
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(message=message)
        response, status = current_app.response_class(page, mimetype="text/html"), 503
    response.headers["Retry-After"] = retry_after
    return response, status


def error_page(status: int, message, headers=()):
    """The error page in the layout (menu, signed-in user …). The layout reads the database: while it is away, the
    standalone "暂时无法服务" page instead."""
    try:
        return render_template("errors/error.html", status=status, message=message), status, list(headers)
    except (DBAPIError, DisconnectionError, PoolTimeout) as error:
        if not is_unavailable_db_error(error):
            raise
        return render_unavailable(error)


def init_error_handlers(app) -> None:
    app.register_error_handler(DomainError, render_domain_error)

    @app.errorhandler(StaleDataError)
    def lost_optimistic_lock(error: StaleDataError):
        # Safety net: services turn this into their own 409 where they flush, but a stale row flushed
        # anywhere else (an autoflush) is still a lost race, never a 500.
        return render_domain_error(Conflict())

    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeout)
    def database_unreachable(error):
        return render_unavailable(error)

    @app.errorhandler(DBAPIError)
    def database_contention(error: DBAPIError):
        if not is_retryable_db_error(error):
            if is_unavailable_db_error(error):
                return render_unavailable(error)
            return unexpected(error)
        app.logger.warning("retryable database contention on %s %s: %s", request.method, request.path,
                           type(getattr(error, "orig", error)).__name__)
        return render_domain_error(Conflict(_("系统繁忙，操作未完成，请重试")))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return json_error("CSRF_FAILED", _("CSRF 校验失败"), 400)
        return error_page(400, _("页面已过期或表单校验失败，请刷新页面后重新提交。"))

    @app.errorhandler(429)
    def too_many(error):
        return render_domain_error(RateLimited())

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either; a plain answer.
        return current_app.response_class("400 Bad Request: untrusted host\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        settle(error)
        status = error.code or 500
        if status == 400 and wants_json():
            return render_domain_error(ValidationError(_("请求体不是有效的 JSON") if request.is_json else None))
        # Headers the error carries stay on the answer: ``Allow`` of a 405 (SPEC §9), ``Retry-After`` …
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            response, _status = json_error(HTTP_CODES.get(status, "ERROR"),
                                           HTTP_MESSAGES.get(status, error.description), status)
            return response, status, headers
        message = HTTP_MESSAGES.get(status, error.description)
        return error_page(status, message, headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        settle(error)
        if wants_json():
            return json_error("INTERNAL_ERROR", HTTP_MESSAGES[500], 500)
        return error_page(500, HTTP_MESSAGES[500])
