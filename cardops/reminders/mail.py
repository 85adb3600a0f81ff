"""E-mail from the outbox (``mail_deliveries``), sent by the scheduler's leader, never inside a web request.

Each round: claim what is due (``pending`` → ``sending``, committed before anything is sent), send it over one SMTP
connection, record each outcome at once. A temporary failure (a 4xx answer, no connection) is tried again after
``MAIL_RETRY_SECONDS``, then twice, four times as long … up to ``MAIL_MAX_ATTEMPTS``; a permanent refusal (5xx)
is not. A mail claimed but never recorded (the process died mid-send) is given up, not sent again: the server
may already have it, and a notification never goes twice.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from cardops.auth.models import User
from cardops.core.timeutil import to_local, utcnow
from cardops.core.urls import public_address
from cardops.extensions import db
from cardops.reminders.links import path_for
from cardops.reminders.models import DeliveryStatus, MailDelivery, Notification

log = logging.getLogger("cardops.reminders.mail")

BATCH = 50
MAX_BACKOFF = timedelta(hours=1)
INTERRUPTED_AFTER = timedelta(minutes=10)
SUBJECT_PREFIX = "【社保卡补换卡管理】"
_ID_RUN = re.compile(r"\d{17}[\dXx]")


@dataclass
class Round:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _mask_id_runs(text: str) -> str:
    """A last guard: messages never carry an ID number, and a mail would not either if one ever slipped in."""
    return _ID_RUN.sub(lambda m: m.group(0)[:6] + "********" + m.group(0)[-4:], text)


def compose(delivery: MailDelivery, recipient_name: str) -> EmailMessage:
    config = current_app.config
    notification = delivery.notification
    link = public_address(notification.link) if notification.link else None
    inbox = public_address(path_for("reminders.notifications_page"))
    lines = [f"{recipient_name}：", "", notification.body, ""]
    if link:
        lines += [f"查看详情：{link}", ""]
    sent = to_local(notification.created_at)
    lines += ["—", f"此邮件由社保卡补换卡管理系统于 {sent:%Y-%m-%d %H:%M} 自动发送，请勿回复。"]
    if inbox:
        lines.append(f"登录系统查看全部通知：{inbox}")
    message = EmailMessage()
    message["Subject"] = _mask_id_runs(SUBJECT_PREFIX + notification.title)
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((recipient_name, delivery.address))
    message["Message-ID"] = make_msgid(idstring=f"notification-{notification.id}", domain="cardops.local")
    message["X-Cardops-Notification"] = str(notification.id)
    message.set_content(_mask_id_runs("\n".join(lines)), charset="utf-8")
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    if config.get("MAIL_USE_SSL"):
        server = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            server.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return server


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "收件人被拒绝：" + "; ".join(f"{code} {text!r}" for code, text in error.recipients.values())[:400]
    return f"{type(error).__name__}: {error}"[:500]


def _record_failure(delivery: MailDelivery, error: Exception) -> None:
    """Retry later, or give up (a permanent refusal, or out of attempts)."""
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    delivery.last_error = _error_text(error)
    delivery.claimed_at = None
    if _is_permanent(error) or delivery.attempts >= max_attempts:
        delivery.status = DeliveryStatus.FAILED
        return
    wait = timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"]) * 2 ** (delivery.attempts - 1)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow() + min(wait, MAX_BACKOFF)


def _give_up_interrupted() -> None:
    db.session.execute(
        update(MailDelivery)
        .where(MailDelivery.status == DeliveryStatus.SENDING, MailDelivery.claimed_at < utcnow() - INTERRUPTED_AFTER)
        .values(status=DeliveryStatus.FAILED, claimed_at=None,
                last_error="发送过程中断（进程退出），服务器可能已收到，为避免重复发送不再重试")
        .execution_options(synchronize_session=False))


def _claim(limit: int) -> list[int]:
    now = utcnow()
    due = select(MailDelivery.id).where(MailDelivery.status == DeliveryStatus.PENDING,
                                        MailDelivery.next_attempt_at <= now).order_by(MailDelivery.next_attempt_at,
                                                                                       MailDelivery.id).limit(limit)
    claimed = db.session.execute(
        update(MailDelivery).where(MailDelivery.id.in_(due.scalar_subquery()),
                                   MailDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=MailDelivery.attempts + 1)
        .returning(MailDelivery.id).execution_options(synchronize_session=False)).scalars().all()
    db.session.commit()  # claimed before anything is sent: a second sender would not pick these up
    return list(claimed)


def send_due_mail(limit: int = BATCH) -> Round:
    """One round of the outbox (the scheduler's ``mail_outbox`` job). Commits as it goes."""
    done = Round()
    if not current_app.config.get("MAIL_SERVER"):
        return done
    _give_up_interrupted()
    claimed = _claim(limit)
    if not claimed:
        return done
    deliveries = db.session.scalars(
        select(MailDelivery).where(MailDelivery.id.in_(claimed))
        .options(joinedload(MailDelivery.notification).joinedload(Notification.user).load_only(User.display_name))
        .order_by(MailDelivery.id).execution_options(populate_existing=True)).all()  # as just claimed
    try:
        server = _connect()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail server %s unreachable: %s", current_app.config["MAIL_SERVER"], error)
        for delivery in deliveries:
            _record_failure(delivery, error)
        _count(done, [_outcome(d) for d in deliveries])
        db.session.commit()
        return done
    try:
        for delivery in deliveries:
            try:
                server.send_message(compose(delivery, delivery.notification.user.display_name))
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(delivery, error)
                log.warning("mail %s to %s: %s (%s)", delivery.id, delivery.address, error, delivery.status)
            else:
                delivery.status, delivery.sent_at, delivery.claimed_at = DeliveryStatus.SENT, utcnow(), None
                delivery.last_error = None
            _count(done, [_outcome(delivery)])
            db.session.commit()  # each outcome at once: a crash later must not make this one look unsent
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return done


def _outcome(delivery: MailDelivery) -> str:
    return {DeliveryStatus.SENT: "sent", DeliveryStatus.PENDING: "retrying"}.get(delivery.status, "failed")


def _count(done: Round, outcomes: list[str]) -> None:
    for outcome in outcomes:
        setattr(done, outcome, getattr(done, outcome) + 1)
