"""What the page's charts show, as plain data for ``static/js/dashboard.js`` (Apache ECharts draws it).

Each chart is a small spec — categories, series, points with the URL of the list each point counts — handed
to the page in a ``data-chart`` attribute (the Content-Security-Policy forbids inline scripts). The numbers
come from the one figures service; nothing here queries the database.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from cardops.core.i18n import translate
from cardops.dashboard.figures import STAGE_LABELS, OutletStats
from cardops.dashboard.links import Drill
from cardops.reissue.rules import RULES
from cardops.risk.registry import RiskLevel

# Training recency: days since the last warning education at which the bar turns amber, then red.
RECENT_DAYS, STALE_DAYS = 31, 92
OUTLET_SUFFIXES = ("社区事务受理服务中心", "街道")


def short_name(code: str, name: str) -> str:
    """``PT01 长寿路`` for ``长寿路街道社区事务受理服务中心``: what fits under a bar."""
    short = name
    for suffix in OUTLET_SUFFIXES:
        short = short.removesuffix(suffix)
    return f"{code} {short}" if short and short != name else code


def buckets(start: date, end: date) -> tuple[str, list[tuple[date, date]]]:
    """Days up to six weeks, weeks (from Monday) up to half a year, months beyond: (unit, [(first, last)])."""
    span = (end - start).days + 1
    if span <= 45:
        return "day", [(start + timedelta(days=i), start + timedelta(days=i)) for i in range(span)]
    spans, first = [], start
    unit = "week" if span <= 190 else "month"
    while first <= end:
        if unit == "week":
            following = first + timedelta(days=7 - first.weekday())
        else:
            following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(following - timedelta(days=1), end)
        spans.append((first, last))
        first = following
    return unit, spans


def _bucket_label(unit: str, first: date) -> str:
    return first.strftime("%Y-%m") if unit == "month" else first.strftime("%m-%d")


def requests_over_time(stats: OutletStats, by_day: dict, drill: Drill, today: date) -> dict:
    """Requests taken in per outlet, by day, week or month of the period (up to today)."""
    last = max(min(stats.period.end, today), stats.period.start)
    unit, spans = buckets(stats.period.start, last)
    span_of = {first + timedelta(days=d): i for i, (first, end) in enumerate(spans)
               for d in range((end - first).days + 1)}
    index: dict[tuple[int, int], int] = {}
    for (outlet_id, day), n in by_day.items():
        if day in span_of:
            key = (outlet_id, span_of[day])
            index[key] = index.get(key, 0) + n
    series = [{"name": short_name(o.code, o.name),
               "data": [{"value": index.get((o.id, i), 0), "url": drill.requests(o.code, start=first, end=end)}
                        for i, (first, end) in enumerate(spans)]}
              for o in stats.outlets]
    unit_words = {"day": _("按日"), "week": _("按周（周一起）"), "month": _("按月")}
    return {"stacked": True, "horizontal": False, "title": _("各网点受理量"),
            "subtitle": _("%(unit)s，按网点堆叠；单位：件", unit=unit_words[unit]), "unit": _("件"),
            "categories": [_bucket_label(unit, first) for first, _end in spans], "series": series,
            "words": {"total": _("合计")}}


def risk_flags(stats: OutletStats, drill: Drill) -> dict:
    """Per outlet, the requests each anti-impersonation rule flagged (a request may carry several flags)."""
    codes = list(RULES.rules)
    series = [{"name": translate(RULES.rules[code].label), "code": code, "level": _flag_level(code),
               "data": [{"value": row["risk"]["by_flag"][code],
                         "url": drill.requests(row["outlet_code"], flag=code)} for row in stats.rows]}
              for code in codes]
    return {"stacked": True, "horizontal": True, "title": _("风险规则触发"), "unit": _("件"),
            "subtitle": _("每件申请每条规则计一次；单位：件"),
            "categories": [short_name(r["outlet_code"], r["name"]) for r in stats.rows], "series": series}


def _flag_level(code: str) -> str:
    """The colour family of a rule: the level its flags usually carry."""
    return RiskLevel.MEDIUM if code in ("PROXY_APPLICATION", "RECENT_REISSUE", "SHARED_PHONE") else RiskLevel.HIGH


def turnaround(stats: OutletStats, drill: Drill) -> dict:
    """Per outlet, the median hours of each stage, stacked: the length of a typical request's journey."""
    series = [{"name": translate(label),
               "data": [{"value": row["turnaround_hours"][stage]["median"],
                         "p90": row["turnaround_hours"][stage]["p90"],
                         "url": drill.requests(row["outlet_code"])} for row in stats.rows]}
              for stage, label in STAGE_LABELS.items()]
    return {"stacked": True, "horizontal": True, "title": _("办理时长（中位数）"), "unit": _("小时"),
            "subtitle": _("各阶段中位数堆叠，提示框中另有第90百分位；单位：小时"),
            "categories": [short_name(r["outlet_code"], r["name"]) for r in stats.rows], "series": series,
            "words": {"median": _("中位数"), "p90": _("第90百分位")}}


def training_recency(stats: OutletStats, drill: Drill, today: date) -> dict:
    """Per outlet, days since its last warning education (as of the period's end, or today)."""
    as_of = min(stats.period.end, today)
    points, longest = [], RECENT_DAYS
    for row in stats.rows:
        last = row["training"]["last_warning_education"]
        days = (as_of - date.fromisoformat(last)).days if last else None
        longest = max(longest, days or 0)
        points.append((row, last, days))
    data = []
    for row, last, days in points:
        level = ("never" if days is None else "ok" if days < RECENT_DAYS else "warn" if days < STALE_DAYS
                 else "danger")
        # Never: a bar past the red mark, as long as the longest wait shown.
        data.append({"value": days if days is not None else max(longest, STALE_DAYS), "level": level,
                     "label": last or _("从未开展"),
                     "url": drill.sessions(row["outlet_code"], "warning_education", until=as_of)})
    return {"horizontal": True, "title": _("距上次警示教育"), "unit": _("天"),
            "subtitle": _("截至 %(day)s；绿色 %(recent)s 天内，琥珀色 %(stale)s 天内，红色更久或从未开展",
                          day=as_of.isoformat(), recent=RECENT_DAYS, stale=STALE_DAYS),
            "categories": [short_name(r["outlet_code"], r["name"]) for r in stats.rows],
            "series": [{"name": _("距上次警示教育天数"), "data": data}]}


def all_charts(stats: OutletStats, by_day: dict, drill: Drill, today: date) -> dict[str, dict]:
    return {"requests": requests_over_time(stats, by_day, drill, today),
            "flags": risk_flags(stats, drill),
            "turnaround": turnaround(stats, drill),
            "training": training_recency(stats, drill, today)}
