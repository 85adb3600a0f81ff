"""cardops: social-security-card reissue with anti-impersonation controls.

``create_app`` reads as a list: configuration, extensions, error handlers, request hooks, templates, features.
It is the only place that knows the list of features; each feature's ``feature.register(app)`` wires its
blueprints and commands and registers what else it contributes on the application (``cardops.core.registry``).
Migrations are never run here (``flask db upgrade`` does that).
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from cardops.admin import feature as admin
from cardops.audit import feature as audit
from cardops.auth import feature as auth
from cardops.cases import feature as cases
from cardops.core import (
    handlers,
    headers,
    i18n,
    inputguard,
    pii,
    registry,
    routing,
    sqlcount,
    sqlite,
    templating,
    urls,
)
from cardops.core.transaction import CardopsFlask
from cardops.dashboard import feature as dashboard
from cardops.extensions import csrf, db, limiter, migrate
from cardops.main import feature as main
from cardops.outlets import feature as outlets
from cardops.reissue import feature as reissue
from cardops.reminders import feature as reminders
from cardops.risk import feature as risk
from cardops.scheduler import feature as scheduler
from cardops.training import feature as training
from config import Config, config_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# In dependency order: a feature comes after the features it builds on.
FEATURES = (main, outlets, audit, auth, admin, risk, reissue, cases, training, dashboard, scheduler, reminders)


def create_app(config: type[Config] | str | None = None, **overrides) -> CardopsFlask:
    config_cls = config if isinstance(config, type) else config_for(config)
    config_cls.prepare()
    app = CardopsFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(config_cls)
    app.config.update(overrides)
    app.json.ensure_ascii = False  # Chinese messages stay readable in API answers
    if app.config.get("PROXY_FIX_COUNT"):
        # Behind nginx: trust that many proxies for the client address (audited logins, rate limits).
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_extensions(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_templating(app)
    register_features(app)
    return app


def register_extensions(app) -> None:
    registry.init_app(app)
    routing.init_app(app)
    db.init_app(app)
    sqlite.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    pii.init_app(app)
    if app.config.get("CARDOPS_COUNT_SQL"):
        sqlcount.init_app(app)


def register_errorhandlers(app) -> None:
    handlers.init_error_handlers(app)


def register_request_hooks(app) -> None:
    inputguard.init_input_guard(app)
    headers.init_security_headers(app)


def register_templating(app) -> None:
    templating.init_templating(app)
    urls.init_app(app)


def register_features(app) -> None:
    for feature in FEATURES:
        feature.register(app)
