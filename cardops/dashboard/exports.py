"""The outlets' table as a spreadsheet (SPEC §8): ``.xlsx`` and ``.csv``, one row per outlet and a total row,
headers in Chinese, the same numbers as the API and the page (the one figures service). No personal data: the
figures are counts, durations and dates per outlet. Every export is audited with its parameters.

The columns are defined once, here, for both formats. In the workbook the header row is frozen (with the two
outlet columns), numbers are numbers (counts as integers, hours with two decimals, training hours with one),
dates are dates, and the column widths fit their contents; a second sheet says what the figures count. The CSV
is UTF-8 with the BOM Excel looks for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cardops.audit import services as audit
from cardops.core.timeutil import to_local
from cardops.dashboard.figures import PERCENTILES, STAGE_LABELS, OutletStats
from cardops.reissue.rules import RULES
from cardops.reissue.workflow import KIND_LABELS, STATUS_LABELS
from cardops.risk.registry import RISK_LABELS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOTAL_LABEL = "合计"
HOURS, TRAINING_HOURS, DATE, COUNT, TEXT = "0.00", "0.0", "yyyy-mm-dd", "0", "@"
PERCENTILE_WORDS = {"median": "中位数", "p90": "第90百分位"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]
    number_format: str = COUNT


def _columns() -> list[Column]:
    columns = [
        Column("网点代码", lambda r: r["outlet_code"] or TOTAL_LABEL, TEXT),
        Column("网点名称", lambda r: r["name"] if r["outlet_code"] else "", TEXT),
        Column("申请总数", lambda r: r["requests"]["total"]),
    ]
    columns += [Column(f"类型·{label}", lambda r, k=kind: r["requests"]["by_kind"][k]) for kind, label in
                KIND_LABELS.items()]
    columns += [Column(f"状态·{label}", lambda r, s=status: r["requests"]["by_status"][s]) for status, label in
                STATUS_LABELS.items()]
    columns += [Column(f"时长·{label}·{PERCENTILE_WORDS[p]}（小时）",
                       lambda r, s=stage, p=p: r["turnaround_hours"][s][p], HOURS)
                for stage, label in STAGE_LABELS.items() for p in PERCENTILES]
    columns += [
        Column("当前·超时未办结（超2个工作日）", lambda r: r["overdue"]["stale"]),
        Column("当前·超期未领取（30天及以上）", lambda r: r["overdue"]["uncollected_30"]),
        Column("当前·待复核", lambda r: r["pending"]["review"]),
        Column("当前·待领取", lambda r: r["pending"]["pickup"]),
    ]
    columns += [Column(f"风险·{label}", lambda r, lv=level: r["risk"]["by_level"][lv]) for level, label in
                RISK_LABELS.items()]
    columns += [Column(f"规则·{code} {rule.label}", lambda r, c=code: r["risk"]["by_flag"][c])
                for code, rule in RULES.rules.items()]
    columns += [
        Column("复核通过", lambda r: r["reviews"]["approved"]),
        Column("复核驳回", lambda r: r["reviews"]["rejected"]),
        Column("培训场次", lambda r: r["training"]["sessions"]),
        Column("培训学时", lambda r: r["training"]["hours"], TRAINING_HOURS),
        Column("最近警示教育", lambda r: _date(r["training"]["last_warning_education"]), DATE),
    ]
    return columns


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _safe_text(value):
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table(stats: OutletStats) -> tuple[list[Column], list[list]]:
    """The header and the rows (the outlets, then the total) as values."""
    columns = _columns()
    rows = [[_safe_text(c.value(row)) for c in columns] for row in [*stats.rows, stats.totals]]
    return columns, rows


def _display_width(value) -> int:
    text = value.isoformat() if isinstance(value, date) else str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


def to_xlsx(stats: OutletStats) -> bytes:
    columns, rows = table(stats)
    book = Workbook()
    sheet = book.active
    sheet.title = "网点统计"
    sheet.append([c.header for c in columns])
    for values in rows:
        sheet.append(values)
    header_font, bold = Font(bold=True, color="FFFFFF"), Font(bold=True)
    header_fill = PatternFill("solid", fgColor="B3261E")
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, column in enumerate(columns, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = column.number_format
        widest = max(_display_width(v[index - 1]) for v in rows)
        header = min(_display_width(column.header), 24)  # long headers wrap
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(48, max(widest, header) + 2))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows)}"  # the outlets, not the total
    _notes_sheet(book, stats)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NOTES = (
    "申请量、办理时长、风险、复核：统计期间内（按受理日期，北京时间，首尾两日均含）受理的申请。",
    "办理时长：各阶段所用小时数的中位数与第90百分位（相邻名次间线性插值，同 PostgreSQL percentile_cont）；无数据为空。",
    "当前·超时未办结：受理中或待复核超过2个工作日；当前·超期未领取：新卡到达30天及以上未领取。均为导出时的状态，不受统计期间限制。",
    "培训场次：期间内在本网点举办的培训；培训学时：本网点人员期间内出席的培训（含区级培训）分钟数÷60；最近警示教育：截至期末在本网点举办的最近一次警示教育。",
    "合计：各网点之和；办理时长为全部申请的中位数与第90百分位；最近警示教育取最近一次。",
)


def _notes_sheet(book: Workbook, stats: OutletStats) -> None:
    notes = book.create_sheet("说明")
    scope = stats.rows[0]["outlet_code"] if stats.single_outlet and stats.rows else "全部可见网点"
    notes.append(["统计期间", f"{stats.period.start.isoformat()} 至 {stats.period.end.isoformat()}"])
    notes.append(["网点范围", scope])
    notes.append(["导出时间", to_local(stats.as_of).strftime("%Y-%m-%d %H:%M")])
    for note in NOTES:
        notes.append(["口径", note])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 110
    for (cell,) in notes.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)


def to_csv(stats: OutletStats) -> bytes:
    columns, rows = table(stats)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for values in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


FORMATS = {"xlsx": (to_xlsx, XLSX_MIMETYPE), "csv": (to_csv, "text/csv; charset=utf-8")}


def export_response(actor, stats: OutletStats, fmt: str) -> Response:
    """The file, audited (who, which period and outlet, how many rows — no figures, no personal data)."""
    render, mimetype = FORMATS[fmt]
    body = render(stats)
    outlet_code = stats.rows[0]["outlet_code"] if stats.single_outlet and stats.rows else None
    audit.record("dashboard.export", actor=actor, object_type="outlet_stats",
                 object_id=f"{stats.period.start.isoformat()}..{stats.period.end.isoformat()}",
                 outlet_id=stats.outlets[0].id if stats.single_outlet else None,
                 detail={"format": fmt, "from": stats.period.start.isoformat(), "to": stats.period.end.isoformat(),
                         "outlet_code": outlet_code, "outlets": len(stats.rows)})
    stem = f"outlet-stats_{stats.period.start.isoformat()}_{stats.period.end.isoformat()}"
    if outlet_code:
        stem += f"_{outlet_code}"
    chinese = stem.replace("outlet-stats", "网点统计")
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{stem}.{fmt}\"; "
                                               f"filename*=UTF-8''{quote(chinese)}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
