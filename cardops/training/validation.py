"""Input of the roster and the training log, checked once for the web forms and the API alike (SPEC §5).

Only what can be decided from the input itself lives here: dates, lengths, ranges, the shape of the attendee
list. Whether a user, an outlet or a case exists is the services' business; they add their findings to the
same ``FieldErrors`` so that one answer names every problem. Field names are the API's (``date``,
``attendees.2.score`` …); an attendee's problem is also summarised under ``attendees``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from cardops.core.validation import FieldErrors, choice, refused_character, text
from cardops.training.models import SessionKind

MAX_TOPIC = 100
MIN_DURATION, MAX_DURATION = 15, 480
MAX_DAYS_BACK = 366
MAX_MATERIALS = 2000
MAX_ATTENDEES = 300
MAX_CASES = 20
MAX_SPECIALTIES = 10
MAX_SPECIALTY = 30
MAX_USERNAME = 64
MAX_ID = 2**31 - 1
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
def parse_date(value, errors: FieldErrors, name: str, *, label: str, required: bool = True) -> date | None:
    """A calendar date written ``YYYY-MM-DD`` (or a ``date`` from a form)."""
    if value is None or value == "":
        if required:
            errors.add(name, f"请填写{label}")
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        parsed = value
    elif isinstance(value, str) and ISO_DATE.match(value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(name, f"{label}不是有效的日期")
            return None
    else:
        errors.add(name, f"{label}格式应为 YYYY-MM-DD")
        return None
    if not EARLIEST <= parsed <= LATEST:
        errors.add(name, f"{label}超出合理范围")
        return None
    return parsed


def parse_whole_number(value, errors: FieldErrors, name: str, *, label: str, low: int, high: int,
                       required: bool = True) -> int | None:
    """An integer (JSON number without fraction; never a boolean) in ``low..high``."""
    if value is None or value == "":
        if required:
            errors.add(name, f"请填写{label}")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(name, f"{label}应为 {low}–{high} 之间的整数")
        return None
    return value


def parse_username(value, errors: FieldErrors, name: str, *, label: str = "用户名") -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(name, f"请填写{label}")
        return None
    value = value.strip()
    if len(value) > MAX_USERNAME or refused_character(value, multiline=False) is not None:
        errors.add(name, f"{label}无效")
        return None
    return value


# --- the roster ----------------------------------------------------------------------------------------------

def parse_specialties(value, errors: FieldErrors, name: str = "specialties") -> list[str] | None:
    """Up to ten short specialties (擅长领域), trimmed, duplicates dropped, order kept."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(name, "专长应为文字列表")
        return None
    kept: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            errors.add(name, "专长应为非空文字")
            return None
        item = item.strip()
        if len(item) > MAX_SPECIALTY or refused_character(item, multiline=False) is not None:
            errors.add(name, f"每项专长不超过{MAX_SPECIALTY}个字符，且不含控制字符")
            return None
        if item not in kept:
            kept.append(item)
    if len(kept) > MAX_SPECIALTIES:
        errors.add(name, f"专长最多{MAX_SPECIALTIES}项")
        return None
    return kept


def check_certification_period(appointed_on: date | None, certified_until: date | None,
                               errors: FieldErrors) -> None:
    if appointed_on and certified_until and certified_until < appointed_on:
        errors.add("certified_until", "资格有效期不能早于任命日期")


# --- sessions ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttendeeInput:
    index: int  # its place in the list sent, which the field names of its errors use
    username: str
    attended: bool
    score: int | None


@dataclass
class SessionInput:
    held_on: date | None
    topic: str | None
    kind: SessionKind | None
    duration_minutes: int | None
    materials: str | None
    attendees: list[AttendeeInput] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)


def attendee_error(errors: FieldErrors, index: int, part: str, who: str, message: str) -> None:
    """An attendee's problem, under its own key and summarised under ``attendees``."""
    errors.add(f"attendees.{index}.{part}", message)
    errors.add("attendees", f"第{index + 1}位参加人员（{who}）：{message}")


def _attendee(raw, index: int, errors: FieldErrors) -> AttendeeInput | None:
    if isinstance(raw, str):
        raw = {"username": raw}
    if not isinstance(raw, dict):
        attendee_error(errors, index, "username", "?", "应为 {username, attended, score}")
        return None
    username = raw.get("username")
    if not isinstance(username, str) or not username.strip() or len(username.strip()) > MAX_USERNAME:
        attendee_error(errors, index, "username", "?", "请填写有效的用户名")
        return None
    username = username.strip()
    attended = raw.get("attended", True)
    if attended is None:
        attended = True
    if not isinstance(attended, bool):
        attendee_error(errors, index, "attended", username, "出勤应为 true 或 false")
        return None
    score = raw.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            attendee_error(errors, index, "score", username, "成绩应为 0–100 之间的整数")
            return None
        if not attended:
            attendee_error(errors, index, "score", username, "缺席人员不能登记成绩")
            return None
    return AttendeeInput(index, username, attended, score)


def parse_attendees(value, errors: FieldErrors) -> list[AttendeeInput]:
    if value is None or value == []:
        errors.add("attendees", "请至少登记一名参加人员")
        return []
    if not isinstance(value, list):
        errors.add("attendees", "参加人员应为列表")
        return []
    if len(value) > MAX_ATTENDEES:
        errors.add("attendees", f"参加人员最多{MAX_ATTENDEES}人")
        return []
    attendees, seen = [], set()
    for index, raw in enumerate(value):
        attendee = _attendee(raw, index, errors)
        if attendee is None:
            continue
        key = attendee.username.lower()
        if key in seen:
            attendee_error(errors, index, "username", attendee.username, "重复登记")
            continue
        seen.add(key)
        attendees.append(attendee)
    return attendees


def parse_case_ids(value, errors: FieldErrors) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_CASES:
        errors.add("cases", f"使用的案例应为案例编号列表（最多{MAX_CASES}个）")
        return []
    ids: list[int] = []
    for item in value:
        if isinstance(item, dict):  # the shape the session object answers with: {id, title}
            item = item.get("id")
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= MAX_ID:
            errors.add("cases", f"案例编号无效：{str(item)[:20]}")
            return []
        if item not in ids:
            ids.append(item)
    return ids


def parse_session(data: dict, errors: FieldErrors, *, today: date, previous_date: date | None = None) -> SessionInput:
    """The session fields of a log or a correction. A correction that keeps the date (``previous_date``) is not
    held to the date window: a supervisor may still correct an old session's other details."""
    held_on = parse_date(data.get("date"), errors, "date", label="培训日期")
    if held_on is not None and held_on != previous_date:
        if held_on > today:
            errors.add("date", "培训日期不能晚于今天")
        elif held_on < today - timedelta(days=MAX_DAYS_BACK):
            errors.add("date", f"只能登记{MAX_DAYS_BACK}天以内的培训")
    topic = text(data.get("topic"), errors, "topic", label="培训主题", required=True, max_length=MAX_TOPIC)
    kind = choice(data.get("kind"), SessionKind, errors, "kind", "培训类型")
    duration = parse_whole_number(data.get("duration_minutes"), errors, "duration_minutes", label="培训时长（分钟）",
                                  low=MIN_DURATION, high=MAX_DURATION)
    materials = text(data.get("materials"), errors, "materials", label="培训材料", required=False,
                     max_length=MAX_MATERIALS, multiline=True)
    return SessionInput(held_on=held_on, topic=topic, kind=kind, duration_minutes=duration, materials=materials,
                        attendees=parse_attendees(data.get("attendees"), errors),
                        case_ids=parse_case_ids(data.get("cases"), errors))
