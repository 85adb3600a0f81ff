"""Form helpers shared by features: multi-checkbox fields and service errors shown on the form."""

from __future__ import annotations

from wtforms import SelectMultipleField, widgets

from cardops.core.errors import DomainError
from cardops.core.i18n import translate


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
