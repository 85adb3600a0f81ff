"""The reissue state machine and vocabularies (SPEC §3.2, §3.3) as data, in one place.

Services enforce it, the API reports it, templates ask it which buttons to show, tests walk it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cardops.core.i18n import N_
from cardops.risk.registry import RiskLevel


class Status(enum.StrEnum):
    INTAKE = "intake"
    PENDING_REVIEW = "pending_review"
    SUBMITTED = "submitted"
    READY = "ready"
    COLLECTED = "collected"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Kind(enum.StrEnum):
    LOST = "lost"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    INFO_CHANGE = "info_change"


class Channel(enum.StrEnum):
    IN_PERSON = "in_person"
    PROXY = "proxy"


class Step(enum.StrEnum):
    ID_DOCUMENT = "id_document"
    FACE_MATCH = "face_match"
    PROXY_AUTHORIZATION = "proxy_authorization"
    LOSS_REPORT = "loss_report"
    OLD_CARD_RECOVERED = "old_card_recovered"
    PHONE_CALLBACK = "phone_callback"


class ReviewLevel(enum.StrEnum):
    """Who must approve (双人复核): a second person of the outlet (or a supervisor), or a supervisor."""

    OUTLET = "outlet"
    DISTRICT = "district"

    @property
    def rank(self) -> int:
        return list(ReviewLevel).index(self) + 1


STATUS_LABELS = {
    Status.INTAKE: N_("受理中"),
    Status.PENDING_REVIEW: N_("待复核"),
    Status.SUBMITTED: N_("制卡中"),
    Status.READY: N_("待领取"),
    Status.COLLECTED: N_("已领取"),
    Status.REJECTED: N_("已驳回"),
    Status.CANCELLED: N_("已撤销"),
    Status.RETURNED: N_("已退回"),
}
KIND_LABELS = {
    Kind.LOST: N_("挂失补卡"),
    Kind.DAMAGED: N_("损坏换卡"),
    Kind.EXPIRED: N_("到期换卡"),
    Kind.INFO_CHANGE: N_("信息变更换卡"),
}
CHANNEL_LABELS = {Channel.IN_PERSON: N_("本人办理"), Channel.PROXY: N_("代办")}
STEP_LABELS = {
    Step.ID_DOCUMENT: N_("身份证件查验"),
    Step.FACE_MATCH: N_("人证比对"),
    Step.PROXY_AUTHORIZATION: N_("代办授权查验"),
    Step.LOSS_REPORT: N_("挂失确认"),
    Step.OLD_CARD_RECOVERED: N_("旧卡回收"),
    Step.PHONE_CALLBACK: N_("电话回访"),
}
STEP_HINTS = {
    Step.ID_DOCUMENT: N_("查验身份证原件（读卡或目视），确认在有效期内"),
    Step.FACE_MATCH: N_("比对到柜人员与所持证件照片（代办时为代办人）"),
    Step.PROXY_AUTHORIZATION: N_("查验代办人身份证、申请人身份证原件及签字的授权委托书"),
    Step.LOSS_REPORT: N_("确认旧卡已正式挂失"),
    Step.OLD_CARD_RECOVERED: N_("回收旧卡并作废"),
    Step.PHONE_CALLBACK: N_("致电登记手机号，由持卡人本人确认申请"),
}
RELATIONS = (N_("配偶"), N_("子女"), N_("父母"), N_("兄弟姐妹"), N_("其他"))

OPEN_STATUSES = frozenset({Status.INTAKE, Status.PENDING_REVIEW, Status.SUBMITTED, Status.READY})
# Checks may be recorded while the request is still at the counter or awaiting review.
CHECKABLE_STATUSES = frozenset({Status.INTAKE, Status.PENDING_REVIEW})
# RECENT_REISSUE counts requests that reached production (submitted or later), not the abandoned ones.
REISSUED_STATUSES = frozenset({Status.SUBMITTED, Status.READY, Status.COLLECTED, Status.RETURNED})

STAFF = frozenset({"clerk", "supervisor"})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[str]
    label: str
    requires: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({Status.INTAKE}), Status.SUBMITTED, STAFF, N_("提交制卡"),
                   N_("全部必需核验已通过；需复核时转入待复核")),
        Transition("approve", frozenset({Status.PENDING_REVIEW}), Status.SUBMITTED, STAFF, N_("复核通过"),
                   N_("中风险：本网点另一名受理员或督导；高风险：督导；受理人不得复核")),
        Transition("reject", frozenset({Status.PENDING_REVIEW}), Status.REJECTED, STAFF, N_("复核驳回"),
                   N_("同复核权限，须填写理由"), needs_reason=True),
        Transition("cancel", frozenset({Status.INTAKE, Status.PENDING_REVIEW}), Status.CANCELLED, STAFF,
                   N_("撤销申请"), N_("须填写理由"), needs_reason=True),
        Transition("arrive", frozenset({Status.SUBMITTED}), Status.READY, STAFF, N_("新卡到达"), "—"),
        Transition("collect", frozenset({Status.READY}), Status.COLLECTED, STAFF, N_("发卡"),
                   N_("取卡码有效，领取人为申请人（代办时也可为登记的代办人）")),
        Transition("return", frozenset({Status.READY}), Status.RETURNED, STAFF, N_("退回市卡中心"),
                   N_("逾期未领取，须填写理由"), needs_reason=True),
    )
}

# The timeline's words for what happened to a request.
EVENT_LABELS = {"intake": N_("受理"), **{action: t.label for action, t in TRANSITIONS.items()},
                "reprint": N_("补打回执")}

# When review is needed, submit leads here instead of to its target (HTTP 202).
SUBMIT_FOR_REVIEW_TARGET = Status.PENDING_REVIEW


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def required_steps(*, kind: str, channel: str, risk_level: str) -> list[Step]:
    """SPEC §3.3: which identity checks a request needs, in the order a clerk performs them."""
    steps = [Step.ID_DOCUMENT, Step.FACE_MATCH]
    if channel == Channel.PROXY:
        steps.append(Step.PROXY_AUTHORIZATION)
    steps.append(Step.LOSS_REPORT if kind == Kind.LOST else Step.OLD_CARD_RECOVERED)
    if risk_level == RiskLevel.HIGH:
        steps.append(Step.PHONE_CALLBACK)
    return steps


def missing_steps(required: list[Step], latest_results: dict[str, str]) -> list[Step]:
    """Required steps without a check, or whose latest check (``step → result``) did not pass."""
    return [step for step in required if latest_results.get(step) != "pass"]


def applicable_steps(*, kind: str, channel: str) -> list[Step]:
    """Steps that may be recorded at all, in the order a clerk performs them; phone call-back is always allowed
    (a clerk may call anyway)."""
    return required_steps(kind=kind, channel=channel, risk_level=RiskLevel.HIGH)


def review_level_needed(risk_level: str) -> ReviewLevel | None:
    return {RiskLevel.MEDIUM: ReviewLevel.OUTLET, RiskLevel.HIGH: ReviewLevel.DISTRICT}.get(RiskLevel(risk_level))


def review_covers(approved: str | None, needed: ReviewLevel | None) -> bool:
    """Whether an approval at level ``approved`` is enough for what the risk needs now."""
    return needed is None or (approved is not None and ReviewLevel(approved).rank >= needed.rank)
