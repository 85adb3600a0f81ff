"""Small builders shared by the training tests."""

from __future__ import annotations

from datetime import date, timedelta

from cardops.core.timeutil import local_today


def days_ago(days: int) -> date:
    return local_today() - timedelta(days=days)


def session_body(*attendees, **overrides) -> dict:
    """A valid log body: today's warning education of an hour for ``attendees`` (usernames or dicts)."""
    body = {"date": local_today().isoformat(), "topic": "冒用已故人员身份补卡的识别", "kind": "warning_education",
            "duration_minutes": 60,
            "attendees": [{"username": a} if isinstance(a, str) else a for a in attendees]}
    body.update(overrides)
    return body


