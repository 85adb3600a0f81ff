"""The refusals of the case library and the annual selection, each with the SPEC's code and HTTP status.

A move the current state does not allow is the reissue flow's ``InvalidTransition`` (409 INVALID_TRANSITION)."""

from cardops.core.errors import Conflict, Forbidden
from cardops.core.i18n import N_
from cardops.reissue.errors import InvalidTransition

__all__ = ["CaseChanged", "ConflictOfInterest", "InvalidTransition", "NotNominated", "NothingToSelect",
           "ScoresIncomplete", "SelectionFinal"]


class CaseChanged(Conflict):
    code, default_message = "CONFLICT", N_("该案例刚被他人修改或处理，请刷新页面后查看最新内容")


class NotNominated(Conflict):
    code, default_message = "NOT_NOMINATED", N_("该案例未被提名参加该年度评选")


class SelectionFinal(Conflict):
    code, default_message = "SELECTION_FINAL", N_("该年度评选已定稿，不能再更改")


class ScoresIncomplete(Conflict):
    code, default_message = "SCORES_INCOMPLETE", N_("还有提名案例没有任何评分，不能定稿")


class NothingToSelect(Conflict):
    code, default_message = "NOTHING_TO_SELECT", N_("该年度没有提名案例，无可评选")


class ConflictOfInterest(Forbidden):
    code, default_message = "CONFLICT_OF_INTEREST", N_("您是该案例的撰写人，须回避评分")
