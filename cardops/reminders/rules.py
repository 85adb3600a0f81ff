"""The six rules of SPEC §7. Each is one registered class; see ``registry.py`` for what a rule answers.

Messages are plain Chinese with the applicant's name masked (they also travel by e-mail); no ID number or phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from cardops.auth.models import User
from cardops.core.i18n import N_
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue import deadlines
from cardops.reissue.models import ReissueRequest as R
from cardops.reissue.workflow import Status
from cardops.reminders.digest import WeekFigures, week_figures
from cardops.reminders.links import path_for
from cardops.reminders.recipients import ids
from cardops.reminders.registry import RULES, Message, ReminderRule, RuleContext
from cardops.reminders.wording import request_link, request_summary, when
from cardops.risk.registry import RISK_LABELS
from cardops.training.models import Trainer, TrainerStatus
from cardops.training.queries import last_warning_education

# Pages of the training feature a rule links to, by the endpoint names it may use (the first one served wins).


def _request_columns():
    return (load_only(R.id, R.number, R.outlet_id, R.kind, R.status, R.risk_level, R.applicant_name,
                      R.created_by_id, R.created_at, R.status_changed_at, R.arrived_at),
            joinedload(R.outlet))


@RULES.register
class StaleRequests(ReminderRule):
    key = "stale_requests"
    name = N_("超时未办结的申请")
    schedule = "30 8 * * 1-5"
    fires_for = N_("受理中或待复核超过2个工作日的申请；受理中通知本网点受理员，待复核通知有权复核的人")

    def subjects(self, ctx: RuleContext):
        stmt = select(R).where(deadlines.stale(ctx.as_of)).options(*_request_columns()).order_by(R.id)
        return db.session.scalars(stmt).all()

    def subject_key(self, request) -> str:
        return request.number

    def period(self, request, ctx: RuleContext) -> str:
        return request.status  # once in intake, once more if it then waits too long for review

    def recipients(self, request, ctx: RuleContext):
        if request.status == Status.INTAKE:
            return ids(ctx.staff.clerks_of(request.outlet_id))
        return ids(ctx.staff.reviewers_of(request))

    def message(self, request, ctx: RuleContext) -> Message:
        days = deadlines.stale_working_days()
        since = when(deadlines.entered_state_at(request))
        where = f"{request.outlet.code} {request.outlet.name}"
        if request.status == Status.INTAKE:
            return Message(
                f"申请 {request.number} 受理后超过{days}个工作日仍未提交",
                f"{where}的申请 {request.number}（{request_summary(request)}）自 {since} 起处于“受理中”，"
                f"已超过{days}个工作日。请尽快完成身份核验并提交；如申请人不再办理，请撤销申请并写明理由。",
                request_link(request))
        return Message(
            f"申请 {request.number} 等待复核超过{days}个工作日",
            f"{where}的申请 {request.number}（{request_summary(request)}，{RISK_LABELS.get(request.risk_level, '')}）"
            f"自 {since} 起等待复核，已超过{days}个工作日。请尽快复核（通过或驳回）。",
            request_link(request))


class _Uncollected(ReminderRule):
    """A new card ``ready`` at the outlet for ``days`` days or more; the outlet's clerks hear, once per request."""

    days_setting: str
    default_days: int

    def days(self, ctx: RuleContext) -> int:
        return ctx.config.get(self.days_setting, self.default_days)

    def subjects(self, ctx: RuleContext):
        stmt = (select(R).where(deadlines.uncollected(ctx.as_of, self.days(ctx)))
                .options(*_request_columns()).order_by(R.id))
        return db.session.scalars(stmt).all()

    def subject_key(self, request) -> str:
        return request.number

    def period(self, request, ctx: RuleContext) -> str:
        return "ready"  # a card arrives once: once per request

    def recipients(self, request, ctx: RuleContext):
        return ids(ctx.staff.clerks_of(request.outlet_id))

    def waited(self, request, ctx: RuleContext) -> int:
        return (ctx.as_of - request.arrived_at).days


@RULES.register
class UncollectedCall(_Uncollected):
    key = "uncollected_30"
    name = N_("新卡待领取满30天")
    schedule = "0 9 * * 1-5"
    fires_for = N_("新卡到达网点满30天仍未领取；通知本网点受理员电话联系持卡人")
    days_setting, default_days = "UNCOLLECTED_DAYS", 30

    def message(self, request, ctx: RuleContext) -> Message:
        return Message(
            f"新卡到达满{self.days(ctx)}天未领取：{request.number}",
            f"申请 {request.number}（{request_summary(request)}）的新卡于 {when(request.arrived_at)} 到达"
            f"{request.outlet.name}，已 {self.waited(request, ctx)} 天未领取。请电话联系持卡人尽快凭受理回执领取。",
            request_link(request))


@RULES.register
class UncollectedReturn(_Uncollected):
    key = "uncollected_180"
    name = N_("新卡待领取满180天")
    schedule = "0 9 * * 1-5"
    fires_for = N_("新卡到达网点满180天仍未领取；通知本网点受理员办理退回市卡中心")
    days_setting, default_days = "UNCOLLECTED_RETURN_DAYS", 180

    def message(self, request, ctx: RuleContext) -> Message:
        return Message(
            f"新卡待领取满{self.days(ctx)}天，建议退回：{request.number}",
            f"申请 {request.number}（{request_summary(request)}）的新卡于 {when(request.arrived_at)} 到达"
            f"{request.outlet.name}，已 {self.waited(request, ctx)} 天未领取。"
            f"请在申请页面选择“退回市卡中心”并填写理由，将新卡退回市卡中心。",
            request_link(request))


@dataclass(frozen=True)
class OutletMonth:
    outlet: Outlet
    last_session: date | None


@RULES.register
class NoWarningEducation(ReminderRule):
    key = "no_warning_education"
    name = N_("本月未开展警示教育")
    schedule = "0 9 20 * *"
    fires_for = N_("本月尚未在本网点开展警示教育的网点；通知该网点的小教员和督导")

    def subjects(self, ctx: RuleContext):
        outlets = db.session.scalars(select(Outlet).where(Outlet.active.is_(True)).order_by(Outlet.code)).all()
        latest = last_warning_education([o.id for o in outlets], on_or_before=ctx.today)
        month_start = ctx.today.replace(day=1)
        return [OutletMonth(o, latest.get(o.id)) for o in outlets
                if latest.get(o.id) is None or latest[o.id] < month_start]

    def subject_key(self, subject: OutletMonth) -> str:
        return subject.outlet.code

    def period(self, subject: OutletMonth, ctx: RuleContext) -> str:
        return f"{ctx.today:%Y-%m}"

    def recipients(self, subject: OutletMonth, ctx: RuleContext):
        return ids([*ctx.staff.trainers_of(subject.outlet.id), *ctx.staff.supervisors])

    def message(self, subject: OutletMonth, ctx: RuleContext) -> Message:
        outlet, today = subject.outlet, ctx.today
        last = subject.last_session.isoformat() if subject.last_session else "无记录"
        return Message(
            f"{outlet.code} {outlet.name}本月尚未开展警示教育",
            f"截至 {today:%Y-%m-%d}，{outlet.name}本月（{today.year}年{today.month}月）尚未登记在本网点开展的"
            f"警示教育培训（上一次：{last}）。请小教员在月底前安排，并在系统中登记培训记录。",
            path_for("training.sessions", outlet_code=outlet.code, kind="warning_education"))


@RULES.register
class CertificationExpiring(ReminderRule):
    key = "certification_expiring"
    name = N_("小教员资格即将到期")
    schedule = "0 9 * * 1"
    fires_for = N_("在册小教员的资格有效期在30天内到期；通知本人和督导")

    def horizon(self, ctx: RuleContext) -> int:
        return ctx.config.get("CERTIFICATION_EXPIRY_DAYS", 30)

    def subjects(self, ctx: RuleContext):
        until = ctx.today + timedelta(days=self.horizon(ctx))
        stmt = (select(Trainer).where(Trainer.status == TrainerStatus.ACTIVE,
                                      Trainer.certified_until.between(ctx.today, until))
                .options(joinedload(Trainer.user).joinedload(User.outlet))
                .order_by(Trainer.certified_until, Trainer.id))
        return db.session.scalars(stmt).all()

    def subject_key(self, trainer: Trainer) -> str:
        return trainer.user.username

    def period(self, trainer: Trainer, ctx: RuleContext) -> str:
        return trainer.certified_until.isoformat()  # a renewed certification may expire (and notify) again

    def recipients(self, trainer: Trainer, ctx: RuleContext):
        himself = [trainer.user] if ctx.staff.is_active(trainer.user_id) else []
        return ids([*himself, *ctx.staff.supervisors])

    def message(self, trainer: Trainer, ctx: RuleContext) -> Message:
        user = trainer.user
        outlet = f"{user.outlet.code} {user.outlet.name}" if user.outlet else "—"
        left = (trainer.certified_until - ctx.today).days
        return Message(
            f"小教员资格即将到期：{user.display_name}（{user.outlet.code if user.outlet else '—'}）",
            f"小教员 {user.display_name}（{outlet}）的资格有效期至 {trainer.certified_until:%Y-%m-%d}，"
            f"还有 {left} 天到期；到期后不能再登记培训。请督导安排复训认证，并在小教员名册中更新有效期。",
            path_for("training.trainer", trainer_id=trainer.id))


@RULES.register
class WeeklyDigest(ReminderRule):
    key = "weekly_digest"
    name = N_("每周汇总")
    schedule = "0 8 * * 1"
    fires_for = N_("上一周各网点的受理、复核、超时和待领取情况；发给督导")

    def subjects(self, ctx: RuleContext):
        return [week_figures(ctx.as_of)]

    def subject_key(self, week: WeekFigures) -> str:
        return "district"

    def period(self, week: WeekFigures, ctx: RuleContext) -> str:
        year, number, _ = week.start.isocalendar()
        return f"{year}-W{number:02d}"

    def recipients(self, week: WeekFigures, ctx: RuleContext):
        return ids(ctx.staff.supervisors)

    def message(self, week: WeekFigures, ctx: RuleContext) -> Message:
        year, number, _ = week.start.isocalendar()
        return Message(f"每周汇总：{year}年第{number}周（{week.start:%m月%d日}–{week.end:%m月%d日}）",
                       week.as_text(),
                       path_for("dashboard.index", period="custom", **{"from": week.start.isoformat(),
                                                                       "to": week.end.isoformat()}))
