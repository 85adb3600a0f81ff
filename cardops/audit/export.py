"""The filtered audit log as a file for Excel: .xlsx (openpyxl, write-only) or .csv (UTF-8 with the BOM Excel
expects). Headers and sentences in the reader's language; the codes and the raw detail in their own columns, so
the file can be checked against the chain."""

from __future__ import annotations

import csv
import io
import json

from flask_babel import gettext as _

from cardops.audit.vocabulary import action_label, object_of, sentence
from cardops.core.i18n import translate
from cardops.core.timeutil import to_local

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
MAX_ROWS = 100_000


def _headers() -> list[str]:
    return [_("序号"), _("时间"), _("操作人"), _("用户名"), _("操作"), _("操作代码"), _("对象"), _("对象编号"),
            _("网点"), _("地址"), _("详情"), _("原始详情"), _("哈希")]


def _row(entry, names: dict, outlets: dict) -> list:
    kind, _link = object_of(entry.object_type, entry.object_id)
    return [
        entry.seq,
        to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        names.get(entry.actor_id, ""),
        entry.actor_name or "",
        translate(action_label(entry.action)),
        entry.action,
        translate(kind) if kind else "",
        entry.object_id or "",
        outlets.get(entry.outlet_id, ""),
        entry.ip or "",
        translate(sentence(entry.action, entry.detail)),
        json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True),
        entry.hash,
    ]


def render(fmt: str, entries, names: dict, outlets: dict) -> tuple[bytes, str]:
    rows = [_row(e, names, outlets) for e in entries]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(_headers())
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS["csv"] + "; charset=utf-8"
    from openpyxl import Workbook  # only the export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    for column, width in zip("ABCDEFGHIJKLM", (8, 20, 16, 16, 16, 24, 10, 22, 8, 16, 60, 60, 66), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(_headers())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), FORMATS["xlsx"]
