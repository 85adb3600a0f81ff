"""Administration pages: users, outlets, API tokens (role ``admin``)."""

from __future__ import annotations

from cardops.admin import audit_words, views
from cardops.core.i18n import _l
from cardops.core.registry import NavEntry, contributions


def register(app) -> None:
    app.register_blueprint(views.bp)
    audit_words.register(app)
    contributions(app).navigation.extend([
        NavEntry(_l("用户"), "admin.users", ("admin",), also=("admin.user_create", "admin.user_edit"), order=90),
        NavEntry(_l("网点"), "admin.outlet_list", ("admin",), also=("admin.outlet_create", "admin.outlet_edit"),
                 order=91),
        NavEntry(_l("API 令牌"), "admin.tokens", ("admin",), order=92),
    ])
