"""How administration reads in the audit log."""

from __future__ import annotations

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, plain, sentence_of
from cardops.core.i18n import N_
from cardops.core.messages import verbatim


def _reason(detail: dict):
    return sentence_of([clause(N_("理由：%(reason)s"), reason=verbatim(detail["reason"])) if detail.get("reason")
                        else None, plain({k: v for k, v in detail.items() if k != "reason"})])


def _changed(detail: dict):
    before, after = detail.get("before") or {}, detail.get("after") or {}
    return sentence_of([clause(N_("%(field)s：%(before)s → %(after)s"), field=verbatim(key),
                               before=verbatim(before.get(key, "—")), after=verbatim(after.get(key, "—")))
                        for key in after if before.get(key) != after.get(key)])


def register(app) -> None:
    describe_actions(app, "admin", N_("用户与网点管理"), {
        "admin.user_created": (N_("新建用户"), None),
        "admin.user_updated": (N_("修改用户"), _changed),
        "admin.password_reset": (N_("重置密码"), None),
        "admin.user_deactivated": (N_("停用用户"), _reason),
        "admin.user_reactivated": (N_("重新启用用户"), None),
        "admin.token_issued": (N_("签发 API 令牌"), None),
        "admin.token_revoked": (N_("撤销 API 令牌"), None),
        "admin.outlet_created": (N_("新增网点"), None),
        "admin.outlet_updated": (N_("修改网点"), _changed),
    })
    describe_objects(app, {"user": ObjectKind(N_("用户")), "api_token": ObjectKind(N_("API 令牌")),
                           "outlet": ObjectKind(N_("网点"))})
