from __future__ import annotations

from flask import request as http

from cardops.core.access import current_actor, roles_required
from cardops.core.api import api_blueprint, json_body, json_ok, json_page
from cardops.core.pagination import paginate, parse_page_args
from cardops.risk import watchlist

bp = api_blueprint("watchlist_api", __name__, "/watchlist")
supervisor_required = roles_required("supervisor")


@bp.get("")
@supervisor_required
def index():
    page, per_page = parse_page_args(http.args)
    return json_page(paginate(watchlist.active_entries(), page, per_page), watchlist.entry_to_dict)


@bp.post("")
@supervisor_required
def create():
    entry = watchlist.add_entry(current_actor(), json_body())
    return json_ok(watchlist.entry_to_dict(entry), 201)


@bp.delete("/<int:entry_id>")
@supervisor_required
def remove(entry_id: int):
    entry = watchlist.remove_entry(current_actor(), entry_id, json_body().get("reason"))
    body = watchlist.entry_to_dict(entry)
    body["removed_reason"] = entry.removed_reason
    return json_ok(body)
