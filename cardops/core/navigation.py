"""The main navigation: the entries the features registered, each shown to its roles only, the page's own
entry highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from cardops.core.registry import contributions


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


def nav_items(actor) -> list[NavLink]:
    if actor is None:
        return []
    current = request.endpoint or ""
    entries = sorted((e for e in contributions().navigation if e.visible_to(actor)), key=lambda e: e.order)
    active = next((e for e in entries if e.highlights(current)), None)
    return [NavLink(str(entry.label), url_for(entry.endpoint), entry is active) for entry in entries]
