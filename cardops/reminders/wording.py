"""Words shared by the rules and the event notifications: times, a request in one phrase, its page."""

from __future__ import annotations

from cardops.core.pii import mask_name
from cardops.core.timeutil import to_local
from cardops.reissue.workflow import KIND_LABELS
from cardops.reminders.links import path_for


def when(moment) -> str:
    """A naive-UTC moment as local time, to the minute."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def request_summary(request) -> str:
    """``挂失补卡，申请人 张*``: the kind and the masked name (messages also travel by e-mail)."""
    return f"{KIND_LABELS.get(request.kind, request.kind)}，申请人 {mask_name(request.applicant_name)}"


def request_link(request) -> str | None:
    return path_for("reissue.detail", number=request.number)
