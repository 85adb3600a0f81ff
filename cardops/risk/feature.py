"""Risk levels, the rule registry and the watchlist (预警名单) of the district's supervisors."""

from __future__ import annotations

from cardops.core.i18n import _l
from cardops.core.registry import HomePanel, NavEntry, Vocabulary, contributions
from cardops.risk import api, audit_words, openapi, views
from cardops.risk.models import WATCHLIST_REASON_LABELS
from cardops.risk.registry import RISK_LABELS, RiskLevel

RISK_BADGES = {RiskLevel.LOW: "ok", RiskLevel.MEDIUM: "warn", RiskLevel.HIGH: "danger"}
WATCHLIST_BADGES = {"deceased": "danger", "identity_theft": "danger", "police_hold": "warn", "other": "warn"}


def register(app) -> None:
    app.register_blueprint(views.bp)
    audit_words.register(app)
    app.register_blueprint(api.bp)
    registered = contributions(app)
    registered.vocabularies.update(
        risk=Vocabulary(RISK_LABELS, RISK_BADGES),
        watchlist_reason=Vocabulary(WATCHLIST_REASON_LABELS, WATCHLIST_BADGES),
    )
    registered.navigation.append(NavEntry(_l("预警名单"), "risk.watchlist", ("supervisor",), order=21))
    registered.home_panels.append(HomePanel("risk/_home.html", ("supervisor",), order=60))
    registered.add_openapi(openapi.OPENAPI_PATHS, openapi.OPENAPI_SCHEMAS)
