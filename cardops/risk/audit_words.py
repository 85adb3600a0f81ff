"""How watchlist changes read in the audit log."""

from __future__ import annotations

from cardops.audit.vocabulary import ObjectKind, clause, describe_actions, describe_objects, sentence_of
from cardops.core.i18n import N_
from cardops.core.messages import verbatim
from cardops.risk.models import WATCHLIST_REASON_LABELS


def _added(detail: dict):
    return sentence_of([
        clause(N_("身份证 %(id)s"), id=verbatim(detail["id_number"])),
        clause(N_("原因：%(why)s"), why=WATCHLIST_REASON_LABELS.get(detail["reason"], verbatim(detail["reason"]))),
    ])


def _removed(detail: dict):
    return sentence_of([
        clause(N_("身份证 %(id)s"), id=verbatim(detail["id_number"])),
        clause(N_("理由：%(reason)s"), reason=verbatim(detail["reason"])),
    ])


def register(app) -> None:
    describe_actions(app, "watchlist", N_("预警名单"), {
        "watchlist.add": (N_("加入预警名单"), _added),
        "watchlist.remove": (N_("移出预警名单"), _removed),
    })
    describe_objects(app, {"watchlist_entry": ObjectKind(N_("预警名单记录"))})
