"""The hash-chained audit log: its page for supervisors and administrators, and ``audit verify``."""

from __future__ import annotations

from cardops.audit import views
from cardops.audit.commands import audit_cli
from cardops.audit.vocabulary import describe_actions
from cardops.core.i18n import N_, _l
from cardops.core.registry import NavEntry, contributions


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(audit_cli)
    describe_actions(app, "export", N_("导出"), {"audit.export": (N_("导出审计日志"), None)})
    contributions(app).navigation.append(NavEntry(_l("审计日志"), "audit.entries", ("supervisor", "admin"), order=80))
