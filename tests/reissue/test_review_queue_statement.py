"""The review queue's statement is written once (``queries.awaiting_review``: scoped, paged, the outlet filter a
parameter); it must show exactly what the general list (``requests_query``) finds for the same filters."""

from __future__ import annotations

from cardops.extensions import db
from cardops.reissue.queries import REVIEW_ORDER, RequestFilters, awaiting_review, requests_query
from tests.reissue.workflow_support import request_in


def _general(actor, outlet_code=None) -> list[str]:
    stmt = requests_query(actor, RequestFilters(queue="review", outlet_code=outlet_code), order=REVIEW_ORDER)
    return [r.number for r in db.session.scalars(stmt)]


def _written_once(actor, outlet_code=None, per_page=20):
    listing = awaiting_review(actor, outlet_code, 1, per_page)
    return [row.ReissueRequest.number for row in listing.items], listing.total


def test_the_written_once_review_queue_shows_what_the_general_list_finds(clerk, clerk2, other_clerk, supervisor,
                                                                          admin, outlet, other_outlet):
    for creator in (clerk, clerk2, other_clerk):
        request_in("pending_review", creator, supervisor)
    request_in("ready", clerk, clerk2)  # not awaiting review
    cases = [(clerk, None), (other_clerk, None), (supervisor, None), (supervisor, outlet.code),
             (supervisor, other_outlet.code.lower()), (supervisor, "NOSUCH"), (admin, None)]
    for actor, code in cases:
        numbers, total = _written_once(actor, code)
        assert numbers == _general(actor, code) and total == len(numbers), (actor.username, code)
    assert len(_written_once(supervisor)[0]) == 3 and len(_written_once(clerk)[0]) == 2
    assert _written_once(admin)[0] == [] and _written_once(supervisor, "NOSUCH")[0] == []


def test_a_full_page_of_the_review_queue_is_counted(clerk, clerk2, supervisor):
    request_in("pending_review", clerk, supervisor), request_in("pending_review", clerk2, supervisor)
    numbers, total = _written_once(supervisor, per_page=1)
    assert len(numbers) == 1 and total == 2
