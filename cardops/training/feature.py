"""The trainer roster and the training log (SPEC §5): pages, API, home panels, vocabularies, demo history."""

from __future__ import annotations

from cardops.core.i18n import N_, _l
from cardops.core.registry import HomePanel, NavEntry, Vocabulary, contributions
from cardops.training import api, audit_words, demo, home, openapi, views
from cardops.training.models import SESSION_KIND_LABELS, TRAINER_STATUS_LABELS, SessionKind, TrainerStatus

SESSION_KIND_BADGES = {SessionKind.BUSINESS: "info", SessionKind.WARNING_EDUCATION: "danger",
                       SessionKind.ONBOARDING: "ok"}
TRAINER_STATUS_BADGES = {TrainerStatus.ACTIVE: "ok", TrainerStatus.SUSPENDED: "muted"}
CERTIFICATION_LABELS = {"valid": N_("有效"), "expiring": N_("30天内到期"), "lapsed": N_("已过期")}
CERTIFICATION_BADGES = {"valid": "ok", "expiring": "warn", "lapsed": "danger"}


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    audit_words.register(app)
    registered = contributions(app)
    registered.vocabularies.update(
        session_kind=Vocabulary(SESSION_KIND_LABELS, SESSION_KIND_BADGES),
        trainer_status=Vocabulary(TRAINER_STATUS_LABELS, TRAINER_STATUS_BADGES),
        certification=Vocabulary(CERTIFICATION_LABELS, CERTIFICATION_BADGES),
    )
    registered.navigation.extend([
        NavEntry(_l("培训记录"), "training.sessions", ("trainer", "supervisor"),
                 also=("training.session", "training.new_session", "training.edit_session"), order=30),
        NavEntry(_l("培训统计"), "training.summary", ("trainer", "supervisor"),
                 also=("training.staff_summary", "training.trainer_summary"), order=31),
        NavEntry(_l("小教员名册"), "training.roster", ("supervisor",), also=("training.trainer",), order=32),
        NavEntry(_l("我的培训"), "training.my_record", ("clerk", "trainer"), also=("training.record",), order=33),
    ])
    registered.home_panels.extend([
        HomePanel("training/_home_supervisor.html", ("supervisor",), home.supervisor_panel, order=30),
        HomePanel("training/_home_trainer.html", ("trainer",), home.trainer_panel, order=30),
        HomePanel("training/_home_clerk.html", ("clerk", "trainer"), home.clerk_panel, order=31),
    ])
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
    registered.demo_seeders.append(demo.plan_demo_training)
