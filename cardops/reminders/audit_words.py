"""How the reminder actions read in the audit log: "修改提醒规则 · 启用 → 停用；时间 0 9 * * 1-5 → 30 8 * * 1-5"."""

from __future__ import annotations

from flask import url_for

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, sentence_of
from cardops.core.i18n import N_
from cardops.core.messages import verbatim

STATUS_WORDS = {"ok": N_("成功"), "failed": N_("失败")}
ENABLED_WORDS = {True: N_("启用"), False: N_("停用")}


def _run(detail: dict):
    return sentence_of([
        clause(N_("按 %(as_of)s 执行"), as_of=verbatim((detail.get("as_of") or "")[:10])),
        STATUS_WORDS.get(detail.get("status"), verbatim(detail.get("status"))),
        clause(N_("提醒 %(n)s 条"), n=detail.get("notified") or 0),
    ])


def _updated(detail: dict):
    before, after = detail.get("before") or {}, detail.get("after") or {}
    return sentence_of([
        clause(N_("%(before)s → %(after)s"), before=ENABLED_WORDS[bool(before["enabled"])],
               after=ENABLED_WORDS[bool(after["enabled"])]) if before.get("enabled") != after.get("enabled") else None,
        clause(N_("时间 %(before)s → %(after)s"), before=verbatim(before["schedule"]),
               after=verbatim(after["schedule"])) if before.get("schedule") != after.get("schedule") else None,
    ])


def register(app) -> None:
    describe_actions(app, "reminders", N_("合规提醒"), {
        "reminders.run": (N_("手动执行提醒规则"), _run),
        "reminders.rule_updated": (N_("修改提醒规则"), _updated),
    })
    describe_objects(app, {"reminder_rule": ObjectKind(N_("提醒规则"), lambda key: url_for("reminders.rule", key=key))})
