"""The case library's operations (SPEC §6.1). Each takes the acting user and the case, checks the flow and the
permissions (``permissions.refusal``), changes the case, writes the audit chain and flushes. Committing is the
caller's job (one commit per web request, CLI command or job).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from cardops.audit import services as audit
from cardops.cases.errors import CaseChanged
from cardops.cases.models import Case, CaseStatus
from cardops.cases.permissions import ensure_allowed, may_write_cases
from cardops.cases.rounds import lock_open_round
from cardops.cases.validation import parse_case, parse_year
from cardops.core.access import get_scoped_or_404
from cardops.core.errors import Forbidden, NotFound, ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import local_today, utcnow
from cardops.core.validation import parse_reason
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import outlet_by_code
from cardops.reissue.models import ReissueRequest

# Fields whose old and new values the audit keeps when a case is edited (the long texts: only that they changed).
SHORT_FIELDS = ("title", "occurred_on", "category", "request_number", "outlet_code")


# --- helpers -----------------------------------------------------------------------------------------------

def audit_case(action: str, actor, case: Case, **detail) -> None:
    audit.record(f"cases.{action}", actor=actor, object_type="case", object_id=case.id, outlet_id=case.outlet_id,
                 detail={k: v for k, v in detail.items() if v is not None})


def save(case: Case) -> None:
    """Flush with the optimistic lock: a concurrent change to the same case makes this one lose (409)."""
    try:
        db.session.flush()
    except StaleDataError:
        raise CaseChanged() from None


def check_version(case: Case, expected_version) -> None:
    if expected_version in (None, ""):
        return
    if isinstance(expected_version, bool):
        raise ValidationError(fields={"version": "version 应为整数"})
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError(fields={"version": "version 应为整数"}) from None
    if expected != case.version:
        raise CaseChanged()


def move(actor, case: Case, action: str, target: CaseStatus, **detail) -> None:
    """Change the state, take the optimistic lock and write the audit entry of the transition."""
    previous = case.status
    case.status = target
    case.updated_at = utcnow()
    save(case)
    audit_case(action, actor, case, **{"from": previous, "to": str(target), **detail})


def _linked_request(actor, number: str | None) -> ReissueRequest | None:
    """The request a case refers to: one the author may see (another outlet's is as unknown as a typo)."""
    if number is None:
        return None
    try:
        return get_scoped_or_404(select(ReissueRequest).where(ReissueRequest.number == number), actor,
                                 ReissueRequest.outlet_id)
    except NotFound:
        raise ValidationError(fields={"request_number": "找不到该申请编号，或该申请不在您可查看的范围内"}) from None


def _case_outlet(actor, outlet_code: str | None) -> Outlet:
    """A supervisor names the outlet the case comes from; a trainer writes for their own outlet."""
    if actor.is_supervisor:
        outlet = outlet_by_code(outlet_code)
        if outlet is None:
            raise ValidationError(fields={"outlet_code": "请指定案例所属网点（有效的网点代码）"})
        return outlet
    if outlet_code is not None and outlet_code != actor.outlet.code:
        raise Forbidden(N_("小教员只能为本网点撰写案例"))
    return actor.outlet


# --- writing -----------------------------------------------------------------------------------------------

def create_case(actor, data: dict) -> Case:
    """A new case (``draft``) at the author's outlet (a supervisor's: the one given as ``outlet_code``)."""
    if not may_write_cases(actor):
        raise Forbidden(N_("只有小教员或督导可以撰写案例"))
    fields = parse_case(data, partial=False)
    outlet = _case_outlet(actor, fields["outlet_code"])
    request = _linked_request(actor, fields["request_number"])
    case = Case(title=fields["title"], occurred_on=fields["occurred_on"], category=fields["category"],
                narrative=fields["narrative"], lessons=fields["lessons"], request=request, outlet_id=outlet.id,
                outlet=outlet, author_id=actor.id, author=actor, status=CaseStatus.DRAFT, created_at=utcnow(),
                updated_at=utcnow())
    db.session.add(case)
    db.session.flush()
    audit_case("create", actor, case, to=str(CaseStatus.DRAFT), title=case.title, category=case.category,
               request_number=request.number if request else None)
    return case


def _short_value(case: Case, name: str):
    if name == "request_number":
        return case.request.number if case.request else None
    if name == "outlet_code":
        return case.outlet.code
    value = getattr(case, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def update_case(actor, case: Case, data: dict, *, expected_version=None) -> Case:
    """The author changes any of the fields while the case is a draft or returned."""
    ensure_allowed(actor, case, "edit")
    check_version(case, expected_version)
    fields = parse_case(data, partial=True)
    if "outlet_code" in fields and fields["outlet_code"] is None:
        del fields["outlet_code"]  # not given: the case stays where it is
    before = {name: _short_value(case, name) for name in SHORT_FIELDS}
    long_before = {"narrative": case.narrative, "lessons": case.lessons}
    if "outlet_code" in fields:
        outlet = _case_outlet(actor, fields.pop("outlet_code"))
        case.outlet_id, case.outlet = outlet.id, outlet
    if "request_number" in fields:
        case.request = _linked_request(actor, fields.pop("request_number"))
    for name, value in fields.items():
        setattr(case, name, value)
    changes = {name: {"old": before[name], "new": _short_value(case, name)} for name in SHORT_FIELDS
               if _short_value(case, name) != before[name]}
    changed_texts = [name for name, old in long_before.items() if getattr(case, name) != old]
    if not changes and not changed_texts:
        return case
    case.updated_at = utcnow()
    save(case)
    audit_case("edit", actor, case, changes=changes or None, texts_changed=changed_texts or None)
    return case


# --- the flow ----------------------------------------------------------------------------------------------

def submit_case(actor, case: Case, *, expected_version=None) -> None:
    ensure_allowed(actor, case, "submit")
    check_version(case, expected_version)
    case.decision_reason = None  # a reason of an earlier return no longer applies
    move(actor, case, "submit", CaseStatus.SUBMITTED)


def accept_case(actor, case: Case, reason=None, *, expected_version=None) -> None:
    """Into the library; a supervisor may add a word for the author."""
    ensure_allowed(actor, case, "accept")
    check_version(case, expected_version)
    reason = parse_reason(reason, required=False)
    case.decision_reason = reason
    move(actor, case, "accept", CaseStatus.ACCEPTED, reason=reason)


def return_case(actor, case: Case, reason, *, expected_version=None) -> None:
    """Back to the author with what to change (a reason is required)."""
    ensure_allowed(actor, case, "return")
    check_version(case, expected_version)
    reason = parse_reason(reason, required=True)
    case.decision_reason = reason
    move(actor, case, "return", CaseStatus.RETURNED, reason=reason)


def nominate_case(actor, case: Case, year, *, expected_version=None) -> None:
    """Nominate a library case for a year's selection: a year from the one it happened in up to this one."""
    ensure_allowed(actor, case, "nominate")
    check_version(case, expected_version)
    year = parse_year(year)
    this_year = local_today().year
    if year > this_year:
        raise ValidationError(fields={"year": f"只能提名到今年（{this_year}年）及以前的年度评选"})
    if year < case.occurred_on.year:
        raise ValidationError(fields={"year": f"案例发生于{case.occurred_on.year}年，不能提名更早年度的评选"})
    lock_open_round(year, create=True)
    case.nominated_year = year
    move(actor, case, "nominate", CaseStatus.NOMINATED, year=year)


# What the API and the pages call for each action of the case page.
def perform(action: str, actor, case: Case, body: dict, *, expected_version=None) -> None:
    if action == "submit":
        submit_case(actor, case, expected_version=expected_version)
    elif action == "accept":
        accept_case(actor, case, body.get("reason"), expected_version=expected_version)
    elif action == "return":
        return_case(actor, case, body.get("reason"), expected_version=expected_version)
    elif action == "nominate":
        nominate_case(actor, case, body.get("year"), expected_version=expected_version)
    else:
        raise NotFound()
