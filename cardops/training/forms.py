"""WTForms of the training pages. They carry the input only: the rules live in validation.py and the services,
whose field errors come back onto these fields (``date`` → ``date``). The attendee checklist is not a WTForms
field: one row per member of staff (``attendance-<user id>``: present / absent / not on the list, and
``score-<user id>``), read by ``attendee_rows``."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from cardops.core.i18n import _l
from cardops.training.models import SESSION_KIND_LABELS, TRAINER_STATUS_LABELS

DATE_INPUT = {"type": "date", "class": "date-input"}
SPECIALTY_SEPARATORS = re.compile(r"[,，、;；\n]+")
PRESENT, ABSENT = "present", "absent"
DISTRICT = "district"  # the outlet choice of a district session (outlet_code null)


def vocabulary_choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), _l(label)) for value, label in labels.items()]


def split_specialties(raw: str | None) -> list[str]:
    return [part.strip() for part in SPECIALTY_SEPARATORS.split(raw or "") if part.strip()]


def whole_number_or_raw(raw: str | None):
    """A typed number as an int for the service; anything else as typed, for the service to refuse by name."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else (raw or None)


class AppointForm(FlaskForm):
    username = SelectField(_l("任命人员"), choices=[], validate_choice=False)
    appointed_on = StringField(_l("任命日期"), render_kw=DATE_INPUT)
    certified_until = StringField(_l("资格有效期至"), render_kw=DATE_INPUT)
    specialties = StringField(_l("专长"), render_kw={"maxlength": 300})

    def to_service_data(self) -> dict:
        return {"username": self.username.data or None, "appointed_on": self.appointed_on.data or None,
                "certified_until": self.certified_until.data or None,
                "specialties": split_specialties(self.specialties.data)}


class TrainerUpdateForm(FlaskForm):
    certified_until = StringField(_l("资格有效期至"), render_kw=DATE_INPUT)
    specialties = StringField(_l("专长"), render_kw={"maxlength": 300})
    status = RadioField(_l("状态"), choices=vocabulary_choices(TRAINER_STATUS_LABELS), validate_choice=False)
    reason = TextAreaField(_l("状态变更理由"), render_kw={"rows": 2, "maxlength": 500})

    def to_service_data(self) -> dict:
        return {"certified_until": self.certified_until.data or None,
                "specialties": split_specialties(self.specialties.data), "status": self.status.data,
                "reason": self.reason.data}


class SessionForm(FlaskForm):
    version = HiddenField()
    date = StringField(_l("培训日期"), render_kw=DATE_INPUT)
    outlet_code = SelectField(_l("培训网点"), choices=[], validate_choice=False,
                              render_kw={"data-outlet-select": ""})
    trainer = SelectField(_l("主讲"), choices=[], validate_choice=False)
    topic = StringField(_l("培训主题"), render_kw={"maxlength": 100})
    kind = RadioField(_l("培训类型"), choices=vocabulary_choices(SESSION_KIND_LABELS), validate_choice=False)
    duration_minutes = StringField(_l("时长（分钟）"), render_kw={
        "type": "number", "min": 15, "max": 480, "step": 5, "inputmode": "numeric", "class": "short"})
    materials = TextAreaField(_l("培训材料"), render_kw={"rows": 3, "maxlength": 2000})
    cases = SelectMultipleField(_l("使用的典型案例"), choices=[], validate_choice=False, render_kw={"size": 5})

    def to_service_data(self, attendees: list[dict], *, supervisor: bool) -> dict:
        data = {"date": self.date.data or None, "topic": self.topic.data, "kind": self.kind.data,
                "duration_minutes": whole_number_or_raw(self.duration_minutes.data),
                "materials": self.materials.data, "attendees": attendees,
                "cases": [whole_number_or_raw(c) for c in self.cases.data or []]}
        if supervisor:
            outlet = self.outlet_code.data
            data["outlet_code"] = None if outlet == DISTRICT else outlet
            data["trainer"] = self.trainer.data or None
        return data



def attendee_rows(form_data, staff_ids: list[int], usernames: dict[int, str]) -> tuple[list[dict], list[int]]:
    """The checklist as the service's attendee list, and the user id of each entry (to put errors on rows)."""
    attendees, order = [], []
    for user_id in staff_ids:
        choice = form_data.get(f"attendance-{user_id}")
        if choice not in (PRESENT, ABSENT):
            continue
        entry = {"username": usernames[user_id], "attended": choice == PRESENT}
        score = whole_number_or_raw(form_data.get(f"score-{user_id}")) if choice == PRESENT else None
        if score is not None:
            entry["score"] = score
        attendees.append(entry)
        order.append(user_id)
    return attendees, order
