"""The roster operations (SPEC §5.1), for supervisors: appoint a member of an outlet's staff as trainer (which
gives the ``trainer`` role), re-certify, change specialties, suspend and reinstate with a reason. Every change is
audited with its old and new values. Suspension keeps the user and the role: the trainer is simply refused
(403 ``TRAINER_NOT_ACTIVE``) when logging, as after a lapsed certification.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cardops.audit import services as audit
from cardops.auth import services as accounts
from cardops.auth.models import Role
from cardops.core.errors import ValidationError
from cardops.core.timeutil import local_today, utcnow
from cardops.core.validation import MAX_REASON, FieldErrors, text
from cardops.extensions import db
from cardops.training.errors import AlreadyOnRoster
from cardops.training.models import Trainer, TrainerStatus
from cardops.training.permissions import roster_refusal
from cardops.training.validation import (
    check_certification_period,
    parse_date,
    parse_specialties,
    parse_username,
)

# An appointment may be recorded ahead of the day it takes effect, but not by more than a year (a typo).
MAX_DAYS_AHEAD = 366
UPDATABLE = ("certified_until", "specialties", "status")


def _ensure_supervisor(actor) -> None:
    problem = roster_refusal(actor)
    if problem is not None:
        raise problem


def _audit(action: str, actor, entry: Trainer, detail: dict) -> None:
    audit.record(f"training.{action}", actor=actor, object_type="trainer", object_id=entry.id,
                 outlet_id=entry.user.outlet_id, detail=detail)


def appoint(actor, data: dict) -> Trainer:
    """Put a member of an outlet's staff on the roster: ``{username, appointed_on, certified_until,
    specialties[]}`` (``appointed_on`` defaults to today)."""
    _ensure_supervisor(actor)
    errors = FieldErrors()
    user = None
    username = parse_username(data.get("username"), errors, "username")
    if username is not None:
        user = accounts.find_user(username)
        if user is None:
            errors.add("username", f"用户 {username} 不存在")
        elif not user.active:
            errors.add("username", f"用户 {user.username} 已停用")
        elif user.outlet is None:
            errors.add("username", f"{user.username} 不属于任何网点，只能任命网点工作人员为小教员")
        elif db.session.scalar(select(Trainer.id).where(Trainer.user_id == user.id)) is not None:
            raise AlreadyOnRoster(f"{user.display_name}（{user.username}）已在小教员名册上")
    today = local_today()
    raw_appointed_on = data.get("appointed_on")
    appointed_on = parse_date(today if raw_appointed_on in (None, "") else raw_appointed_on, errors,
                              "appointed_on", label="任命日期")
    if appointed_on is not None and appointed_on > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.add("appointed_on", "任命日期不能晚于一年以后")
    certified_until = parse_date(data.get("certified_until"), errors, "certified_until", label="资格有效期")
    check_certification_period(appointed_on, certified_until, errors)
    specialties = parse_specialties(data.get("specialties"), errors)
    errors.raise_if_any()

    entry = Trainer(user_id=user.id, appointed_on=appointed_on, certified_until=certified_until,
                    specialties=specialties, status=TrainerStatus.ACTIVE, appointed_by_id=actor.id,
                    created_at=utcnow(), updated_at=utcnow())
    try:
        # In a savepoint: a concurrent appointment of the same person loses on the unique index, cleanly.
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise AlreadyOnRoster(f"{user.display_name}（{user.username}）已在小教员名册上") from None
    entry.user = user
    accounts.grant_role(actor, user, Role.TRAINER, because="appointed_trainer")
    _audit("trainer_appointed", actor, entry, {
        "username": user.username, "outlet": user.outlet.code, "appointed_on": appointed_on.isoformat(),
        "certified_until": certified_until.isoformat(), "specialties": specialties})
    return entry


def _value(value):
    return value.isoformat() if isinstance(value, date) else value


def update_trainer(actor, entry: Trainer, data: dict) -> Trainer:
    """Any of ``certified_until`` (re-certification), ``specialties``, ``status`` (+ ``reason``, required when the
    status changes)."""
    _ensure_supervisor(actor)
    if not any(name in data for name in UPDATABLE):
        raise ValidationError("请至少修改一项：certified_until、specialties、status")
    errors = FieldErrors()
    wanted: dict = {}
    if "certified_until" in data:
        wanted["certified_until"] = parse_date(data.get("certified_until"), errors, "certified_until",
                                               label="资格有效期")
        check_certification_period(entry.appointed_on, wanted["certified_until"], errors)
    if "specialties" in data:
        wanted["specialties"] = parse_specialties(data.get("specialties"), errors)
    reason = None
    if "status" in data:
        status = data.get("status")
        if not isinstance(status, str) or status not in {s.value for s in TrainerStatus}:
            errors.add("status", "状态应为 active（在册）或 suspended（暂停）")
        elif status != entry.status:
            wanted["status"] = TrainerStatus(status)
            reason = text(data.get("reason"), errors, "reason", label="理由", required=True,
                                max_length=MAX_REASON, multiline=True)
    errors.raise_if_any()

    changes = {name: {"old": _value(getattr(entry, name)), "new": _value(value)}
               for name, value in wanted.items() if value != getattr(entry, name)}
    if not changes:
        return entry
    for name in changes:
        setattr(entry, name, wanted[name])
    if "status" in changes:
        entry.status_reason = reason
    entry.updated_at = utcnow()
    db.session.flush()
    _audit("trainer_updated", actor, entry, {"username": entry.user.username, "changes": changes, "reason": reason})
    return entry
