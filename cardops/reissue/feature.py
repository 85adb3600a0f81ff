"""Reissue requests (SPEC §3): intake, identity checks, review, receipt, arrival, pickup, and the public look-ups."""

from __future__ import annotations

from cardops.core.i18n import _l
from cardops.core.registry import HomePanel, NavEntry, Vocabulary, contributions
from cardops.reissue import api, audit_words, demo, openapi, reprints, views, workflow
from cardops.reissue.arrivals import OUTCOME_LABELS
from cardops.reissue.numbers import RequestNumberConverter
from cardops.reissue.queries import QUEUE_LABELS, queue_counts
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import Status

# How each status looks on every page: one mapping.
STATUS_BADGES = {
    Status.INTAKE: "info",
    Status.PENDING_REVIEW: "warn",
    Status.SUBMITTED: "info",
    Status.READY: "ok",
    Status.COLLECTED: "muted",
    Status.REJECTED: "danger",
    Status.CANCELLED: "muted",
    Status.RETURNED: "muted",
}
ARRIVAL_BADGES = {"arrived": "ok", "already_arrived": "muted", "unknown": "danger", "other_outlet": "warn",
                  "wrong_state": "warn", "invalid": "danger"}
STAFF = ("clerk", "supervisor")


def register(app) -> None:
    app.url_map.converters["request_number"] = RequestNumberConverter  # before the rules that use it
    app.register_blueprint(views.bp)
    audit_words.register(app)
    app.register_blueprint(api.bp)
    registered = contributions(app)
    registered.vocabularies.update(
        status=Vocabulary(workflow.STATUS_LABELS, STATUS_BADGES),
        kind=Vocabulary(workflow.KIND_LABELS),
        channel=Vocabulary(workflow.CHANNEL_LABELS),
        step=Vocabulary(workflow.STEP_LABELS),
        step_hint=Vocabulary(workflow.STEP_HINTS),
        relation=Vocabulary({relation: relation for relation in workflow.RELATIONS}),
        event=Vocabulary(workflow.EVENT_LABELS),
        queue=Vocabulary(QUEUE_LABELS),
        arrival=Vocabulary(OUTCOME_LABELS, ARRIVAL_BADGES),
        risk_rule=Vocabulary({code: rule.label for code, rule in RULES.rules.items()}),
        reprint=Vocabulary(reprints.REPRINT_LABELS, reprints.REPRINT_BADGES),
        holder=Vocabulary(reprints.HOLDER_WORDS),
    )
    registered.navigation.extend([
        NavEntry(_l("受理队列"), "reissue.queue", STAFF, also=("reissue.detail", "reissue.receipt"), order=10),
        NavEntry(_l("新受理"), "reissue.intake", ("clerk",), order=11),
        NavEntry(_l("复核队列"), "reissue.review_queue", STAFF, also=("reissue.review",), order=12),
        NavEntry(_l("到卡登记"), "reissue.arrivals", ("clerk",), order=13),
        NavEntry(_l("发卡"), "reissue.pickup", ("clerk",), order=14),
        NavEntry(_l("日结"), "reissue.handover_sheet", STAFF, order=15),
    ])
    registered.home_panels.append(HomePanel("reissue/_home.html", STAFF,
                                            lambda actor: {"counts": queue_counts(actor)}, order=10))
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
    registered.demo_seeders.append(demo.plan_demo_requests)
