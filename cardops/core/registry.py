"""What the features contribute to the application, kept on the application itself.

``create_app`` hands the application to each feature's ``feature.register(app)``; a feature registers its blueprints
and commands with Flask and its other contributions here (``contributions(app)``). The parts that need them read
them from the application: the navigation, the home page and the page header, the scheduler, the OpenAPI
document, the demo seeder, the words and badges of coded values on pages. Nothing in ``core`` imports a feature,
and no feature imports the list of features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION_KEY = "cardops"


@dataclass(frozen=True)
class NavEntry:
    """A main-menu entry for the roles that may open it (none: every signed-in user).

    ``also`` names further endpoints on which this entry is the highlighted one (the review page belongs to the
    review queue, a session's page to the sessions list …).
    """

    label: str
    endpoint: str
    roles: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    order: int = 100

    def visible_to(self, actor) -> bool:
        return not self.roles or actor.has_role(*self.roles)

    def highlights(self, endpoint: str) -> bool:
        return endpoint == self.endpoint or endpoint in self.also


@dataclass(frozen=True)
class HomePanel:
    """A section of the home page: a template fragment for the roles it serves, with its own context."""

    template: str
    roles: tuple[str, ...] = ()
    context: Callable[[object], dict] | None = None
    order: int = 100

    def visible_to(self, actor) -> bool:
        return not self.roles or actor.has_role(*self.roles)


# A fragment of the page header (the notification bell …): same shape as a home panel.
HeaderItem = HomePanel


@dataclass(frozen=True)
class Job:
    """A scheduled job of the scheduler process: its key, the function, and a five-field crontab string (local
    time, read as Unix cron reads it: ``cardops.core.crontab``) or an APScheduler trigger. The scheduler runs it in an
    application context, on the leading process only."""

    key: str
    func: Callable[[], object]
    trigger: object


@dataclass(frozen=True)
class Vocabulary:
    """A coded value's words for pages: its labels (Chinese msgids, translated when shown) and badge styles."""

    labels: dict
    badges: dict = field(default_factory=dict)


@dataclass
class Contributions:
    navigation: list[NavEntry] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    # Functions returning jobs whose schedule lives in the database (reminder rules): the scheduler calls them
    # again every SCHEDULER_SYNC_SECONDS and adds, reschedules or removes jobs to match, without a restart.
    job_sources: list[Callable[[], list[Job]]] = field(default_factory=list)
    header_items: list[HeaderItem] = field(default_factory=list)
    openapi_paths: dict = field(default_factory=dict)
    openapi_schemas: dict = field(default_factory=dict)
    demo_seeders: list[Callable] = field(default_factory=list)
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    # Loading options for the signed-in user's statement, which every page runs: what a feature shows on every
    # page comes with the user (the bell's count) instead of in a statement of its own.
    session_user_loads: list = field(default_factory=list)

    def add_openapi(self, paths: dict, schemas: dict | None = None) -> None:
        self.openapi_paths.update(paths)
        self.openapi_schemas.update(schemas or {})


def init_app(app: Flask) -> Contributions:
    return app.extensions.setdefault(EXTENSION_KEY, Contributions())


def contributions(app: Flask | None = None) -> Contributions:
    return (app or current_app).extensions[EXTENSION_KEY]
