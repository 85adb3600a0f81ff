"""The reissue workflow's refusals, each with the SPEC's code and HTTP status."""

from cardops.core.errors import Conflict, DomainError, Forbidden
from cardops.core.i18n import N_


class InvalidTransition(Conflict):
    code, default_message = "INVALID_TRANSITION", N_("当前状态下不能执行此操作")


class ConcurrentUpdate(Conflict):
    code, default_message = "CONFLICT", N_("该申请刚被他人处理，请刷新页面后查看最新状态")


class OpenRequestExists(Conflict):
    code, default_message = "OPEN_REQUEST_EXISTS", N_("该申请人已有一笔未办结的申请")


class ChecksIncomplete(DomainError):
    code, status, default_message = "CHECKS_INCOMPLETE", 422, N_("身份核验未完成或未通过，不能提交")


class CheckNotApplicable(DomainError):
    code, status, default_message = "CHECK_NOT_APPLICABLE", 422, N_("该核验项不适用于此申请")


class PickupTokenInvalid(DomainError):
    code, status, default_message = "PICKUP_TOKEN_INVALID", 422, N_("取卡码无效或与该申请不符")


class CollectorMismatch(DomainError):
    code, status, default_message = "COLLECTOR_MISMATCH", 422, N_("领取人身份与申请人（或登记的代办人）不符")


class SelfReviewForbidden(Forbidden):
    code, default_message = "SELF_REVIEW_FORBIDDEN", N_("受理人不能复核自己受理的申请")


class ReauthenticationRequired(Forbidden):
    code, default_message = "REAUTH_REQUIRED", N_("审批高风险申请须再次输入您的登录密码")


class ReprintPending(Conflict):
    code, default_message = "REPRINT_PENDING", N_("该申请已有一份待批准的回执补打申请")


class HolderMismatch(DomainError):
    code, status, default_message = "HOLDER_MISMATCH", 422, N_("持证人身份与申请人（或登记的代办人）不符")
