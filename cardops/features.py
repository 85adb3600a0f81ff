"""The feature folders wired into the application. Adding a feature adds its lines here and nothing else."""

from __future__ import annotations


def BLUEPRINTS():  # noqa: N802 - reads as the constant it stands for
    from cardops.admin.views import bp as admin_bp
    from cardops.api import bp as api_bp
    from cardops.audit.views import bp as audit_bp
    from cardops.auth.views import bp as auth_bp
    from cardops.main.views import bp as main_bp
    from cardops.reissue.api import bp as reissue_api_bp
    from cardops.reissue.public_api import bp as public_api_bp
    from cardops.reissue.views import bp as reissue_bp
    from cardops.reissue.views_cards import bp as cards_bp
    from cardops.reissue.views_public import bp as reissue_public_bp
    from cardops.risk.api import bp as watchlist_api_bp
    from cardops.risk.views import bp as risk_bp

    return [main_bp, auth_bp, admin_bp, audit_bp, api_bp, reissue_api_bp, public_api_bp, watchlist_api_bp,
            reissue_bp, cards_bp, reissue_public_bp, risk_bp]


def COMMANDS():  # noqa: N802
    from cardops.audit.commands import audit_cli
    from cardops.auth.commands import users_cli
    from cardops.main.commands import seed_command
    from cardops.scheduler.runner import scheduler_command

    return [seed_command, users_cli, audit_cli, scheduler_command]


def MODELS():  # noqa: N802 - imported by migrations/env.py so autogenerate sees every table
    from cardops.audit import models as audit_models
    from cardops.auth import models as auth_models
    from cardops.outlets import models as outlet_models
    from cardops.reissue import models as reissue_models
    from cardops.risk import models as risk_models

    return [audit_models, auth_models, outlet_models, reissue_models, risk_models]


def JOBS():  # noqa: N802 - (job id, callable, trigger or crontab string) run by the scheduler process
    return []


def DEMO_SEEDERS():  # noqa: N802 - callables adding a feature's demo data; each returns a line to print
    from cardops.reissue.demo import seed_demo_requests

    return [seed_demo_requests]


def OPENAPI():  # noqa: N802 - modules with OPENAPI_PATHS / OPENAPI_SCHEMAS for the served document
    from cardops.reissue import openapi as reissue_openapi
    from cardops.risk import openapi as risk_openapi

    return [reissue_openapi, risk_openapi]


def NAVIGATION():  # noqa: N802 - main navigation entries, in display order
    from cardops.core.i18n import _l
    from cardops.core.navigation import NavEntry

    return [
        NavEntry(_l("首页"), "main.home"),
        NavEntry(_l("受理队列"), "reissue.queue", ("clerk", "supervisor")),
        NavEntry(_l("新受理"), "reissue.intake", ("clerk",)),
        NavEntry(_l("复核队列"), "reissue.review_queue", ("clerk", "supervisor")),
        NavEntry(_l("到卡登记"), "cards.arrivals", ("clerk",)),
        NavEntry(_l("发卡"), "cards.pickup", ("clerk",)),
        NavEntry(_l("预警名单"), "risk.watchlist", ("supervisor",)),
        NavEntry(_l("审计日志"), "audit.entries", ("supervisor", "admin")),
        NavEntry(_l("用户"), "admin.users", ("admin",)),
        NavEntry(_l("网点"), "admin.outlet_list", ("admin",)),
        NavEntry(_l("API 令牌"), "admin.tokens", ("admin",)),
    ]
