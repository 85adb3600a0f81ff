"""The anti-impersonation rules of SPEC §3.4 (防冒补规则), registered in ``RULES``.

Each rule's facts are a few indexed look-ups by keyed hash (never a decryption); its decision is a pure function
of those facts and the configured thresholds. A reason is a ``Message``: the Chinese sentence the API answers,
which a page shows in the reader's language. History windows end at the request's own creation and count only
*other* requests created before it, so re-evaluating a request later gives the same answer for its history.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select

from cardops.core.i18n import N_
from cardops.core.messages import Joined, Message
from cardops.extensions import db
from cardops.reissue.models import ReissueRequest
from cardops.reissue.workflow import REISSUED_STATUSES, STEP_LABELS, Channel, Step
from cardops.risk.models import WATCHLIST_REASON_LABELS, WatchlistEntry, WatchlistReason
from cardops.risk.registry import RiskLevel, RuleRegistry

R = ReissueRequest
RULES = RuleRegistry()


# The look-ups run on every intake and check: each statement is written once, here, with named parameters for the
# request's values (``_window``); SQLAlchemy then reuses its compiled form.
EARLIER = (R.id != bindparam("request_id"), R.created_at <= bindparam("window_end"),
           R.created_at >= bindparam("window_start"))  # other requests created within a window before this one
RECENT_REISSUES = select(func.count()).select_from(R).where(
    R.applicant_id_hash == bindparam("id_hash"), R.status.in_(REISSUED_STATUSES), *EARLIER)
SAME_PHONE, SAME_AGENT = (
    select(func.count(func.distinct(R.applicant_id_hash))).where(
        column == bindparam("value"), R.applicant_id_hash != bindparam("id_hash"), *EARLIER)
    for column in (R.applicant_phone_hash, R.agent_id_hash))  # distinct other applicants on earlier requests
LISTED = (select(WatchlistEntry.id_hash, WatchlistEntry.reason)
          .where(WatchlistEntry.id_hash.in_(bindparam("id_hashes", expanding=True)),
                 WatchlistEntry.removed_at.is_(None))
          .order_by(WatchlistEntry.id))


def _window(request, days: int) -> dict:
    end = request.created_at
    return {"request_id": request.id, "window_end": end, "window_start": end - timedelta(days=days)}


def _other_applicants(statement, value: str, request, days: int) -> int:
    return db.session.scalar(statement, {"value": value, "id_hash": request.applicant_id_hash,
                                         **_window(request, days)})


# --- PROXY_APPLICATION ---------------------------------------------------------------------------------------

def is_proxy(request, ctx) -> bool:
    return request.channel == Channel.PROXY


@RULES.rule("PROXY_APPLICATION", N_("代办申请"), facts=is_proxy)
def proxy_application(proxy: bool, ctx):
    return (RiskLevel.MEDIUM, Message(N_("代办申请，须由第二人复核"))) if proxy else None


# --- RECENT_REISSUE ------------------------------------------------------------------------------------------

def recent_reissues(request, ctx) -> int:
    """The applicant's earlier requests that reached production (not cancelled or rejected) in the window."""
    return db.session.scalar(RECENT_REISSUES, {"id_hash": request.applicant_id_hash,
                                               **_window(request, ctx.config["RISK_RECENT_REISSUE_DAYS"])})


@RULES.rule("RECENT_REISSUE", N_("近期补换卡"), facts=recent_reissues)
def recent_reissue(count: int, ctx):
    days = ctx.config["RISK_RECENT_REISSUE_DAYS"]
    reason = Message(N_("申请人近%(days)s天内已补换卡%(count)s次"), days=days, count=count)
    if count >= ctx.config["RISK_RECENT_REISSUE_HIGH"]:
        return RiskLevel.HIGH, reason
    if count >= ctx.config["RISK_RECENT_REISSUE_MEDIUM"]:
        return RiskLevel.MEDIUM, reason
    return None


# --- SHARED_PHONE --------------------------------------------------------------------------------------------

def applicants_sharing_phone(request, ctx) -> int:
    return _other_applicants(SAME_PHONE, request.applicant_phone_hash, request, ctx.config["RISK_SHARED_PHONE_DAYS"])


@RULES.rule("SHARED_PHONE", N_("手机号多人共用"), facts=applicants_sharing_phone)
def shared_phone(others: int, ctx):
    if others >= ctx.config["RISK_SHARED_PHONE_OTHERS"]:
        days = ctx.config["RISK_SHARED_PHONE_DAYS"]
        return RiskLevel.MEDIUM, Message(N_("申请人手机号近%(days)s天已登记在%(others)s名其他申请人的申请上"),
                                         days=days, others=others)
    return None


# --- SERIAL_AGENT --------------------------------------------------------------------------------------------

def agents_other_applicants(request, ctx) -> int:
    if request.channel != Channel.PROXY or not request.agent_id_hash:
        return 0
    return _other_applicants(SAME_AGENT, request.agent_id_hash, request, ctx.config["RISK_SERIAL_AGENT_DAYS"])


@RULES.rule("SERIAL_AGENT", N_("代办人多次代办"), facts=agents_other_applicants)
def serial_agent(others: int, ctx):
    if others >= ctx.config["RISK_SERIAL_AGENT_OTHERS"]:
        days = ctx.config["RISK_SERIAL_AGENT_DAYS"]
        return RiskLevel.HIGH, Message(N_("代办人近%(days)s天已为%(others)s名其他申请人代办"), days=days, others=others)
    return None


# --- WATCHLIST -----------------------------------------------------------------------------------------------

def listed_people(request, ctx) -> dict[str, str]:
    """``{"申请人"|"代办人": watchlist reason}`` for whoever on the request is on the watchlist."""
    people = {request.applicant_id_hash: N_("申请人")}
    if request.agent_id_hash:
        people[request.agent_id_hash] = N_("代办人")
    rows = db.session.execute(LISTED, {"id_hashes": list(people)})
    listed: dict[str, str] = {}
    for id_hash, reason in rows:
        listed.setdefault(people[id_hash], reason)
    return listed


@RULES.rule("WATCHLIST", N_("预警名单"), facts=listed_people)
def watchlist(listed: dict[str, str], ctx):
    if not listed:
        return None
    parts = [Message(N_("%(who)s在预警名单上（%(why)s）"), who=who, why=WATCHLIST_REASON_LABELS[WatchlistReason(why)])
             for who, why in listed.items()]
    return RiskLevel.HIGH, Joined("；", parts)


# --- FAILED_CHECK --------------------------------------------------------------------------------------------

def failed_steps(request, ctx) -> list[str]:
    return [check.step for check in request.checks if check.result == "fail"]


@RULES.rule("FAILED_CHECK", N_("核验未通过"), facts=failed_steps)
def failed_check(failed: list[str], ctx):
    if not failed:
        return None
    names = Joined("、", dict.fromkeys(STEP_LABELS[Step(step)] for step in failed))
    return RiskLevel.HIGH, Message(N_("身份核验“%(steps)s”曾记录为不通过"), steps=names)
