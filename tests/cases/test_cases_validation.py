"""What a case must be (SPEC §6.1): lengths, a date not in the future, a known category, a request the author may
see — and no personal data in the title, the narrative or the lessons, refused naming the field and saying why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cardops.cases import services
from cardops.cases.models import Case
from cardops.core.errors import ValidationError
from cardops.core.timeutil import local_today
from cardops.extensions import db
from tests.cases.support import NARRATIVE, case_body
from tests.reissue.workflow_support import new_request


def refused_fields(actor, **overrides) -> dict:
    before = db.session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(ValidationError) as refused:
        services.create_case(actor, case_body(**overrides))
    assert db.session.scalar(select(func.count()).select_from(Case)) == before  # nothing half-written
    assert refused.value.status == 400 and refused.value.code == "VALIDATION_ERROR"
    return refused.value.fields


@pytest.mark.parametrize(("field", "value"), [
    ("title", ""), ("title", "   "), ("title", "标" * 101), ("title", None), ("title", 12),
    ("narrative", "太短了" * 6), ("narrative", "长" * 5001), ("narrative", None),
    ("lessons", ""), ("lessons", "长" * 2001),
    ("occurred_on", None), ("occurred_on", "2026-13-01"), ("occurred_on", "昨天"), ("occurred_on", 20261202),
    ("occurred_on", (local_today() + timedelta(days=1)).isoformat()), ("occurred_on", "1999-12-31"),
    ("category", None), ("category", "fraud"), ("category", ["service"]),
    ("request_number", "PT01-20200101-9999"), ("request_number", 123),
])
def test_bad_input_is_refused_naming_the_field(trainer, field, value):
    assert field in refused_fields(trainer, **{field: value})


def test_the_limits_themselves_are_accepted(trainer):
    case = services.create_case(trainer, case_body(title="标" * 100, narrative="经" * 5000, lessons="启" * 2000,
                                                   occurred_on=local_today().isoformat()))
    assert len(case.narrative) == 5000
    assert services.create_case(trainer, case_body(narrative="二十个字" * 5, lessons="一")).lessons == "一"


def test_several_errors_come_together(trainer):
    fields = refused_fields(trainer, title="", narrative="短", category="x")
    assert {"title", "narrative", "category"} <= set(fields)


# --- personal data -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "text", "word"), [
    ("title", "持11010519491231002X冒补被识破", "身份证号码"),
    ("title", "代办人手机138 1234 5678多次出现", "手机号码"),
    ("narrative", NARRATIVE + "老人身份证号为31010719380207421x，已注销。", "身份证号码"),
    ("narrative", NARRATIVE + "回访电话138-1234-5678无人接听。", "手机号码"),
    ("narrative", NARRATIVE + "登记手机13812345678。", "手机号码"),
    ("lessons", "遇到11010519491231002X这类号码要核对", "身份证号码"),
    ("lessons", "可拨打 +86 139 1234 5678 向督导报告", "手机号码"),
])
def test_a_text_with_an_id_number_or_a_mobile_is_refused_naming_the_field_and_why(trainer, field, text, word):
    message = refused_fields(trainer, **{field: text})[field]
    assert word in message and "印制成册" in message
    assert "1234" not in message  # the message never repeats the number


def test_both_kinds_in_one_field_are_named(trainer):
    message = refused_fields(trainer, narrative=NARRATIVE + "11010519491231002X，13812345678")["narrative"]
    assert "身份证号码" in message and "手机号码" in message


def test_dates_amounts_and_request_numbers_are_not_refused(trainer):
    text = NARRATIVE + "20261202当天涉及金额138000元，申请编号PT03-20261126-0007，市卡中心电话021-62345678。"
    case = services.create_case(trainer, case_body(narrative=text, title="20261202 一笔13800元的代办",
                                                   lessons="核对金额 1,380,000 元与编号 PT01-20261126-0001"))
    assert case.narrative == text


def test_editing_is_guarded_the_same_way(case_in, trainer):
    case = case_in("draft")
    with pytest.raises(ValidationError) as refused:
        services.update_case(trainer, case, {"lessons": "联系家属 13812345678"})
    assert "lessons" in refused.value.fields
    assert "13812345678" not in case.lessons


# --- the linked request --------------------------------------------------------------------------------------

def test_a_linked_request_is_one_the_author_may_see(trainer, clerk, other_clerk, supervisor):
    own = new_request(clerk)
    elsewhere = new_request(other_clerk)
    case = services.create_case(trainer, case_body(request_number=own.number.lower()))
    assert case.request_id == own.id
    assert "request_number" in refused_fields(trainer, request_number=elsewhere.number)
    # A supervisor may see every outlet's requests.
    by_supervisor = services.create_case(supervisor, case_body(outlet_code="PT02", request_number=elsewhere.number))
    assert by_supervisor.request_id == elsewhere.id
    services.update_case(trainer, case, {"request_number": None})
    assert case.request_id is None
    services.update_case(trainer, case, {"request_number": ""})
    assert case.request_id is None
