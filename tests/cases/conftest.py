"""People and cases of the case-library tests: trainers at two outlets, two supervisors, and cases brought to any
state through the real services."""

from __future__ import annotations

import pytest

from cardops.cases import services
from cardops.cases.models import CaseStatus
from cardops.extensions import db
from tests.cases.support import case_body


@pytest.fixture
def trainer(make_user):
    return make_user("clerk", "trainer", username="trainer-a", display_name="小教员甲")


@pytest.fixture
def trainer2(make_user):
    """A second trainer of the same outlet (PT01)."""
    return make_user("clerk", "trainer", username="trainer-b", display_name="小教员乙")


@pytest.fixture
def other_trainer(make_user, other_outlet):
    return make_user("clerk", "trainer", outlet_=other_outlet, username="trainer-other", display_name="他网点小教员")


@pytest.fixture
def supervisor2(make_user):
    return make_user("supervisor", username="supervisor2", display_name="李督导")


@pytest.fixture
def case_in(trainer, supervisor):
    """case_in(status, author=trainer, reviewer=supervisor, year=…, **body) → a case brought to ``status``."""

    def build(status, author=None, reviewer=None, year=None, **body):
        case = _build(status, author or trainer, reviewer or supervisor, year, **body)
        db.session.commit()  # a refused API call rolls back its unit of work: the case must outlive it
        return case

    def _build(status, author, reviewer, year, **body):
        status = CaseStatus(status)
        if author.is_supervisor:
            body.setdefault("outlet_code", "PT01")
        case = services.create_case(author, case_body(**body))
        if status == CaseStatus.DRAFT:
            return case
        services.submit_case(author, case)
        if status == CaseStatus.SUBMITTED:
            return case
        if status == CaseStatus.RETURNED:
            services.return_case(reviewer, case, "经过写得太简略，请补充处置过程")
            return case
        services.accept_case(reviewer, case)
        if status == CaseStatus.ACCEPTED:
            return case
        services.nominate_case(reviewer, case, year or case.occurred_on.year)
        if status == CaseStatus.NOMINATED:
            return case
        raise AssertionError("a selected case comes from finalising a round")

    return build
