"""Card arrival in batches (SPEC §3.2): the city card center's CSV file or a list of numbers typed or scanned.

Pure steps, reusable by the web page, the API or a CLI command:

* ``decode_batch(bytes)`` → text (UTF-8 with or without Excel's BOM, else GB18030);
* ``parse_csv(text)`` / ``parse_lines(text)`` → rows ``(line, number, card_number)``;
* ``apply_arrivals(actor, rows)`` → one report line per row. Each good row is applied by ``services.arrive`` in
  its own savepoint, so a bad row changes nothing and never undoes the good ones. The caller commits.

Scope: a number of another outlet is reported as "other outlet" to a clerk, and nothing else about it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import select

from cardops.core.errors import DomainError, ValidationError
from cardops.core.i18n import N_
from cardops.core.validation import refused_character
from cardops.extensions import db
from cardops.reissue import services
from cardops.reissue.models import ReissueRequest
from cardops.reissue.permissions import works_on
from cardops.reissue.workflow import STATUS_LABELS, Status

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 2000
MAX_NUMBER = 32

# Report outcomes, in the words the counter uses.
ARRIVED = "arrived"
ALREADY_ARRIVED = "already_arrived"
UNKNOWN = "unknown"
OTHER_OUTLET = "other_outlet"
WRONG_STATE = "wrong_state"
INVALID = "invalid"

OUTCOME_LABELS = {
    ARRIVED: N_("已登记到卡"),
    ALREADY_ARRIVED: N_("此前已到卡"),
    UNKNOWN: N_("无此申请"),
    OTHER_OUTLET: N_("其他网点的申请"),
    WRONG_STATE: N_("状态不符"),
    INVALID: N_("内容有误"),
}

# After arrival a request is ready, and later collected or returned: the card came, nothing to do.
_AFTER_ARRIVAL = frozenset({Status.READY, Status.COLLECTED, Status.RETURNED})
HEADER_HINT = "文件第一行应为表头：number（申请编号），可选 card_number（卡号）"
_SEPARATORS = re.compile(r"[\s,，;；\t]+")


@dataclass(frozen=True)
class ArrivalRow:
    line: int
    number: str
    card_number: str | None = None


@dataclass(frozen=True)
class ArrivalResult:
    line: int
    number: str
    outcome: str
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome == ARRIVED


def decode_batch(data: bytes) -> str:
    """UTF-8 (Excel's BOM stripped) first, then GB18030 as older systems write; anything else is refused."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(fields={"file": f"文件过大（不超过 {MAX_FILE_BYTES // 1000} KB）"})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(fields={"file": "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV"})


def _clean_number(value: str | None) -> str:
    return (value or "").strip().upper()


def _clean_card(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _refuse_control_characters(text: str, field: str) -> None:
    """A NUL or another control character (a truncated or binary file, a mis-saved export) names its line."""
    for line_no, line in enumerate(text.split("\n"), start=1):
        problem = refused_character(line)
        if problem is not None:
            raise ValidationError(fields={field: f"第 {line_no} 行{problem}，请检查文件"})


def parse_csv(text: str) -> list[ArrivalRow]:
    """Rows of a CSV with header ``number`` and optional ``card_number`` (any order, any extra columns)."""
    _refuse_control_characters(text, "file")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = None
    rows: list[ArrivalRow] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = [v.strip().lstrip("\ufeff").lower() for v in values]
            if "number" not in header:
                raise ValidationError(fields={"file": HEADER_HINT})
            continue
        cells = dict(zip(header, values, strict=False))
        rows.append(ArrivalRow(reader.line_num, _clean_number(cells.get("number")),
                               _clean_card(cells.get("card_number"))))
        if len(rows) > MAX_ROWS:
            raise ValidationError(fields={"file": f"一次最多登记 {MAX_ROWS} 条"})
    if header is None:
        raise ValidationError(fields={"file": "文件是空的"})
    return rows


def parse_lines(text: str) -> list[ArrivalRow]:
    """One request number per line, optionally followed by its card number (space, comma or tab between)."""
    _refuse_control_characters(text, "numbers")
    rows: list[ArrivalRow] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in _SEPARATORS.split(line.strip()) if p]
        if not parts:
            continue
        rows.append(ArrivalRow(line_no, _clean_number(parts[0]), _clean_card(parts[1]) if len(parts) > 1 else None))
        if len(rows) > MAX_ROWS:
            raise ValidationError(fields={"numbers": f"一次最多登记 {MAX_ROWS} 条"})
    return rows


def _load(numbers: set[str]) -> dict[str, ReissueRequest]:
    """Every named request in one query (unscoped on purpose: scope is decided per row, and reported)."""
    if not numbers:
        return {}
    found = db.session.scalars(select(ReissueRequest).where(ReissueRequest.number.in_(numbers)))
    return {request.number: request for request in found}


def apply_arrivals(actor, rows: list[ArrivalRow]) -> list[ArrivalResult]:
    """Apply each row on its own; return one result per row, in order."""
    wanted = {row.number for row in rows if row.number and len(row.number) <= MAX_NUMBER}
    requests = _load(wanted)
    results = []
    for row in rows:
        results.append(_apply_one(actor, row, requests.get(row.number)))
    return results


def _apply_one(actor, row: ArrivalRow, request: ReissueRequest | None) -> ArrivalResult:
    def result(outcome: str, message: str) -> ArrivalResult:
        return ArrivalResult(row.line, row.number, outcome, message)

    if not row.number:
        return result(INVALID, N_("缺少申请编号"))
    if len(row.number) > MAX_NUMBER:
        return result(INVALID, N_("申请编号过长"))
    if request is None:
        return result(UNKNOWN, N_("系统中没有这个申请编号，请核对"))
    if not works_on(actor, request):
        return result(OTHER_OUTLET, N_("该申请不属于本网点，未登记"))
    if request.status in _AFTER_ARRIVAL:
        return result(ALREADY_ARRIVED, f"新卡此前已登记到达（当前：{STATUS_LABELS[Status(request.status)]}）")
    if request.status != Status.SUBMITTED:
        return result(WRONG_STATE, f"当前状态为“{STATUS_LABELS[Status(request.status)]}”，不能登记到卡")
    try:
        with db.session.begin_nested():
            services.arrive(actor, request, row.card_number)
    except DomainError as error:  # the savepoint is rolled back: this row changed nothing
        message = "；".join(error.fields.values()) if error.fields else error.message
        return result(INVALID, message)
    return result(ARRIVED, N_("已登记，待领取") + (f"（卡号 {request.card_number}）" if request.card_number else ""))


def summarise(results: list[ArrivalResult]) -> dict[str, int]:
    counts = {outcome: 0 for outcome in OUTCOME_LABELS}
    for item in results:
        counts[item.outcome] += 1
    return counts
