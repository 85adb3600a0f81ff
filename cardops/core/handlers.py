"""One translation of errors: JSON (SPEC §9 format) under /api/, pages or flashed messages elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

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
    if error.status in (403, 404, 429) or request.method == "GET":
        return render_template("errors/error.html", status=error.status, message=translate(error.message)), error.status
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


def init_error_handlers(app) -> None:
    app.register_error_handler(DomainError, render_domain_error)

    @app.errorhandler(StaleDataError)
    def lost_optimistic_lock(error: StaleDataError):
        # Safety net: services turn this into their own 409 where they flush, but a stale row flushed
        # anywhere else (an autoflush) is still a lost race, never a 500.
        return render_domain_error(Conflict())

    @app.errorhandler(DBAPIError)
    def database_contention(error: DBAPIError):
        if not is_retryable_db_error(error):
            return unexpected(error)
        app.logger.warning("retryable database contention on %s %s: %s", request.method, request.path,
                           type(getattr(error, "orig", error)).__name__)
        return render_domain_error(Conflict(_("系统繁忙，操作未完成，请重试")))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return json_error("CSRF_FAILED", _("CSRF 校验失败"), 400)
        return render_template("errors/error.html", status=400,
                               message=_("页面已过期或表单校验失败，请刷新页面后重新提交。")), 400

    @app.errorhandler(429)
    def too_many(error):
        return render_domain_error(RateLimited())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        settle(error)
        status = error.code or 500
        if status == 400 and wants_json():
            return render_domain_error(ValidationError(_("请求体不是有效的 JSON") if request.is_json else None))
        # A 405 says which methods the address has (SPEC §9: "405 (with Allow)").
        allowed = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(sorted(allowed))} if allowed else {}
        if wants_json():
            body, _status = json_error(HTTP_CODES.get(status, "ERROR"), HTTP_MESSAGES.get(status, error.description),
                                       status)
            return body, status, headers
        message = HTTP_MESSAGES.get(status, error.description)
        return render_template("errors/error.html", status=status, message=message), status, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        settle(error)
        if wants_json():
            return json_error("INTERNAL_ERROR", HTTP_MESSAGES[500], 500)
        return render_template("errors/error.html", status=500, message=HTTP_MESSAGES[500]), 500
