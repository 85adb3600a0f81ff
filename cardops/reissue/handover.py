"""The daily handover sheet (日结): what an outlet — or one clerk — did with requests on one local day, counted and
listed by number, printed and signed at closing time and filed by the outlet.

It reads the requests' timeline (``request_events``: every transition with who and when), so it agrees with the
request pages. Scoped like everything else: a clerk sees their own outlet (another outlet is a 404), a supervisor
any outlet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from cardops.auth.models import User, UserRole
from cardops.core.access import ensure_in_scope
from cardops.core.errors import NotFound
from cardops.core.i18n import N_
from cardops.core.timeutil import local_midnight_utc, utcnow
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import all_outlets, outlet_by_code
from cardops.reissue.models import ReissueRequest, RequestEvent
from cardops.reissue.workflow import Status

R = ReissueRequest

# The sheet's sections in counter order: a section takes the day's events it names (action, and the status it
# led to where that matters: a submit either went to production or to review).
SECTIONS = (
    ("intake", N_("受理"), lambda e: e.action == "intake"),
    ("to_review", N_("转入复核"), lambda e: e.action == "submit" and e.to_status == Status.PENDING_REVIEW),
    ("submitted", N_("提交制卡"), lambda e: e.to_status == Status.SUBMITTED),
    ("rejected", N_("复核驳回"), lambda e: e.action == "reject"),
    ("arrived", N_("新卡到达"), lambda e: e.action == "arrive"),
    ("collected", N_("发卡"), lambda e: e.action == "collect"),
    ("cancelled", N_("撤销"), lambda e: e.action == "cancel"),
    ("returned", N_("退回市卡中心"), lambda e: e.action == "return"),
    ("reprinted", N_("补打回执"), lambda e: e.action == "reprint"),
)


@dataclass(frozen=True)
class Line:
    at: datetime
    number: str
    applicant_name: str
    kind: str
    channel: str
    actor_name: str
    reason: object


@dataclass
class Section:
    key: str
    label: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Sheet:
    day: date
    outlet: Outlet | None
    clerk: User | None
    sections: list[Section]
    cards_on_hand: int = 0
    printed_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(len(s.lines) for s in self.sections)


def outlet_clerks(outlet: Outlet) -> list[User]:
    """The outlet's counter staff (clerks, trainers who are clerks too), by name; inactive ones included: a sheet
    of a past day may name someone who has left since."""
    stmt = (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.outlet_id == outlet.id, UserRole.role == "clerk").order_by(User.username))
    return list(db.session.scalars(stmt).unique())


def _outlet_for(actor, outlet_code: str | None) -> Outlet | None:
    if not actor.is_supervisor:
        outlet = actor.outlet
        if outlet_code and (outlet is None or outlet_code.strip().upper() != outlet.code):
            raise NotFound()
        return outlet
    if not outlet_code:
        return None  # a supervisor picks the outlet first
    outlet = outlet_by_code(outlet_code)
    if outlet is None:
        raise NotFound()
    ensure_in_scope(actor, outlet.id)
    return outlet


def build_sheet(actor, day: date, *, outlet_code: str | None = None, username: str | None = None) -> Sheet:
    outlet = _outlet_for(actor, outlet_code)
    sections = [Section(key, label) for key, label, _ in SECTIONS]
    if outlet is None:
        return Sheet(day, None, None, sections)
    clerk = None
    if username:
        clerk = next((u for u in outlet_clerks(outlet) if u.username == username), None)
        if clerk is None:
            raise NotFound()
    start = local_midnight_utc(day)
    stmt = (select(RequestEvent, R.number, R.applicant_name, R.kind, R.channel)
            .join(R, R.id == RequestEvent.request_id)
            .where(R.outlet_id == outlet.id, RequestEvent.at >= start, RequestEvent.at < start + timedelta(days=1))
            .order_by(RequestEvent.at, RequestEvent.id))
    if clerk is not None:
        stmt = stmt.where(RequestEvent.actor_id == clerk.id)
    for event, number, name, kind, channel in db.session.execute(stmt):
        line = Line(event.at, number, name, kind, channel,
                    event.actor.display_name if event.actor else "", event.reason_message)
        for section, (_key, _label, takes) in zip(sections, SECTIONS, strict=True):
            if takes(event):
                section.lines.append(line)
    on_hand = db.session.scalar(select(func.count()).select_from(R)
                                .where(R.outlet_id == outlet.id, R.status == Status.READY))
    return Sheet(day, outlet, clerk, sections, cards_on_hand=on_hand, printed_at=utcnow())


def fill_choices(actor, form) -> None:
    """The outlets and clerks the actor may pick on the sheet's form."""
    outlets = all_outlets() if actor.is_supervisor else [actor.outlet] if actor.outlet else []
    blank = [("", "—")] if actor.is_supervisor else []
    form.outlet.choices = blank + [(o.code, f"{o.code} {o.name}") for o in outlets]
    chosen = outlet_by_code(form.outlet.data) if actor.is_supervisor else actor.outlet
    if not actor.is_supervisor and actor.outlet:
        form.outlet.data = actor.outlet.code
    clerks = outlet_clerks(chosen) if chosen is not None and chosen in outlets else []
    form.clerk.choices = [("", form.all_staff_label)] + [(u.username, u.display_name) for u in clerks]
