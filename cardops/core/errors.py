"""Domain errors. Services raise them; the HTML layer flashes them, the API renders the SPEC §9 JSON error.

No view decides an HTTP status for a business rule: the status and code travel with the error.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    code = "ERROR"
    status = 400
    default_message = _l("操作失败")

    def __init__(self, message: str | None = None, *, fields: dict | None = None, persist: bool = False,
                 **extra):
        self.message = message or self.default_message
        self.fields = fields or {}
        # persist=True: the refusal itself was recorded (e.g. an audited failed pickup) and must be committed.
        self.persist = persist
        self.extra = extra
        super().__init__(self.message)

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return {"error": body}


class ValidationError(DomainError):
    code, status, default_message = "VALIDATION_ERROR", 400, _l("提交的数据有误")


class Unauthenticated(DomainError):
    code, status, default_message = "UNAUTHENTICATED", 401, _l("请先登录或提供有效的令牌")


class Forbidden(DomainError):
    code, status, default_message = "FORBIDDEN", 403, _l("您无权执行此操作")


class NotFound(DomainError):
    code, status, default_message = "NOT_FOUND", 404, _l("未找到")


class Conflict(DomainError):
    code, status, default_message = "CONFLICT", 409, _l("数据已被他人修改，请刷新后重试")


class RateLimited(DomainError):
    code, status, default_message = "RATE_LIMITED", 429, _l("查询过于频繁，请稍后再试")
