"""The rules of SPEC §3.4. Each is a few indexed look-ups by keyed hash (never a decryption).

History windows end at the request's own creation and count only *other* requests created before it, so
re-evaluating a request later gives the same answer for its history.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from sqlalchemy import and_, bindparam, func, select

from cardops.extensions import db
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import REISSUED_STATUSES, STEP_LABELS, Channel, RiskLevel, Step
from cardops.risk.models import WATCHLIST_REASON_LABELS, WatchlistEntry, WatchlistReason
from cardops.risk.registry import rule

R = ReissueRequest


# The statements run on every intake and check: built once, with the request's values as parameters.

def _earlier():
    """Criteria for other requests created within a window before this one (see ``_window``)."""
    return and_(R.id != bindparam("request_id"), R.created_at <= bindparam("window_end"),
                R.created_at >= bindparam("window_start"))


def _window(request, days: int) -> dict:
    end = request.created_at
    return {"request_id": request.id, "window_end": end, "window_start": end - timedelta(days=days)}


@functools.cache
def _recent_reissues():
    return select(func.count()).select_from(R).where(
        R.applicant_id_hash == bindparam("id_hash"), _earlier(), R.status.in_(REISSUED_STATUSES))


@functools.cache
def _other_applicants_on(column_name: str):
    return select(func.count(func.distinct(R.applicant_id_hash))).where(
        getattr(R, column_name) == bindparam("value"), _earlier(), R.applicant_id_hash != bindparam("id_hash"))


@functools.cache
def _listed():
    return (select(WatchlistEntry.id_hash, WatchlistEntry.reason)
            .where(WatchlistEntry.id_hash.in_(bindparam("id_hashes", expanding=True)),
                   WatchlistEntry.removed_at.is_(None))
            .order_by(WatchlistEntry.id))


@rule("PROXY_APPLICATION", "代办申请")
def proxy_application(request, ctx):
    if request.channel == Channel.PROXY:
        return RiskLevel.MEDIUM, "代办申请，须由第二人复核"
    return None


@rule("RECENT_REISSUE", "近期补换卡")
def recent_reissue(request, ctx):
    days = ctx.config["RISK_RECENT_REISSUE_DAYS"]
    count = db.session.scalar(_recent_reissues(), {"id_hash": request.applicant_id_hash, **_window(request, days)})
    if count >= ctx.config["RISK_RECENT_REISSUE_HIGH"]:
        return RiskLevel.HIGH, f"申请人近{days}天内已补换卡{count}次"
    if count >= ctx.config["RISK_RECENT_REISSUE_MEDIUM"]:
        return RiskLevel.MEDIUM, f"申请人近{days}天内已补换卡{count}次"
    return None


def _other_applicants(column_name: str, value: str, request, days: int) -> int:
    """Distinct applicants other than this one on earlier requests with ``column == value`` in the window."""
    return db.session.scalar(_other_applicants_on(column_name),
                             {"value": value, "id_hash": request.applicant_id_hash, **_window(request, days)})


@rule("SHARED_PHONE", "手机号多人共用")
def shared_phone(request, ctx):
    days = ctx.config["RISK_SHARED_PHONE_DAYS"]
    others = _other_applicants("applicant_phone_hash", request.applicant_phone_hash, request, days)
    if others >= ctx.config["RISK_SHARED_PHONE_OTHERS"]:
        return RiskLevel.MEDIUM, f"申请人手机号近{days}天已登记在{others}名其他申请人的申请上"
    return None


@rule("SERIAL_AGENT", "代办人多次代办")
def serial_agent(request, ctx):
    if request.channel != Channel.PROXY or not request.agent_id_hash:
        return None
    days = ctx.config["RISK_SERIAL_AGENT_DAYS"]
    others = _other_applicants("agent_id_hash", request.agent_id_hash, request, days)
    if others >= ctx.config["RISK_SERIAL_AGENT_OTHERS"]:
        return RiskLevel.HIGH, f"代办人近{days}天已为{others}名其他申请人代办"
    return None


@rule("WATCHLIST", "预警名单")
def watchlist(request, ctx):
    people = {request.applicant_id_hash: "申请人"}
    if request.agent_id_hash:
        people[request.agent_id_hash] = "代办人"
    rows = db.session.execute(_listed(), {"id_hashes": list(people)}).all()
    if not rows:
        return None
    listed = {}
    for id_hash, reason in rows:
        listed.setdefault(people[id_hash], WATCHLIST_REASON_LABELS[WatchlistReason(reason)])
    parts = [f"{who}在预警名单上（{why}）" for who, why in listed.items()]
    return RiskLevel.HIGH, "；".join(parts)


@rule("FAILED_CHECK", "核验未通过")
def failed_check(request, ctx):
    failed = [check.step for check in request.checks if check.result == "fail"]
    if not failed:
        return None
    names = "、".join(dict.fromkeys(STEP_LABELS[Step(step)] for step in failed))
    return RiskLevel.HIGH, f"身份核验“{names}”曾记录为不通过"

