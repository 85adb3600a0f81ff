"""Finding personal data in free text (``find_personal_data``): resident ID numbers and mobile numbers, wherever
they stand in a sentence, however they are written — and no false alarm on dates, amounts or request numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardops.core.pii import find_personal_data, id_check_char

pure = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


@pytest.mark.parametrize("text", [
    "310107199001011234",
    "11010519491231002X",
    "11010519491231002x",  # lowercase x
    "老人身份证号310107193802074218已核实",  # inside a sentence, Chinese on both sides
    "证件号：11010519491231002X。",
    "ID 310107 19380207 4218 presented",  # spaced as printed on some forms
    "310107-19380207-4218",
    "３１０１０７１９３８０２０７４２１８",  # full-width digits
    "31010719380207421X",  # a wrong check character is still someone's number (typed wrong)
])
def test_resident_id_numbers_are_found(text):
    assert kinds(text) == ["id_number"]


@pytest.mark.parametrize("text", [
    "13812345678",
    "联系电话13812345678，已回访",
    "138-1234-5678",
    "138 1234 5678",
    "1381234 5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "8613812345678",
    "手机１９９１２３４５６７８",
    "号码是17012345678。",
])
def test_mobile_numbers_are_found(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text", [
    "2026年12月2日，即20261202，办理挂失",
    "20261202",
    "申请编号PT03-20261126-0007已驳回",
    "PT13-20131126-0013",
    "骗取养老金共计138000元",
    "涉案金额 13,800,000.00 元",
    "¥12345678901.00",  # not a mobile: it starts with 12
    "市卡中心电话021-62345678",  # a landline is the office's, not a person's
    "卡号3101070000012345",  # 16 digits: not an ID
    "银行卡6222021234567890123",  # 19 digits: neither
    "3101071938020742181",  # 19 digits: no ID inside a longer run
    "138123456789",  # 12 digits: no mobile inside a longer run
    "310107********4218",  # already masked
    "138****5678",
    "上午10:30到窗口，等候13分钟",
    "",
])
def test_dates_amounts_request_numbers_and_masked_forms_are_not_personal_data(text):
    assert kinds(text) == []


def test_both_kinds_in_one_text_in_order():
    text = "代办人手机13912345678，持11010519491231002X的身份证"
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["phone", "id_number"]
    assert text[found[0].start:found[0].end] == "13912345678"
    assert text[found[1].start:found[1].end] == "11010519491231002X"


def test_an_id_number_is_not_also_reported_as_a_phone():
    # 18 digits starting 13…: an ID number (region 13xxxx), whose middle must not count as a mobile too.
    assert kinds("130102199912311234") == ["id_number"]


@pure
@given(region=st.integers(110000, 820000), birth=st.dates(date(1900, 1, 1), date(2026, 12, 31)),
       seq=st.integers(0, 999),
       before=st.sampled_from(["", "号", "证件：", "ID "]), after=st.sampled_from(["", "。", "的老人", " 已核实"]))
def test_any_id_number_in_a_sentence_is_found(region, birth, seq, before, after):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    assert kinds(before + first17 + id_check_char(first17) + after) == ["id_number"]


@pure
@given(day=st.dates(date(1000, 1, 1), date(2999, 12, 31)), amount=st.integers(0, 10**9))
def test_no_date_or_amount_is_ever_taken_for_personal_data(day, amount):
    assert kinds(f"{day:%Y%m%d} {day:%Y-%m-%d} {day:%Y年%m月%d日} 金额{amount}元 {amount:,}元") == []
