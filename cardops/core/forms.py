"""Form helpers shared by features: multi-checkbox fields, running a service for a submitted form, putting a
service's refusal on the form, and keeping full ID numbers out of a form shown again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from cardops.core import pii
from cardops.core.errors import DomainError
from cardops.core.i18n import translate
from cardops.core.transaction import settle


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PostForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def form_field(form, name: str):
    """The form field a service's field name stands for: the same name with dots as underscores
    (``applicant.id_number`` → ``applicant_id_number``), or None."""
    field = getattr(form, name.replace(".", "_"), None)
    return field if field is not None and hasattr(field, "errors") else None


def show_error_on_form(form, error: DomainError) -> None:
    """Put a service's field errors next to their fields; anything else becomes a form-level error."""
    unplaced = []
    for name, message in (error.fields or {}).items():
        message = translate(message)
        field = form_field(form, name)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            unplaced.append(message)
    if not error.fields or unplaced:
        form.form_errors.extend(unplaced or [translate(error.message)])


@dataclass
class Outcome:
    ok: bool
    value: object = None
    status: int = 200


def run_for_form(form, operation: Callable[[], object]) -> Outcome:
    """Run a service for a submitted form. Refused: settle, put the error on the form, and return the status the
    page should be shown again with (400, 409, 422 …). Done: the request's unit of work commits it."""
    try:
        value = operation()
    except DomainError as error:
        settle(error)
        show_error_on_form(form, error)
        return Outcome(False, status=error.status)
    return Outcome(True, value)


def forget_id_numbers(*fields) -> None:
    """A form shown again never carries a full ID number back (SPEC §3.6): the field is emptied and, when the
    number was valid, its masked form says which one to type again."""
    for field in fields:
        if not field.data:
            continue
        hint = _("请重新输入")
        try:
            masked = pii.mask_id_number(pii.normalise_id_number(field.data))
        except pii.InvalidIdNumber:
            pass
        else:
            hint = _("请重新输入 %(masked)s", masked=masked)
        field.data = ""
        field.raw_data = []
        field.render_kw = {**(field.render_kw or {}), "placeholder": hint}
