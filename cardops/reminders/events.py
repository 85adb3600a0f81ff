"""Notifications of events, on the same channel as the reminders (in-app, and mail where configured):

* ``request_reviewed`` — the intake clerk hears that their request was approved, or rejected and why;
* ``request_awaits_review`` — the supervisors hear when a high-risk request starts waiting for them.

Reissue sends the signals (``cardops.reissue.signals``); ``subscribe`` connects these receivers in the feature's
``register``. They run inside the request's unit of work: the notification is committed with the review, and
rolled back with it.
"""

from __future__ import annotations

from cardops.reissue.signals import request_awaits_review, request_reviewed
from cardops.reminders.links import path_for
from cardops.reminders.notifications import deliver
from cardops.reminders.recipients import Staff, ids
from cardops.reminders.registry import Message, Notice
from cardops.reminders.wording import request_link, request_summary, when
from cardops.risk.registry import RiskLevel

REVIEWED = "request_reviewed"
AWAITS_REVIEW = "request_awaits_review"


def on_request_reviewed(request, *, actor, decision: str, reason: str | None = None, **_) -> None:
    clerk = request.created_by
    if clerk is None or clerk.id == actor.id or not clerk.active:
        return
    at = when(request.reviewed_at)
    yours = f"您受理的申请 {request.number}（{request_summary(request)}）已由 {actor.display_name} 于 {at} "
    if decision == "approve":
        message = Message(f"申请 {request.number} 复核通过", yours + "复核通过，已提交制卡。", request_link(request))
    else:
        message = Message(f"申请 {request.number} 复核未通过（已驳回）",
                          yours + f"驳回。驳回理由：{reason or '（未填写）'}", request_link(request))
    deliver([Notice(REVIEWED, request.number, decision, frozenset({clerk.id}), message)])


def on_request_awaits_review(request, *, actor, **_) -> None:
    if request.risk_level != RiskLevel.HIGH:
        return  # medium risk waits for a second person of its own outlet, who sees it in the review queue
    supervisors = [user for user in Staff.load().reviewers_of(request) if user.is_supervisor and user.id != actor.id]
    if not supervisors:
        return
    reasons = "；".join(flag.reason for flag in request.flags) or "高风险"
    where = f"{request.outlet.code} {request.outlet.name}"
    message = Message(f"高风险申请待督导复核：{request.number}",
                      f"{where}的申请 {request.number}（{request_summary(request)}）为高风险，正等待督导复核。"
                      f"风险提示：{reasons}",
                      path_for("reissue.review", number=request.number) or request_link(request))
    deliver([Notice(AWAITS_REVIEW, request.number, RiskLevel.HIGH, ids(supervisors), message)])


def subscribe() -> None:
    """Connect the receivers (blinker keeps one connection per receiver, however often this runs)."""
    request_reviewed.connect(on_request_reviewed)
    request_awaits_review.connect(on_request_awaits_review)
