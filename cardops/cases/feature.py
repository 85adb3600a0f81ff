"""The case library (典型事例库) and the annual selection of ten typical cases (SPEC §6)."""

from __future__ import annotations

from cardops.cases import api, audit_words, demo, openapi, views, workflow
from cardops.cases.home import home_panel_context
from cardops.cases.models import CASE_CATEGORY_LABELS, CASE_STATUS_LABELS, CaseCategory, CaseStatus
from cardops.core.i18n import _l
from cardops.core.registry import HomePanel, NavEntry, Vocabulary, contributions

# How each status and category looks on every page: one mapping each.
CASE_STATUS_BADGES = {
    CaseStatus.DRAFT: "muted",
    CaseStatus.SUBMITTED: "warn",
    CaseStatus.RETURNED: "danger",
    CaseStatus.ACCEPTED: "ok",
    CaseStatus.NOMINATED: "info",
    CaseStatus.SELECTED: "selected",
}
CASE_CATEGORY_BADGES = {
    CaseCategory.FRAUD_PREVENTED: "danger",
    CaseCategory.SERVICE: "ok",
    CaseCategory.ERROR: "warn",
    CaseCategory.COMPLAINT: "info",
    CaseCategory.OTHER: "neutral",
}
ROUND_STATUS_BADGES = {workflow.RoundStatus.OPEN: "warn", workflow.RoundStatus.FINAL: "ok"}


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    audit_words.register(app)
    registered = contributions(app)
    registered.vocabularies.update(
        case_status=Vocabulary(CASE_STATUS_LABELS, CASE_STATUS_BADGES),
        case_category=Vocabulary(CASE_CATEGORY_LABELS, CASE_CATEGORY_BADGES),
        case_event=Vocabulary(workflow.EVENT_LABELS),
        round_status=Vocabulary(workflow.ROUND_STATUS_LABELS, ROUND_STATUS_BADGES),
        criterion=Vocabulary(workflow.CRITERION_LABELS),
    )
    registered.navigation.extend([
        NavEntry(_l("案例库"), "cases.library", also=("cases.detail", "cases.new", "cases.edit", "cases.booklet"),
                 order=40),
        NavEntry(_l("典型事例评选"), "cases.selections", ("supervisor",), also=("cases.selection_page",), order=41),
    ])
    registered.home_panels.append(HomePanel("cases/_home.html", ("clerk", "trainer", "supervisor"),
                                            home_panel_context, order=40))
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
    registered.demo_seeders.append(demo.plan_demo_cases)
