"""The district's supervision dashboard (督导看板与报表, SPEC §8): the outlets' figures of a period in the page, the
API and the Excel/CSV exports, from one service, in the actor's outlet scope."""

from __future__ import annotations

from cardops.core.i18n import _l
from cardops.core.registry import HomePanel, NavEntry, contributions
from cardops.dashboard import api, demo, models, openapi, views

__all__ = ["models", "register"]  # the figures' indexes belong to the metadata (and so to Alembic)


def register(app) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registered = contributions(app)
    registered.navigation.extend([
        NavEntry(_l("督导看板"), "dashboard.index", ("supervisor",), order=20),
        NavEntry(_l("网点统计"), "dashboard.index", ("clerk",), order=20),
    ])
    registered.home_panels.append(HomePanel("dashboard/_home.html", ("supervisor",), order=20))
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
    registered.demo_seeders.append(demo.plan_demo_district)
