"""Five-field crontab schedules (``minute hour day month weekday``), read the way Unix cron reads them, in local
time (Asia/Shanghai), turned into APScheduler triggers.

APScheduler's own ``CronTrigger.from_crontab`` counts weekdays from Monday = 0, so ``1-5`` there means Tuesday to
Saturday; this module parses the fields itself (0 or 7 = Sunday, as in cron) and hands APScheduler explicit values.

One reading is particular to cardops: a weekday field of exactly Monday to Friday (``1-5``) means the **official
working days** (中国法定工作日): no run on a public holiday that falls on a weekday, a run on a swapped working
Saturday or Sunday (调休上班日). Any other weekday field is taken literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from cardops.core.workdays import is_working_day

FIELD_NAMES = ("minute", "hour", "day", "month", "day_of_week")
FIELD_LABELS = {"minute": "分钟", "hour": "小时", "day": "日", "month": "月", "day_of_week": "星期"}
BOUNDS = {"minute": (0, 59), "hour": (0, 23), "day": (1, 31), "month": (1, 12), "day_of_week": (0, 7)}
NAMES = {
    "month": {name: i for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    "day_of_week": {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
}
WORKING_WEEK = frozenset({1, 2, 3, 4, 5})
WEEKDAY_WORDS = ("日", "一", "二", "三", "四", "五", "六")
MAX_LENGTH = 100


class CrontabError(ValueError):
    """A schedule that cannot be read; the message is a plain Chinese sentence for the form or the API."""


def _value(token: str, field: str) -> int:
    names = NAMES.get(field, {})
    if token.lower() in names:
        return names[token.lower()]
    if not token.isascii() or not token.isdigit():
        raise CrontabError(f"{FIELD_LABELS[field]}字段中的“{token}”不是有效的数值")
    number = int(token)
    low, high = BOUNDS[field]
    if not low <= number <= high:
        raise CrontabError(f"{FIELD_LABELS[field]}应在 {low}–{high} 之间（“{token}”超出范围）")
    return number


def _field_values(text: str, field: str) -> frozenset[int]:
    low, high = BOUNDS[field]
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CrontabError(f"{FIELD_LABELS[field]}字段有多余的逗号")
        span, _, step_text = part.partition("/")
        step = 1
        if step_text:
            step = int(step_text) if step_text.isascii() and step_text.isdigit() else 0
            if not 1 <= step <= 60:
                raise CrontabError(f"{FIELD_LABELS[field]}字段的步长“{step_text}”应为正整数")
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _value(first, field), _value(last, field)
            if start > end:
                raise CrontabError(f"{FIELD_LABELS[field]}字段的范围“{span}”起点大于终点")
        else:
            start = _value(span, field)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    if field == "day_of_week" and 7 in values:  # 7 is Sunday too
        values.discard(7)
        values.add(0)
    return frozenset(values)


def _full(field: str) -> frozenset[int]:
    low, high = BOUNDS[field]
    return frozenset(range(low, (6 if field == "day_of_week" else high) + 1))


@dataclass(frozen=True)
class Crontab:
    text: str
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int]
    month: frozenset[int]
    day_of_week: frozenset[int]  # 0 = Sunday … 6 = Saturday

    @property
    def on_working_days(self) -> bool:
        """Monday to Friday (``1-5``) means the official working days (see the module's docstring)."""
        return self.day_of_week == WORKING_WEEK and self.day == _full("day")

    def trigger(self, timezone: tzinfo) -> BaseTrigger:
        def listed(field: str) -> str:
            values = getattr(self, field)
            return "*" if values == _full(field) else ",".join(str(v) for v in sorted(values))

        weekdays = "*" if self.on_working_days or self.day_of_week == _full("day_of_week") else ",".join(
            str((d + 6) % 7) for d in sorted(self.day_of_week))  # APScheduler counts from Monday = 0
        cron = CronTrigger(minute=listed("minute"), hour=listed("hour"), day=listed("day"), month=listed("month"),
                           day_of_week=weekdays, timezone=timezone)
        return WorkingDayTrigger(cron) if self.on_working_days else cron

    def next_runs(self, after: datetime, count: int, timezone: tzinfo) -> list[datetime]:
        """The next ``count`` run times after ``after`` (an aware datetime), in ``timezone``."""
        trigger, runs, previous, now = self.trigger(timezone), [], None, after
        while len(runs) < count:
            moment = trigger.get_next_fire_time(previous, now)
            if moment is None:
                break
            runs.append(moment)
            previous = now = moment
        return runs

    def describe(self) -> str | None:
        """A short Chinese description for the common shapes (one time of day), or None."""
        if len(self.minute) != 1 or len(self.hour) != 1 or self.month != _full("month"):
            return None
        clock = f"{next(iter(self.hour)):02d}:{next(iter(self.minute)):02d}"
        every_day, every_weekday = self.day == _full("day"), self.day_of_week == _full("day_of_week")
        if self.on_working_days:
            return f"每个工作日 {clock}（按国家法定节假日和调休安排）"
        if every_day and every_weekday:
            return f"每天 {clock}"
        if every_day:
            days = sorted(self.day_of_week, key=lambda d: (d + 6) % 7)  # Monday first
            return "每" + "、".join("周" + WEEKDAY_WORDS[d] for d in days) + f" {clock}"
        if every_weekday:
            return "每月" + "、".join(f"{d}日" for d in sorted(self.day)) + f" {clock}"
        return None


class WorkingDayTrigger(BaseTrigger):
    """A daily cron trigger that skips the days the official calendar says are not working days."""

    MAX_SKIPPED_DAYS = 400

    def __init__(self, daily: CronTrigger):
        self.daily = daily

    def get_next_fire_time(self, previous_fire_time, now):
        moment = self.daily.get_next_fire_time(previous_fire_time, now)
        for _ in range(self.MAX_SKIPPED_DAYS):
            if moment is None or is_working_day(moment.date()):
                return moment
            next_day = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            moment = self.daily.get_next_fire_time(None, next_day)
        return None

    def __str__(self) -> str:
        return f"working days: {self.daily}"


def parse_crontab(text) -> Crontab:
    """Read a five-field crontab or raise ``CrontabError`` saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise CrontabError("请填写运行计划（5项：分 时 日 月 周）")
    if len(text) > MAX_LENGTH:
        raise CrontabError(f"运行计划不能超过{MAX_LENGTH}个字符")
    parts = text.split()
    if len(parts) != len(FIELD_NAMES):
        raise CrontabError(f"运行计划应为5项（分 时 日 月 周），以空格分隔；收到{len(parts)}项")
    values = {field: _field_values(part, field) for field, part in zip(FIELD_NAMES, parts, strict=True)}
    if values["day"] != _full("day") and values["day_of_week"] != _full("day_of_week"):
        # Unix cron runs when EITHER matches, APScheduler when BOTH do: refuse rather than guess.
        raise CrontabError("不能同时限定“日”和“星期”，请只限定其中一项（另一项用 *）")
    return Crontab(" ".join(parts), **values)
