"""The period a figure covers: two local dates (Asia/Shanghai), both included.

The API takes ``from`` and ``to`` (``YYYY-MM-DD``, both required); the page also offers presets — this month,
last month, this quarter, this year — computed from the local date of today. ``from`` after ``to``, or a span of
more than three years, is refused with 400 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cardops.core.errors import ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import ISO_DATE_RANGE, local_midnight_utc, parse_iso_date

MAX_SPAN_YEARS = 3


@dataclass(frozen=True)
class Period:
    start: date  # ``from``, included
    end: date  # ``to``, included
    preset: str = "custom"

    @property
    def start_utc(self) -> datetime:
        """The naive-UTC instant the first local day starts."""
        return local_midnight_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The naive-UTC instant after the last local day (exclusive bound)."""
        return local_midnight_utc(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self) -> dict[str, str]:
        """The query arguments that give this period back (links, exports)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 1 March
        return day.replace(year=day.year + years, month=3, day=1)


def _parse_date(value, name: str, errors: dict[str, str]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[name] = f"请填写 {name}（日期，格式 YYYY-MM-DD）"
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        first, last = ISO_DATE_RANGE
        errors[name] = f"{name} 应为 {first.year}–{last.year} 年间的有效日期，格式 YYYY-MM-DD"
        return None


def parse_period(args) -> Period:
    """``from`` and ``to`` of a query string, validated (400 VALIDATION_ERROR naming the field)."""
    errors: dict[str, str] = {}
    start = _parse_date(args.get("from"), "from", errors)
    end = _parse_date(args.get("to"), "to", errors)
    if start and end:
        if start > end:
            errors["from"] = "from 不能晚于 to"
        elif end >= _add_years(start, MAX_SPAN_YEARS):
            errors["to"] = f"统计期间不能超过{MAX_SPAN_YEARS}年"
    if errors:
        raise ValidationError(N_("统计期间有误"), fields=errors)
    return Period(start, end)


# --- presets of the page's period picker ---------------------------------------------------------------------

def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _this_month(today: date) -> tuple[date, date]:
    return today.replace(day=1), _month_end(today)


def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _this_quarter(today: date) -> tuple[date, date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    start = today.replace(month=first_month, day=1)
    return start, _month_end(start.replace(month=first_month + 2))


def _this_year(today: date) -> tuple[date, date]:
    return today.replace(month=1, day=1), today.replace(month=12, day=31)


PRESETS = {"this_month": _this_month, "last_month": _last_month, "this_quarter": _this_quarter,
           "this_year": _this_year}
PRESET_LABELS = {"this_month": N_("本月"), "last_month": N_("上月"), "this_quarter": N_("本季度"),
                 "this_year": N_("本年"), "custom": N_("自定义")}
DEFAULT_PRESET = "this_month"


def preset_period(name: str, today: date) -> Period:
    start, end = PRESETS[name](today)
    return Period(start, end, name)


def page_period(args, today: date) -> Period:
    """The page's period: a preset (``period=this_month`` …), or ``from``/``to`` (custom); this month when none
    is given. Bad dates raise the same VALIDATION_ERROR as the API."""
    preset = (args.get("period") or "").strip()
    if preset in PRESETS:
        return preset_period(preset, today)
    if preset not in ("", "custom"):
        raise ValidationError(N_("统计期间有误"), fields={"period": "period 取值无效，可选：" + "、".join(PRESETS)})
    if preset == "custom" or args.get("from") or args.get("to"):
        period = parse_period(args)
        # Dates that happen to be a preset's light up that preset in the picker.
        named = next((name for name, dates in PRESETS.items() if dates(today) == (period.start, period.end)),
                     "custom")
        return Period(period.start, period.end, named)
    return preset_period(DEFAULT_PRESET, today)
