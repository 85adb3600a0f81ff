"""What the home page's training panels show each role (``HomePanel`` contexts): only figures that exist."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.training.models import Trainer, TrainerStatus
from cardops.training.queries import last_warning_education, roster_entry, sessions_led
from cardops.training.serializers import EXPIRING_DAYS, certification_state
from cardops.training.summary import people_figures


def supervisor_panel(actor) -> dict:
    today = local_today()
    counts = dict(db.session.execute(select(Trainer.status, func.count()).group_by(Trainer.status)).all())
    expiring = db.session.scalar(select(func.count()).select_from(Trainer).where(
        Trainer.status == TrainerStatus.ACTIVE, Trainer.certified_until >= today,
        Trainer.certified_until <= today + timedelta(days=EXPIRING_DAYS)))
    lapsed = db.session.scalar(select(func.count()).select_from(Trainer).where(
        Trainer.status == TrainerStatus.ACTIVE, Trainer.certified_until < today))
    latest = last_warning_education()
    first_of_month = today.replace(day=1)
    codes = dict(db.session.execute(select(Outlet.id, Outlet.code).where(Outlet.id.in_(list(latest)))).all())
    missing = sorted(codes[oid] for oid, day in latest.items() if day is None or day < first_of_month)
    return {"active": counts.get(TrainerStatus.ACTIVE, 0), "suspended": counts.get(TrainerStatus.SUSPENDED, 0),
            "expiring": expiring or 0, "lapsed": lapsed or 0, "without_warning_education": missing}


def trainer_panel(actor) -> dict:
    today = local_today()
    entry = roster_entry(actor.id)
    last = last_warning_education([actor.outlet_id]).get(actor.outlet_id) if actor.outlet_id else None
    return {"entry": entry, "certification": certification_state(entry, today) if entry else None,
            "may_log": bool(entry and entry.may_train_on(today)),
            "sessions_this_year": sessions_led([actor.id], today.year).get(actor.id, 0),
            "last_warning_education": last,
            "warning_education_this_month": bool(last and last >= today.replace(day=1))}


def clerk_panel(actor) -> dict:
    today = local_today()
    return {"figures": people_figures([actor], today.year, today)[0]}
