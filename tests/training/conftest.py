"""Fixtures of the training tests: appointed trainers at PT01 and PT02, library and draft cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cardops.cases.models import Case
from cardops.core.timeutil import local_today
from cardops.extensions import db
from cardops.training import roster


def appoint(supervisor, user, *, until_days: int = 365, appointed_days_ago: int = 200, specialties=None):
    today = local_today()
    entry = roster.appoint(supervisor, {
        "username": user.username, "appointed_on": (today - timedelta(days=appointed_days_ago)).isoformat(),
        "certified_until": (today + timedelta(days=until_days)).isoformat(), "specialties": specialties or []})
    db.session.commit()
    return entry


@pytest.fixture
def trainer(make_user, supervisor):
    user = make_user("clerk", "trainer", username="trainer-a", display_name="小教员甲")
    appoint(supervisor, user)
    return user


@pytest.fixture
def other_trainer(make_user, supervisor, other_outlet):
    user = make_user("clerk", "trainer", outlet_=other_outlet, username="trainer-b", display_name="他网点小教员")
    appoint(supervisor, user)
    return user


def _case(author, outlet, status: str, title: str) -> Case:
    case = Case(title=title, outlet_id=outlet.id, occurred_on=local_today() - timedelta(days=30),
                category="fraud_prevented", narrative="一名代办人持已故老人的身份证原件前来补卡，经核验识破。",
                lessons="核对预警名单", status=status, author_id=author.id)
    db.session.add(case)
    db.session.commit()
    return case


@pytest.fixture
def library_case(trainer, outlet):
    return _case(trainer, outlet, "accepted", "识破冒用已故人员身份补卡")


@pytest.fixture
def draft_case(trainer, outlet):
    return _case(trainer, outlet, "draft", "尚在草稿的案例")
