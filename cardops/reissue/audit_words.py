"""How the reissue actions read in the audit log: "核验 · 人证比对：通过（分数 93）", "新卡到达 · 状态 制卡中 → 待领取".
"""

from __future__ import annotations

from flask import url_for

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, sentence_of
from cardops.core.i18n import N_
from cardops.core.messages import verbatim
from cardops.reissue.reprints import HOLDER_WORDS
from cardops.reissue.workflow import CHANNEL_LABELS, EVENT_LABELS, KIND_LABELS, STATUS_LABELS, STEP_LABELS
from cardops.risk.registry import RISK_LABELS

PROBLEMS = {
    "PICKUP_TOKEN_INVALID": N_("取卡码或回执二维码无效"),
    "COLLECTOR_MISMATCH": N_("领取人身份不符"),
    "HOLDER_MISMATCH": N_("持证人身份不符"),
}


def _word(words: dict, value):
    return words.get(value, verbatim(value)) if value is not None else ""


# Reasons the system itself wrote (who collected): recognised by their Chinese text, shown in the reader's words.
SYSTEM_REASONS = {str(m): m for m in (clause(N_("领取人：%(who)s"), who=who) for who in HOLDER_WORDS.values())}


def _reason(detail):
    reason = detail.get("reason")
    if not reason:
        return None
    return SYSTEM_REASONS.get(reason) or clause(N_("理由：%(reason)s"), reason=verbatim(reason))


def _move(detail: dict):
    return sentence_of([
        clause(N_("状态 %(before)s → %(after)s"), before=_word(STATUS_LABELS, detail["from"]),
               after=_word(STATUS_LABELS, detail["to"])),
        _reason(detail),
    ])


def _intake(detail: dict):
    return sentence_of([
        clause(N_("%(kind)s · %(channel)s"), kind=_word(KIND_LABELS, detail["kind"]),
               channel=_word(CHANNEL_LABELS, detail["channel"])),
        clause(N_("申请人 %(id)s"), id=verbatim(detail["applicant"])),
        clause(N_("代办人 %(id)s"), id=verbatim(detail["agent"])) if detail.get("agent") else None,
        clause(N_("风险 %(level)s"), level=_word(RISK_LABELS, detail.get("risk"))),
    ])


def _check(detail: dict):
    result = N_("通过") if detail["result"] == "pass" else N_("不通过")
    return sentence_of([
        clause(N_("%(step)s：%(result)s"), step=_word(STEP_LABELS, detail["step"]), result=result),
        clause(N_("分数 %(score)s"), score=detail["score"]) if detail.get("score") is not None else None,
        clause(N_("风险变为 %(level)s"), level=_word(RISK_LABELS, detail["risk"])) if detail.get("risk") else None,
    ])


def _refused(detail: dict):
    return sentence_of([
        _word(PROBLEMS, detail.get("problem")),
        clause(N_("出示的身份证 %(id)s"), id=verbatim(detail.get("collector") or detail.get("holder")))
        if detail.get("collector") or detail.get("holder") else None,
    ])


def _reprint_requested(detail: dict):
    return sentence_of([
        clause(N_("持证人：%(who)s %(id)s"), who=_word(HOLDER_WORDS, detail["holder_role"]),
               id=verbatim(detail.get("holder", ""))),
        _reason(detail),
    ])


def _reprint_decided(detail: dict):
    return sentence_of([
        clause(N_("提出人：%(who)s"), who=verbatim(detail["requested_by"])) if detail.get("requested_by") else None,
        _reason(detail),
    ])


def register(app) -> None:
    moves = {f"reissue.{action}": (label, _move) for action, label in EVENT_LABELS.items()
             if action not in ("intake", "reprint")}
    describe_actions(app, "requests", N_("补换卡业务"), {
        "reissue.intake": (N_("受理"), _intake),
        "reissue.check": (N_("核验"), _check),
        **moves,
        "reissue.collect_refused": (N_("发卡被拒"), _refused),
        "reissue.reprint_requested": (N_("申请补打回执"), _reprint_requested),
        "reissue.reprint_refused": (N_("补打申请被拒"), _refused),
        "reissue.reprint_approved": (N_("批准补打回执"), _reprint_decided),
        "reissue.reprint_rejected": (N_("不批准补打回执"), _reprint_decided),
    })
    describe_objects(app, {"reissue_request": ObjectKind(N_("申请"), lambda number: url_for(
        "reissue.detail", number=number))})
