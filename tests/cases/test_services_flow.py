"""The case flow through the services (SPEC §6.1): every transition from every state, who may perform it, the
audit entry of each, optimistic locking, and what writing a case requires."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.cases import selection, services
from cardops.cases.errors import CaseChanged, InvalidTransition, SelectionFinal
from cardops.cases.models import CaseStatus
from cardops.cases.workflow import AUTHOR, TRANSITIONS
from cardops.core.errors import Forbidden, NotFound, ValidationError
from cardops.extensions import db
from tests.cases.support import case_body

PAGE_TRANSITIONS = {action: t for action, t in TRANSITIONS.items() if not t.by_round}
ALLOWED = [(action, source) for action, t in PAGE_TRANSITIONS.items() for source in sorted(t.sources)]
REFUSED = [(action, status) for action, t in PAGE_TRANSITIONS.items() for status in CaseStatus
           if status not in t.sources]


def audit_of(case) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "case",
                                                            AuditEntry.object_id == str(case.id))
                                   .order_by(AuditEntry.seq)))


def perform(action: str, actor, case):
    if action == "edit":
        return services.update_case(actor, case, {"title": "标题改过了"})
    return services.perform(action, actor, case, {"reason": "请补充处置经过", "year": case.occurred_on.year})


@pytest.fixture
def selected_case(case_in, supervisor, supervisor2):
    case = case_in("nominated")
    selection.score_case(supervisor2, case.nominated_year, case, {"typicality": 4, "educational_value": 4,
                                                                  "impact": 3})
    selection.finalise(supervisor, case.nominated_year)
    assert case.status == "selected"
    return case


@pytest.fixture
def any_case(case_in, request):
    def make(status):
        if status == CaseStatus.SELECTED:
            return request.getfixturevalue("selected_case")
        return case_in(status)

    return make


# --- the matrix ----------------------------------------------------------------------------------------------

def test_the_matrix_covers_every_state_and_action():
    assert {s for _, s in ALLOWED} | {s for _, s in REFUSED} == set(CaseStatus)
    assert len(ALLOWED) + len(REFUSED) == len(PAGE_TRANSITIONS) * len(CaseStatus)


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_transition_is_allowed_from_each_of_its_sources(any_case, trainer, supervisor, action, source):
    case = any_case(source)
    actor = trainer if PAGE_TRANSITIONS[action].who == AUTHOR else supervisor
    version, audited = case.version, len(audit_of(case))
    perform(action, actor, case)
    target = PAGE_TRANSITIONS[action].target or source
    assert case.status == target and case.version > version
    entries = audit_of(case)
    assert len(entries) == audited + 1
    entry = entries[-1]
    assert (entry.action, entry.actor_id, entry.outlet_id) == (f"cases.{action}", actor.id, case.outlet_id)
    if action != "edit":
        assert (entry.detail["from"], entry.detail["to"]) == (source, target)
    assert verify_chain().ok


@pytest.mark.parametrize("status", sorted(CaseStatus))
def test_from_each_state_every_other_action_is_refused_with_409(any_case, trainer, supervisor, status):
    case = any_case(status)
    version, audited = case.version, len(audit_of(case))
    for action in [a for a, s in REFUSED if s == status]:
        actor = trainer if PAGE_TRANSITIONS[action].who == AUTHOR else supervisor
        with pytest.raises(InvalidTransition) as refused:
            perform(action, actor, case)
        assert (refused.value.status, refused.value.code) == (409, "INVALID_TRANSITION"), action
    assert case.status == status and case.version == version and len(audit_of(case)) == audited


@pytest.mark.parametrize("status", sorted(CaseStatus))
def test_not_this_persons_action_is_403_and_an_unseen_case_is_404(any_case, trainer2, other_trainer, clerk,
                                                                   supervisor, admin, status):
    """From every state, every action tried by everyone who may not perform it: 403 where they may see the case,
    404 where they may not — whatever the state would allow."""
    case = any_case(status)
    in_library = status in ("accepted", "nominated", "selected")
    for action, spec in PAGE_TRANSITIONS.items():
        outsiders = [trainer2, clerk, other_trainer, admin]  # never the author; never a supervisor
        if spec.who == AUTHOR:
            outsiders.append(supervisor)  # a supervisor does not submit or edit someone else's case
        for actor in outsiders:
            sees = in_library or actor.is_supervisor or actor.outlet_id == case.outlet_id
            with pytest.raises(Forbidden if sees else NotFound) as refused:
                perform(action, actor, case)
            assert refused.value.status == (403 if sees else 404), (action, actor.username)
    assert case.status == status


def test_a_stale_version_is_refused_with_409(case_in, trainer, supervisor):
    case = case_in("submitted")
    with pytest.raises(CaseChanged) as refused:
        services.accept_case(supervisor, case, expected_version=case.version + 1)
    assert (refused.value.status, refused.value.code) == (409, "CONFLICT")
    with pytest.raises(ValidationError):
        services.accept_case(supervisor, case, expected_version="abc")
    services.accept_case(supervisor, case, expected_version=str(case.version))
    assert case.status == "accepted"


# --- reasons, the author's loop ------------------------------------------------------------------------------

def test_return_needs_a_reason_accept_takes_an_optional_one(case_in, trainer, supervisor):
    case = case_in("submitted")
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError) as refused:
            services.return_case(supervisor, case, reason)
        assert "reason" in refused.value.fields
    with pytest.raises(ValidationError):
        services.return_case(supervisor, case, "长" * 501)
    services.return_case(supervisor, case, "当事人写了全名，请改为某某")
    assert (case.status, case.decision_reason) == ("returned", "当事人写了全名，请改为某某")
    services.update_case(trainer, case, {"narrative": case.narrative.replace("一名男子", "男子王某")})
    assert case.status == "returned"
    services.submit_case(trainer, case)
    assert (case.status, case.decision_reason) == ("submitted", None)
    services.accept_case(supervisor, case)
    assert (case.status, case.decision_reason) == ("accepted", None)
    other = case_in("submitted")
    services.accept_case(supervisor, other, "写得清楚，可作为培训材料")
    assert other.decision_reason == "写得清楚，可作为培训材料"
    reasons = [e.detail.get("reason") for e in audit_of(case)]
    assert "当事人写了全名，请改为某某" in reasons


def test_an_author_who_is_no_longer_a_trainer_cannot_submit(case_in, trainer):
    from cardops.auth import services as accounts

    case = case_in("draft")
    accounts.update_user(None, trainer, display_name=trainer.display_name, roles=["clerk"], outlet=trainer.outlet)
    with pytest.raises(Forbidden):
        services.submit_case(trainer, case)


def test_editing_records_what_changed_and_nothing_when_nothing_did(case_in, trainer):
    case = case_in("draft")
    before = len(audit_of(case))
    services.update_case(trainer, case, {"title": case.title})
    assert len(audit_of(case)) == before
    services.update_case(trainer, case, {"title": "新标题", "lessons": "新的启示"})
    entry = audit_of(case)[-1]
    assert entry.detail["changes"] == {"title": {"old": "识破持已故老人证件代办补卡", "new": "新标题"}}
    assert entry.detail["texts_changed"] == ["lessons"]


# --- writing -------------------------------------------------------------------------------------------------

def test_a_trainer_writes_for_their_own_outlet(trainer, outlet, other_outlet):
    case = services.create_case(trainer, case_body())
    assert (case.status, case.outlet_id, case.author_id) == ("draft", outlet.id, trainer.id)
    assert services.create_case(trainer, case_body(outlet_code="pt01")).outlet_id == outlet.id
    with pytest.raises(Forbidden):
        services.create_case(trainer, case_body(outlet_code=other_outlet.code))


def test_a_supervisor_names_the_outlet(supervisor, other_outlet):
    with pytest.raises(ValidationError) as refused:
        services.create_case(supervisor, case_body())
    assert "outlet_code" in refused.value.fields
    with pytest.raises(ValidationError):
        services.create_case(supervisor, case_body(outlet_code="PT99"))
    case = services.create_case(supervisor, case_body(outlet_code="PT02"))
    assert case.outlet_id == other_outlet.id


def test_clerks_and_admins_do_not_write_cases(clerk, admin):
    for actor in (clerk, admin):
        with pytest.raises(Forbidden):
            services.create_case(actor, case_body())


def test_nominating_for_a_final_year_is_refused(selected_case, case_in, supervisor):
    case = case_in("accepted")
    with pytest.raises(SelectionFinal):
        services.nominate_case(supervisor, case, selected_case.selected_year)
    assert case.status == "accepted" and case.nominated_year is None


@pytest.mark.parametrize("year", [None, "2026", True, 2026.0, 1999, 3000, [2026]])
def test_nominating_needs_a_year_as_an_integer(case_in, supervisor, year):
    case = case_in("accepted")
    with pytest.raises(ValidationError) as refused:
        services.nominate_case(supervisor, case, year)
    assert "year" in refused.value.fields
    assert case.status == "accepted"


def test_nominating_for_a_year_before_the_case_or_after_this_one_is_refused(case_in, supervisor):
    case = case_in("accepted")
    for year in (case.occurred_on.year - 1, case.occurred_on.year + 1):
        with pytest.raises(ValidationError):
            services.nominate_case(supervisor, case, year)
    services.nominate_case(supervisor, case, case.occurred_on.year)
    assert (case.status, case.nominated_year) == ("nominated", case.occurred_on.year)
