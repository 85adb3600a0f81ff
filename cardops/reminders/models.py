"""Reminder rules as the supervisors set them, their runs, the notifications they made, and the mail outbox.

"Once and only once" is the database's job: a notification is unique per (rule, subject, period, recipient), so
a retry, a run by hand, a re-run for a past date or a second scheduler process cannot notify anybody twice, and a
notification has at most one mail delivery.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from cardops.auth.models import User
from cardops.core.i18n import N_
from cardops.core.timeutil import utcnow
from cardops.extensions import db


class RunStatus(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"


class RunTrigger(enum.StrEnum):
    SCHEDULE = "schedule"  # the scheduler, at the rule's time
    MANUAL = "manual"  # a supervisor's "run now" (page or API)
    CLI = "cli"  # flask reminders run


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by the scheduler, on its way to the SMTP server
    SENT = "sent"
    FAILED = "failed"  # given up: refused for good, out of attempts, or interrupted mid-send


RUN_STATUS_LABELS = {RunStatus.OK: N_("成功"), RunStatus.FAILED: N_("失败")}
RUN_TRIGGER_LABELS = {RunTrigger.SCHEDULE: N_("定时"), RunTrigger.MANUAL: N_("手动"), RunTrigger.CLI: N_("命令行")}
DELIVERY_STATUS_LABELS = {DeliveryStatus.PENDING: N_("待发送"), DeliveryStatus.SENDING: N_("发送中"),
                          DeliveryStatus.SENT: N_("已发送"), DeliveryStatus.FAILED: N_("发送失败")}


class ReminderRule(db.Model):
    """A supervisor's setting of a registered rule. No row: the rule runs enabled on its default schedule."""

    __tablename__ = "reminder_rules"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    schedule: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReminderRun(db.Model):
    """One evaluation of one rule (SPEC §7's run record), whatever started it."""

    __tablename__ = "reminder_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[datetime]  # the moment evaluated (naive UTC)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.OK)
    notified: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    trigger: Mapped[str] = mapped_column(String(10), default=RunTrigger.SCHEDULE)
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    triggered_by: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_reminder_runs_rule_started", "rule", "started_at"),
        Index("ix_reminder_runs_started", "started_at"),
    )


class Notification(db.Model):
    """A message to one user, in-app (and by mail where configured): from a rule run or from an event."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))  # a rule key, or an event (request_reviewed …)
    subject: Mapped[str] = mapped_column(String(64))  # request number, outlet code, trainer id, "district"
    period: Mapped[str] = mapped_column(String(32))  # what makes it once: state, month, date, ISO week …
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))  # a path of this application
    run_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("rule", "subject", "period", "user_id", name="uq_notifications_once"),
        # A user's list, newest first; and the bell's unread count on every page.
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_unread", "user_id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
        Index("ix_notifications_run", "run_id"),
    )


# The bell's number (unread notifications, on the partial index), as a column of the user that loads when asked
# for: every page's signed-in user comes with it (``reminders.feature`` adds it to the session user's statement),
# so the bell costs no statement of its own.
User.unread_notifications = column_property(
    select(func.count()).where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate_except(Notification).scalar_subquery(), deferred=True)


class MailDelivery(db.Model):
    """The outbox: a notification's e-mail, sent by the scheduler after the notification was committed."""

    __tablename__ = "mail_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), unique=True)
    address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    notification: Mapped[Notification] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_mail_deliveries_status_next", "status", "next_attempt_at"),)
