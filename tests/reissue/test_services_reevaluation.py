"""Risk is evaluated once more when a request is submitted or approved: a person put on the watchlist
after the last check must not get a card without the district's review."""

import pytest

from cardops.core.errors import Forbidden
from cardops.reissue import services
from cardops.reissue.errors import ChecksIncomplete
from cardops.reissue.workflow import Status
from cardops.risk import watchlist
from tests.reissue.helpers import intake_body, make_id, person


def _checked_request(actor, body):
    request = services.intake(actor, body)
    for step in request.required_checks:
        services.record_check(actor, request, {"step": str(step), "result": "pass"})
    return request


def test_submit_sees_a_watchlist_entry_added_after_the_checks(app, clerk, supervisor):
    id_number = make_id()
    request = _checked_request(clerk, intake_body(applicant=person(id_number=id_number)))
    assert request.risk_level == "low"
    watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "deceased"})

    with pytest.raises(ChecksIncomplete):  # high risk now needs the phone call-back first
        services.submit(clerk, request)

    services.record_check(clerk, request, {"step": "phone_callback", "result": "pass"})
    went_to_review = services.submit(clerk, request)
    assert went_to_review is True
    assert request.status == Status.PENDING_REVIEW
    assert {flag.code for flag in request.flags} == {"WATCHLIST"}


def test_submit_without_new_facts_is_unchanged(app, clerk):
    request = _checked_request(clerk, intake_body())
    assert services.submit(clerk, request) is False
    assert request.status == Status.SUBMITTED and request.risk_level == "low"


def test_a_clerk_cannot_approve_once_the_risk_has_risen_to_high(app, clerk, clerk2, supervisor):
    id_number = make_id()
    request = _checked_request(clerk, intake_body(channel="proxy", applicant=person(id_number=id_number)))
    assert services.submit(clerk, request) is True and request.risk_level == "medium"
    watchlist.add_entry(supervisor, {"id_number": id_number, "reason": "identity_theft"})

    with pytest.raises(Forbidden):
        services.review(clerk2, request, "approve")

    services.record_check(clerk, request, {"step": "phone_callback", "result": "pass"})
    services.review(supervisor, request, "approve")
    assert request.status == Status.SUBMITTED and request.review_level == "district"
