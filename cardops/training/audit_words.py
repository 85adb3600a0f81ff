"""How the training actions read in the audit log: "登记培训 · 2026-11-20 警示教育 90 分钟，出席 12 人".
Topics, materials and reasons are what people typed: the log links to the session instead of quoting the topic."""

from __future__ import annotations

from flask import url_for

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, sentence_of
from cardops.core.i18n import N_
from cardops.core.messages import Joined, verbatim
from cardops.training.models import SESSION_KIND_LABELS, TRAINER_STATUS_LABELS

FIELD_LABELS = {
    "held_on": N_("日期"), "date": N_("日期"), "topic": N_("主题"), "kind": N_("类型"),
    "duration_minutes": N_("时长"), "materials": N_("材料"), "attendees": N_("参加人员"), "cases": N_("案例"),
    "outlet": N_("网点"), "trainer": N_("主讲"), "certified_until": N_("认证有效期"),
    "specialties": N_("专长"), "status": N_("状态"),
}


def _fields(changes) -> object:
    names = [FIELD_LABELS.get(name, verbatim(name)) for name in (changes or {})]
    return clause(N_("修改了 %(fields)s"), fields=Joined("、", names)) if names else None


def _appointed(detail: dict):
    return sentence_of([
        clause(N_("小教员 %(username)s（%(outlet)s）"), username=verbatim(detail["username"]),
               outlet=verbatim(detail.get("outlet") or "")),
        clause(N_("认证有效期至 %(date)s"), date=verbatim(detail["certified_until"])),
    ])


def _updated(detail: dict):
    status = (detail.get("changes") or {}).get("status")
    return sentence_of([
        clause(N_("小教员 %(username)s"), username=verbatim(detail["username"])),
        clause(N_("状态 %(before)s → %(after)s"), before=TRAINER_STATUS_LABELS.get(status["old"], status["old"]),
               after=TRAINER_STATUS_LABELS.get(status["new"], status["new"])) if status else None,
        _fields({k: v for k, v in (detail.get("changes") or {}).items() if k != "status"}),
        clause(N_("理由：%(reason)s"), reason=verbatim(detail["reason"])) if detail.get("reason") else None,
    ])


def _logged(detail: dict):
    present = sum(1 for row in detail.get("attendees") or () if row.get("attended"))
    return sentence_of([
        clause(N_("%(date)s %(kind)s %(minutes)s 分钟"), date=verbatim(detail["date"]),
               kind=SESSION_KIND_LABELS.get(detail["kind"], verbatim(detail["kind"])),
               minutes=detail["duration_minutes"]),
        clause(N_("出席 %(n)s 人"), n=present),
    ])


def _corrected(detail: dict):
    return sentence_of([
        _fields(detail.get("changes")),
        clause(N_("培训后第 %(days)s 天"), days=detail["days_after"]) if detail.get("days_after") is not None else None,
    ])


def register(app) -> None:
    describe_actions(app, "training", N_("培训"), {
        "training.trainer_appointed": (N_("任命小教员"), _appointed),
        "training.trainer_updated": (N_("修改小教员名册"), _updated),
        "training.session_logged": (N_("登记培训"), _logged),
        "training.session_corrected": (N_("更正培训记录"), _corrected),
    })
    describe_objects(app, {
        "trainer": ObjectKind(N_("小教员"), lambda trainer_id: url_for("training.trainer", trainer_id=int(trainer_id))),
        "training_session": ObjectKind(N_("培训"), lambda session_id: url_for("training.session",
                                                                                   session_id=int(session_id))),
    })
