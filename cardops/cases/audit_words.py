"""How the case library's actions read in the audit log: "提交 · 状态 草稿 → 待审核", "评分 · 2026 年：4 / 5 / 3".
Titles and texts are the author's words: the log names the case and links to it instead of quoting them."""

from __future__ import annotations

from flask import url_for

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, sentence_of
from cardops.cases.models import CASE_CATEGORY_LABELS, CASE_STATUS_LABELS
from cardops.cases.workflow import CRITERION_LABELS, EVENT_LABELS
from cardops.core.i18n import N_
from cardops.core.messages import Joined, verbatim

FIELD_LABELS = {"title": N_("标题"), "occurred_on": N_("日期"), "category": N_("类别"), "narrative": N_("经过"),
                "lessons": N_("启示"), "request_number": N_("关联申请"), "outlet_code": N_("网点")}


def _word(words: dict, value):
    return words.get(value, verbatim(value)) if value is not None else ""


def _move(detail: dict):
    return sentence_of([
        clause(N_("状态 %(before)s → %(after)s"), before=_word(CASE_STATUS_LABELS, detail.get("from")),
               after=_word(CASE_STATUS_LABELS, detail["to"])) if detail.get("from") else
        clause(N_("状态 %(after)s"), after=_word(CASE_STATUS_LABELS, detail["to"])),
        clause(N_("类别 %(category)s"), category=_word(CASE_CATEGORY_LABELS, detail["category"]))
        if detail.get("category") else None,
        clause(N_("关联申请 %(number)s"), number=verbatim(detail["request_number"]))
        if detail.get("request_number") else None,
        clause(N_("%(year)s 年"), year=detail["year"]) if detail.get("year") else None,
        clause(N_("第 %(rank)s 名"), rank=detail["rank"]) if detail.get("rank") else None,
        clause(N_("理由：%(reason)s"), reason=verbatim(detail["reason"])) if detail.get("reason") else None,
    ])


def _edit(detail: dict):
    fields = [FIELD_LABELS.get(name, verbatim(name))
              for name in [*(detail.get("changes") or {}), *(detail.get("texts_changed") or [])]]
    return clause(N_("修改了 %(fields)s"), fields=Joined("、", fields)) if fields else ""


def _score(detail: dict):
    return sentence_of([
        clause(N_("%(year)s 年"), year=detail["year"]),
        *(clause(N_("%(criterion)s %(value)s"), criterion=CRITERION_LABELS[name], value=detail[name])
          for name in CRITERION_LABELS if detail.get(name) is not None),
        N_("替换了此前的评分") if detail.get("replaced") else None,
    ])


def _finalise(detail: dict):
    return sentence_of([
        clause(N_("%(year)s 年"), year=detail["year"]),
        clause(N_("提名 %(nominees)s 件，选出 %(selected)s 件"), nominees=detail["nominees"],
               selected=len(detail.get("selected") or [])),
    ])


def register(app) -> None:
    moves = {f"cases.{action}": (label, _move) for action, label in EVENT_LABELS.items() if action != "edit"}
    describe_actions(app, "cases", N_("典型事例"), {
        **moves,
        "cases.edit": (EVENT_LABELS["edit"], _edit),
        "cases.score": (N_("评分"), _score),
        "cases.selection_finalise": (N_("评选定稿"), _finalise),
    })
    describe_objects(app, {
        "case": ObjectKind(N_("案例"), lambda case_id: url_for("cases.detail", case_id=int(case_id))),
        "selection_round": ObjectKind(N_("年度评选"), lambda year: url_for("cases.selection_page", year=int(year))),
    })
