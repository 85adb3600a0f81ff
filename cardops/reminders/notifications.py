"""Notifications (站内通知): writing them once, queueing their mail, and each user reading their own.

``deliver`` writes many at once with ``INSERT … ON CONFLICT DO NOTHING`` on the unique (rule, subject, period,
user) (``bulk``): what is already there stays as it is and is not counted, so a second run — or a second process running
at the same moment — notifies nobody twice. Where mail is configured, each new notification of a user with an
e-mail address gets a pending delivery in the same transaction; the scheduler sends it after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import bindparam, select, update

from cardops.auth.models import User
from cardops.core.errors import NotFound
from cardops.core.timeutil import isoformat_utc, utcnow
from cardops.extensions import db
from cardops.reminders.bulk import insert_deliveries, insert_notifications
from cardops.reminders.models import DeliveryStatus, Notification
from cardops.reminders.registry import Notice


def deliver(notices: Iterable[Notice], *, run_id: int | None = None) -> int:
    """Write each notice to each of its recipients once; returns how many notifications are new."""
    now = utcnow()
    rows = [{"user_id": user_id, "rule": n.rule, "subject": n.subject, "period": n.period,
             "title": n.message.title[:200], "body": n.message.body, "link": n.message.link, "run_id": run_id,
             "created_at": now}
            for n in notices for user_id in sorted(n.recipients)]
    created = insert_notifications(rows)
    if created:
        _queue_mail(created, now)
    return len(created)


def _queue_mail(created: list[tuple[int, int]], now) -> None:
    if not current_app.config.get("MAIL_SERVER"):
        return
    user_ids = {user_id for _, user_id in created}
    addresses = dict(db.session.execute(
        select(User.id, User.email).where(User.id.in_(user_ids), User.email.is_not(None), User.active.is_(True))).all())
    rows = [{"notification_id": notification_id, "address": addresses[user_id], "status": DeliveryStatus.PENDING,
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for notification_id, user_id in created if addresses.get(user_id)]
    insert_deliveries(rows)


# --- a user's own notifications ----------------------------------------------------------------------------

def own(actor, *, unread_only: bool = False):
    stmt = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


# Counted now (the notifications page, the API): the same figure as the bell's (``User.unread_notifications``).
UNREAD_COUNT = select(User.unread_notifications).where(User.id == bindparam("user_id"))


def unread_count(actor) -> int:
    return db.session.scalar(UNREAD_COUNT, {"user_id": actor.id}) or 0


def get_own_or_404(actor, notification_id) -> Notification:
    """Another user's notification is simply not found."""
    found = db.session.scalars(select(Notification).where(Notification.id == notification_id,
                                                          Notification.user_id == actor.id)).first()
    if found is None:
        raise NotFound()
    return found


def mark_read(actor, notification_id) -> Notification:
    notification = get_own_or_404(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(actor) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def notification_to_dict(notification: Notification) -> dict:
    return {"id": notification.id, "rule": notification.rule, "title": notification.title,
            "body": notification.body, "link": notification.link,
            "created_at": isoformat_utc(notification.created_at), "read_at": isoformat_utc(notification.read_at)}
