"""The application's shell: home page, language switch, /healthz, the OpenAPI document and ``seed``."""

from __future__ import annotations

from cardops.core.i18n import _l
from cardops.core.registry import NavEntry, contributions
from cardops.main import api, views
from cardops.main.commands import seed_command


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(seed_command)
    registered = contributions(app)
    registered.navigation.append(NavEntry(_l("首页"), "main.home", order=0))
    registered.navigation.append(NavEntry(_l("使用说明"), "main.help_page", order=200))
    registered.add_openapi(api.OPENAPI_PATHS)
