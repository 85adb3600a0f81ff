"""The hash-chained audit log: its page for supervisors and administrators, ``audit verify``/``checkpoint`` and the
daily checkpoint job."""

from __future__ import annotations

from cardops.audit import services, views
from cardops.audit.checkpoints import checkpoint_job
from cardops.audit.commands import audit_cli
from cardops.audit.vocabulary import describe_actions
from cardops.core.i18n import N_, _l
from cardops.core.registry import Job, NavEntry, contributions


def register(app) -> None:
    services.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(audit_cli)
    describe_actions(app, "export", N_("导出"), {"audit.export": (N_("导出审计日志"), None)})
    registered = contributions(app)
    registered.navigation.append(NavEntry(_l("审计日志"), "audit.entries", ("supervisor", "admin"), order=80))
    registered.jobs.append(Job("audit_checkpoint", checkpoint_job, app.config["AUDIT_CHECKPOINT_SCHEDULE"]))
