"""The log form of a session, new or corrected: its choices (outlets, leaders, library cases), the staff checklist
grouped by outlet, what was ticked, and the service's errors put back on the fields and the checklist's rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _

from cardops.auth.models import User
from cardops.core.errors import DomainError
from cardops.core.forms import Outcome, show_error_on_form
from cardops.core.i18n import translate
from cardops.core.timeutil import local_today
from cardops.core.transaction import settle
from cardops.outlets.models import Outlet
from cardops.outlets.services import all_outlets
from cardops.training.forms import ABSENT, DISTRICT, PRESENT, SessionForm, attendee_rows
from cardops.training.models import TrainingSession
from cardops.training.permissions import logging_refusal
from cardops.training.queries import library_cases, outlet_staff, roster_entry, session_leaders

DEFAULT_DURATION = 60


@dataclass
class Row:
    user: User
    choice: str = ""  # present / absent / "" (not on this session's list)
    score: str = ""
    error: str | None = None


@dataclass
class Group:
    outlet: Outlet
    rows: list[Row] = field(default_factory=list)


class SessionPage:
    """Everything the form page needs; ``run`` submits it to a service."""

    def __init__(self, actor, form: SessionForm, session: TrainingSession | None = None):
        self.actor, self.form, self.session = actor, form, session
        self.supervisor = actor.is_supervisor
        self.status = 200
        self.attendees_error: str | None = None
        entry = None if self.supervisor else roster_entry(actor.id)
        self.refusal = logging_refusal(actor, entry) if session is None else None
        self._rows = self._checklist()
        self._set_choices()
        if request.method == "POST":
            for row in self._rows.values():
                row.choice = request.form.get(f"attendance-{row.user.id}", "")
                row.score = request.form.get(f"score-{row.user.id}", "").strip()[:8]

    # --- what the form offers -------------------------------------------------------------------------------
    def _checklist(self) -> dict[int, Row]:
        """The staff who may be ticked: a trainer's own outlet (but themself), a supervisor's every outlet; a
        corrected session keeps its people even if they have left or moved since."""
        staff = outlet_staff() if self.supervisor else [
            u for u in outlet_staff(self.actor.outlet_id) if u.id != self.actor.id]
        rows = {u.id: Row(u) for u in staff}
        if self.session is not None:
            for attendance in self.session.attendances:
                rows.setdefault(attendance.user_id, Row(attendance.user))
        return rows

    @property
    def groups(self) -> list[Group]:
        groups: dict[int | None, Group] = {}
        for row in sorted(self._rows.values(), key=lambda r: (r.user.outlet.code if r.user.outlet else "~",
                                                              r.user.username)):
            key = row.user.outlet_id
            groups.setdefault(key, Group(row.user.outlet)).rows.append(row)
        return list(groups.values())

    def _set_choices(self) -> None:
        form = self.form
        form.cases.choices = [(str(c.id), f"{c.title}（{c.outlet.code}，{c.occurred_on:%Y-%m-%d}）")
                              for c in library_cases()]
        if not self.supervisor:
            return
        form.outlet_code.choices = [("", _("请选择")), (DISTRICT, _("区级培训（全区各网点）"))] + [
            (o.code, f"{o.code} {o.name}") for o in all_outlets() if o.active
            or (self.session is not None and self.session.outlet_id == o.id)]
        leaders = [u for u in session_leaders(local_today()) if u.id != self.actor.id]
        if self.session is not None and self.session.trainer_id != self.actor.id \
                and all(u.id != self.session.trainer_id for u in leaders):
            leaders.insert(0, self.session.trainer)
        form.trainer.choices = [("", _("本人（%(name)s）", name=self.actor.display_name))] + [
            (u.username, f"{u.outlet.code + ' ' if u.outlet else ''}{u.display_name}") for u in leaders]

    # --- filling it -------------------------------------------------------------------------------------------
    def fill_defaults(self, args) -> None:
        self.form.date.data = local_today().isoformat()
        self.form.duration_minutes.data = str(DEFAULT_DURATION)
        if args.get("kind"):
            self.form.kind.data = args["kind"]
        if self.supervisor:
            self.form.outlet_code.data = (args.get("outlet_code") or "").upper() or ""
            if args.get("outlet_code") == DISTRICT:
                self.form.outlet_code.data = DISTRICT

    def fill_from_session(self) -> None:
        s, form = self.session, self.form
        form.version.data = str(s.version)
        form.date.data = s.held_on.isoformat()
        form.topic.data, form.kind.data, form.materials.data = s.topic, s.kind, s.materials
        form.duration_minutes.data = str(s.duration_minutes)
        form.cases.data = [str(c.id) for c in s.cases]
        if self.supervisor:
            form.outlet_code.data = s.outlet.code if s.outlet else DISTRICT
            form.trainer.data = "" if s.trainer_id == self.actor.id else s.trainer.username
        for attendance in s.attendances:
            row = self._rows[attendance.user_id]
            row.choice = PRESENT if attendance.attended else ABSENT
            row.score = "" if attendance.score is None else str(attendance.score)

    # --- submitting it ------------------------------------------------------------------------------------------
    def run(self, operation: Callable[[dict], object]) -> Outcome:
        form = self.form
        if self.supervisor and not form.outlet_code.data:
            form.outlet_code.errors = [_("请选择培训网点，或选择区级培训")]
            self.status = 400
            return Outcome(False, status=400)
        ids = list(self._rows)
        attendees, order = attendee_rows(request.form, ids, {uid: row.user.username for uid, row in self._rows.items()})
        try:
            value = operation(form.to_service_data(attendees, supervisor=self.supervisor))
        except DomainError as error:
            settle(error)
            self._show(error, order)
            self.status = error.status
            if self.session is not None:
                form.version.data = str(self.session.version)
            return Outcome(False, status=error.status)
        return Outcome(True, value)

    def _show(self, error: DomainError, order: list[int]) -> None:
        """Row errors onto their rows, the rest onto the form's fields (or above the form)."""
        remaining = {}
        for name, message in (error.fields or {}).items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "attendees" and parts[1].isdigit() and int(parts[1]) < len(order):
                self._rows[order[int(parts[1])]].error = translate(message)
            else:
                remaining[name] = message
        if "attendees" in remaining:
            summary = remaining.pop("attendees")
            if not any(row.error for row in self._rows.values()):
                self.attendees_error = translate(summary)
        error.fields = remaining
        if remaining or not (self.attendees_error or any(row.error for row in self._rows.values())):
            show_error_on_form(self.form, error)
        else:
            self.form.form_errors.append(translate(error.message))
