"""E-mail through a real SMTP server (aiosmtpd, started by the tests): queued with the notification, sent by the
scheduler's job after the commit, retried with back-off, recorded, never twice, no full ID number."""

from __future__ import annotations

import collections
import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from cardops.core.registry import contributions
from cardops.core.timeutil import clock_at, utcnow
from cardops.extensions import db
from cardops.reminders.mail import send_due_mail
from cardops.reminders.models import DeliveryStatus, MailDelivery
from tests.guards import ID_RUN
from tests.reminders.conftest import made_at, notified, run

PUBLIC = "https://cardops.putuo.example.gov.cn"


class Inbox:
    """An aiosmtpd handler keeping what it accepted; ``answers`` are replies to give to the next RCPTs instead."""

    def __init__(self):
        self.messages = []
        self.answers = collections.deque()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.answers:
            return self.answers.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mail_on(app, inbox):
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_BASE_URL", "MAIL_MAX_ATTEMPTS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, PUBLIC_BASE_URL=PUBLIC + "/")
    yield inbox
    app.config.update(saved)


@pytest.fixture
def addressed(staff):
    staff["clerk"].email = "clerk.a@putuo.example.gov.cn"
    staff["trainer"].email = "trainer.a@putuo.example.gov.cn"
    db.session.commit()
    return staff


def deliveries() -> list[MailDelivery]:
    return list(db.session.scalars(select(MailDelivery).order_by(MailDelivery.id)))


def stale_request(staff):
    request = made_at("2026-11-02 09:00", "intake", staff["clerk"], staff["supervisor"],
                      applicant={"id_number": "11010519491231002X", "name": "欧阳娜娜", "phone": "13912345678"})
    run("stale_requests", "2026-11-20")
    db.session.commit()  # the notifications (and their deliveries) are committed by the run's caller
    return request


def test_each_notification_goes_to_recipients_with_an_address(mail_on, addressed):
    request = stale_request(addressed)
    queued = deliveries()
    assert sorted(d.address for d in queued) == ["clerk.a@putuo.example.gov.cn", "trainer.a@putuo.example.gov.cn"]
    assert {d.status for d in queued} == {DeliveryStatus.PENDING} and mail_on.messages == []  # nothing sent yet
    done = send_due_mail()
    assert (done.sent, done.retrying, done.failed) == (2, 0, 0)
    assert {d.status for d in deliveries()} == {DeliveryStatus.SENT}
    message = next(m for m in mail_on.messages if "clerk.a@" in m["To"])
    assert request.number in message["Subject"] and "社保卡补换卡管理" in message["Subject"]
    body = message.get_content()
    assert f"{PUBLIC}/requests/{request.number}" in body  # the configured address, never a request's Host
    assert f"{PUBLIC}/notifications" in body
    assert "受理员甲" in body and "欧**娜" in body
    shown = message["Subject"] + message["To"] + body  # decoded, as the recipient reads it
    assert not ID_RUN.search(shown.replace("\n", "")) and "13912345678" not in shown and "欧阳娜娜" not in shown


def test_a_notification_is_never_mailed_twice(mail_on, addressed):
    stale_request(addressed)
    send_due_mail()
    assert send_due_mail().sent == 0
    run("stale_requests", "2026-11-21")  # the rule again: no new notification, no new mail
    db.session.commit()
    assert send_due_mail().sent == 0 and len(mail_on.messages) == 2


def test_without_a_mail_server_nothing_is_queued(app, addressed):
    assert not app.config.get("MAIL_SERVER")
    stale_request(addressed)
    assert notified("stale_requests") and deliveries() == []
    assert send_due_mail().sent == 0


def test_a_temporary_refusal_is_retried_with_back_off(mail_on, addressed):
    addressed["trainer"].email = None
    stale_request(addressed)
    mail_on.answers.append("451 4.3.0 Mailbox temporarily unavailable")
    before = utcnow()
    done = send_due_mail()
    assert done.retrying == 1 and mail_on.messages == []
    [delivery] = deliveries()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1 and "451" in delivery.last_error
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=55) <= wait <= timedelta(seconds=65)  # MAIL_RETRY_SECONDS
    assert send_due_mail().sent == 0  # not due yet
    mail_on.answers.append("451 4.3.0 Still busy")
    second_try = delivery.next_attempt_at + timedelta(seconds=1)
    with clock_at(second_try):
        assert send_due_mail().retrying == 1
    db.session.refresh(delivery)
    assert delivery.attempts == 2 and delivery.next_attempt_at == second_try + timedelta(seconds=120)  # twice as long
    with clock_at(delivery.next_attempt_at + timedelta(seconds=1)):
        assert send_due_mail().sent == 1
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3 and delivery.last_error is None
    assert len(mail_on.messages) == 1


def test_a_permanent_refusal_is_not_retried(mail_on, addressed):
    addressed["trainer"].email = None
    stale_request(addressed)
    mail_on.answers.append("550 5.1.1 No such user")
    assert send_due_mail().failed == 1
    [delivery] = deliveries()
    assert delivery.status == DeliveryStatus.FAILED and "550" in delivery.last_error
    with clock_at(utcnow() + timedelta(days=1)):
        assert send_due_mail().sent == 0
    assert mail_on.messages == []


def test_an_unreachable_server_is_retried_then_given_up(app, mail_on, addressed):
    addressed["trainer"].email = None
    stale_request(addressed)
    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)  # nobody listens there
    assert send_due_mail().retrying == 1
    [delivery] = deliveries()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_error
    with clock_at(delivery.next_attempt_at + timedelta(seconds=1)):
        assert send_due_mail().failed == 1
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2


def test_a_send_interrupted_by_a_crash_is_given_up_not_repeated(mail_on, addressed):
    addressed["trainer"].email = None
    stale_request(addressed)
    [delivery] = deliveries()
    delivery.status, delivery.claimed_at, delivery.attempts = DeliveryStatus.SENDING, utcnow(), 1
    db.session.commit()  # as a scheduler killed in the middle of the SMTP conversation leaves it
    assert send_due_mail().sent == 0
    with clock_at(utcnow() + timedelta(minutes=11)):
        send_due_mail()
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED and "中断" in delivery.last_error
    assert mail_on.messages == []


def test_an_event_notification_is_mailed_by_the_scheduler_not_by_the_web_request(mail_on, as_, addressed):
    from tests.reminders.test_events import _pending

    request = _pending(addressed["clerk"])
    db.session.commit()
    response = as_(addressed["clerk2"]).post(f"/api/v1/requests/{request.number}/review", json={"decision": "approve"})
    assert response.status_code == 200
    assert mail_on.messages == [] and [d.status for d in deliveries()] == [DeliveryStatus.PENDING]
    send_due_mail()
    assert len(mail_on.messages) == 1 and "复核通过" in mail_on.messages[0]["Subject"]


def test_the_outbox_is_a_job_of_the_scheduler(app):
    [job] = [job for job in contributions(app).jobs if job.key == "mail_outbox"]
    assert job.trigger.interval <= timedelta(seconds=60)  # within a minute of the commit
