"""Input of the case library and the selection, validated once for the web forms and the API alike.

Errors are collected per field and raised together as one VALIDATION_ERROR whose messages are plain Chinese
sentences. Cases circulate in printed booklets: a title, narrative or lessons carrying a resident ID number or a
mobile number is refused, naming the field and saying why (``cardops.core.pii.find_personal_data``).
"""

from __future__ import annotations

from datetime import date

from cardops.cases.models import CaseCategory
from cardops.cases.workflow import CRITERIA, CRITERION_LABELS, SCORE_MAX, SCORE_MIN
from cardops.core.errors import ValidationError
from cardops.core.pii import find_personal_data
from cardops.core.timeutil import local_today
from cardops.core.validation import FieldErrors, choice, text

TITLE_MAX = 100
NARRATIVE_MIN, NARRATIVE_MAX = 20, 5000
LESSONS_MAX = 2000
EARLIEST_CASE = date(2000, 1, 1)
REQUEST_NUMBER_MAX = 40
FIRST_YEAR, LAST_YEAR = 2000, 2999

# Path parts of the pages and the API: a case id the database's integer column can hold, a four-digit year.
# Anything else names nothing (404) instead of reaching the query (a 500 for an overflowing number).
CASE_ID_RULE = "<int:case_id>"
YEAR_RULE = f"<int(min={FIRST_YEAR}, max={LAST_YEAR}):year>"

# The fields a case is made of, with their words for messages.
CASE_FIELDS = ("title", "occurred_on", "category", "narrative", "lessons", "request_number", "outlet_code")
TEXT_LABELS = {"title": "标题", "narrative": "案例经过", "lessons": "经验与启示"}
PERSONAL_DATA_WORDS = {"id_number": "身份证号码", "phone": "手机号码"}


def personal_data_problem(value: str | None, label: str) -> str | None:
    """The message refusing ``value`` when it carries an ID number or a mobile number, else None."""
    kinds = []
    for finding in find_personal_data(value):
        if finding.kind not in kinds:
            kinds.append(finding.kind)
    if not kinds:
        return None
    found = "和".join(PERSONAL_DATA_WORDS[kind] for kind in kinds)
    return (f"{label}中含有{found}：案例会印制成册在各网点传阅，不得出现个人信息，"
            f"请删除号码，当事人请写作“张某”“王阿姨”等")


def _length(value: str | None, errors: FieldErrors, name: str, minimum: int) -> None:
    if value is not None and len(value) < minimum:
        errors.add(name, f"{TEXT_LABELS[name]}至少{minimum}个字")


def parse_occurred_on(value, errors: FieldErrors) -> date | None:
    if value in (None, ""):
        errors.add("occurred_on", "请填写发生日期")
        return None
    if not isinstance(value, str):
        errors.add("occurred_on", "发生日期应为 YYYY-MM-DD 格式的日期")
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        errors.add("occurred_on", "发生日期应为 YYYY-MM-DD 格式的日期")
        return None
    if day > local_today():
        errors.add("occurred_on", "发生日期不能晚于今天")
        return None
    if day < EARLIEST_CASE:
        errors.add("occurred_on", f"发生日期不能早于{EARLIEST_CASE:%Y-%m-%d}")
        return None
    return day


def parse_case(data: dict, *, partial: bool) -> dict:
    """The cleaned fields of ``data`` (only those present when ``partial``): title, occurred_on, category, narrative,
    lessons, request_number (None: no linked request) and outlet_code (None: not given)."""
    errors = FieldErrors()
    present = [name for name in CASE_FIELDS if not partial or name in data]
    cleaned: dict = {}
    for name in present:
        value = data.get(name)
        if name == "title":
            cleaned[name] = text(value, errors, name, required=True, max_length=TITLE_MAX, label="标题")
        elif name == "narrative":
            cleaned[name] = text(value, errors, name, required=True, max_length=NARRATIVE_MAX, label="案例经过",
                                 multiline=True)
            _length(cleaned[name], errors, name, NARRATIVE_MIN)
        elif name == "lessons":
            cleaned[name] = text(value, errors, name, required=True, max_length=LESSONS_MAX, label="经验与启示",
                                 multiline=True)
        elif name == "occurred_on":
            cleaned[name] = parse_occurred_on(value, errors)
        elif name == "category":
            cleaned[name] = choice(value, CaseCategory, errors, name, "类别")
        elif name == "request_number":
            number = text(value, errors, name, required=False, max_length=REQUEST_NUMBER_MAX, label="关联申请编号")
            cleaned[name] = number.upper() if number else None
        elif name == "outlet_code":
            code = text(value, errors, name, required=False, max_length=16, label="网点代码")
            cleaned[name] = code.upper() if code else None
    for name, label in TEXT_LABELS.items():
        problem = personal_data_problem(cleaned.get(name), label)
        if problem:
            errors.add(name, problem)
    errors.raise_if_any()
    return cleaned


def parse_year(value, *, name: str = "year") -> int:
    """A selection year: an integer (not a boolean, not a string) of four digits."""
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValidationError(fields={name: "年度应为四位数的年份，例如 2026"})
    return value


def parse_scores(data: dict) -> dict[str, int]:
    """The three criteria of a score, each an integer 1–5."""
    errors = FieldErrors()
    scores = {}
    for criterion in CRITERIA:
        value = data.get(criterion)
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            errors.add(criterion, f"{CRITERION_LABELS[criterion]}应为 {SCORE_MIN} 到 {SCORE_MAX} 的整数")
        else:
            scores[criterion] = value
    errors.raise_if_any()
    return scores
