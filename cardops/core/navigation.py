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
    links = []
    for entry in NAVIGATION():
        if entry.visible_to(actor):
            blueprint = entry.endpoint.split(".")[0]
            active = current == entry.endpoint or (
                current.startswith(blueprint + ".") and entry.endpoint != "main.home"
            )
            links.append(NavLink(str(entry.label), url_for(entry.endpoint), active))
    return links
