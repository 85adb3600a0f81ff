"""Valid case bodies for the case-library tests."""

from __future__ import annotations

from cardops.core.timeutil import local_today

NARRATIVE = ("上午十点，一名男子持一位老人的身份证原件到窗口代办挂失补卡，称老人行动不便。受理员比对发现证件照片与"
             "系统留存照片差异明显，按规定电话回访登记手机，接电话的家属称老人已于上月去世。受理员当即停止办理并报告督导。")
LESSONS = "代办补卡必须核验授权委托书并电话回访；照片存疑时宁可多问一句。"


def case_body(**overrides) -> dict:
    body = {"title": "识破持已故老人证件代办补卡", "occurred_on": local_today().isoformat(),
            "category": "fraud_prevented", "narrative": NARRATIVE, "lessons": LESSONS}
    body.update(overrides)
    return body
