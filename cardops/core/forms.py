"""Form helpers shared by features: multi-checkbox fields, running a service for a submitted form, and the
service's refusal shown on the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wtforms import SelectMultipleField, widgets

from cardops.core.errors import DomainError
from cardops.core.i18n import translate
from cardops.extensions import db


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def show_error_on_form(form, error: DomainError) -> None:
    """Put a service's field errors next to the fields; anything else becomes a form-level error."""
    unplaced = []
    for name, message in (error.fields or {}).items():
        message = translate(message)
        field = getattr(form, name.split(".")[-1], None) or getattr(form, name.replace(".", "_"), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            unplaced.append(message)
    if not error.fields or unplaced:
        form.form_errors.extend(unplaced or [translate(error.message)])


def settle(error: DomainError) -> None:
    """After a refused operation: keep what the refusal itself recorded (an audited failed pickup or
    re-authentication, ``error.persist``), roll back everything else."""
    if error.persist:
        db.session.commit()
    else:
        db.session.rollback()


@dataclass
class Outcome:
    ok: bool
    value: object = None
    status: int = 200


def run_for_form(form, operation: Callable[[], object]) -> Outcome:
    """Run a service for a submitted form as the request's one unit of work.

    Done: commit and return the service's value. Refused: settle, put the error on the form, and return the
    status the page should be re-rendered with (400, 409, 422 …).
    """
    try:
        value = operation()
    except DomainError as error:
        settle(error)
        show_error_on_form(form, error)
        return Outcome(False, status=error.status)
    db.session.commit()
    return Outcome(True, value)
