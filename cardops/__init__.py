"""cardops: social-security-card reissue with anti-impersonation controls.

``create_app`` reads as a list: configuration, extensions, blueprints, error handlers, request hooks, commands.
Migrations are never run here (``flask db upgrade`` does that).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, config_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | str | None = None, **overrides) -> Flask:
    config_cls = config if isinstance(config, type) else config_for(config)
    config_cls.prepare()
    app = Flask(
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
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from cardops.auth.loaders import init_login
    from cardops.core import i18n, pii, sqlcount, sqlite
    from cardops.extensions import csrf, db, limiter, migrate
    from cardops.features import MODELS

    MODELS()  # every table known to the metadata before Alembic or create_all look at it
    db.init_app(app)
    sqlite.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    pii.init_app(app)
    init_login(app)
    if app.config.get("CARDOPS_COUNT_SQL"):
        sqlcount.init_app(app)


def register_blueprints(app: Flask) -> None:
    from cardops.features import BLUEPRINTS

    for blueprint in BLUEPRINTS():
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from cardops.core.handlers import init_error_handlers

    init_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from cardops.auth.session import init_session_guard
    from cardops.core.headers import init_security_headers
    from cardops.core.inputguard import init_input_guard

    init_input_guard(app)
    init_session_guard(app)
    init_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from cardops.core.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    from cardops.features import COMMANDS

    for command in COMMANDS():
        app.cli.add_command(command)
