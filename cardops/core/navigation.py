"""The main navigation: features list their entries in features.NAVIGATION; each shows to its roles only."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user

    def visible_to(self, actor) -> bool:
        return not self.roles or actor.has_role(*self.roles)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


def nav_items(actor) -> list[NavLink]:
    from cardops.features import NAVIGATION

    if actor is None:
        return []
    current = request.endpoint or ""
    entries = [entry for entry in NAVIGATION() if entry.visible_to(actor)]
    # One entry is active: the page's own, else the first entry of the page's blueprint (several entries may
    # share a blueprint, e.g. the queue, intake and review pages of reissue).
    active_entry = next((e for e in entries if e.endpoint == current), None) or next(
        (e for e in entries if e.endpoint != "main.home" and current.startswith(e.endpoint.split(".")[0] + ".")),
        None,
    )
    return [NavLink(str(entry.label), url_for(entry.endpoint), entry is active_entry) for entry in entries]
