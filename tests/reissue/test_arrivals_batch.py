"""Batch arrival (cardops/reissue/arrivals.py) as plain functions: decoding, parsing, applying per line."""

from __future__ import annotations

import pytest

from cardops.core.errors import ValidationError
from cardops.reissue import arrivals
from cardops.reissue.arrivals import ArrivalRow
from tests.reissue.workflow_support import request_in

CSV = "number,card_number,备注\nPT01-20261126-0001,C001,张三的卡\n\nPT01-20261126-0002,,李四\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_decode_accepts_utf8_with_or_without_bom_and_gb18030(encoding):
    assert arrivals.decode_batch(CSV.encode(encoding)) == CSV


def test_decode_refuses_what_is_neither():
    with pytest.raises(ValidationError) as refused:
        arrivals.decode_batch(b"\x81\x30\xff\xfe")
    assert "UTF-8 或 GB18030" in refused.value.fields["file"]


def test_decode_refuses_a_huge_file():
    with pytest.raises(ValidationError):
        arrivals.decode_batch(b"x" * (arrivals.MAX_FILE_BYTES + 1))


def test_parse_csv_reads_number_and_card_number_with_file_line_numbers():
    assert arrivals.parse_csv(CSV) == [ArrivalRow(2, "PT01-20261126-0001", "C001"),
                                       ArrivalRow(4, "PT01-20261126-0002", None)]


def test_parse_csv_columns_in_any_order_and_case_and_lowercase_numbers():
    rows = arrivals.parse_csv("Card_Number ,NUMBER\nC9, pt01-20261126-0003 \n")
    assert rows == [ArrivalRow(2, "PT01-20261126-0003", "C9")]


def test_parse_csv_needs_the_header():
    with pytest.raises(ValidationError) as refused:
        arrivals.parse_csv("PT01-20261126-0001,C001\n")
    assert "表头" in refused.value.fields["file"]
    with pytest.raises(ValidationError):
        arrivals.parse_csv("\n\n")


def test_parse_lines_one_number_per_line_optionally_with_a_card_number():
    rows = arrivals.parse_lines("pt01-20261126-0001\n\n  PT01-20261126-0002  C77 \nPT01-20261126-0003，C78\n")
    assert rows == [ArrivalRow(1, "PT01-20261126-0001", None), ArrivalRow(3, "PT01-20261126-0002", "C77"),
                    ArrivalRow(4, "PT01-20261126-0003", "C78")]


def test_apply_reports_every_line_and_changes_only_the_good_ones(clerk, clerk2, other_clerk):
    good = request_in("submitted", clerk, clerk2)
    also_good = request_in("submitted", clerk, clerk2)
    done = request_in("ready", clerk, clerk2)
    early = request_in("intake", clerk, clerk2)
    elsewhere = request_in("submitted", other_clerk, None)
    rows = [ArrivalRow(2, good.number, "C1"), ArrivalRow(3, done.number), ArrivalRow(4, "PT01-20200101-0001"),
            ArrivalRow(5, elsewhere.number), ArrivalRow(6, early.number), ArrivalRow(7, also_good.number, "C" * 40),
            ArrivalRow(8, ""), ArrivalRow(9, good.number)]
    results = arrivals.apply_arrivals(clerk, rows)
    assert [(r.line, r.outcome) for r in results] == [
        (2, "arrived"), (3, "already_arrived"), (4, "unknown"), (5, "other_outlet"), (6, "wrong_state"),
        (7, "invalid"), (8, "invalid"), (9, "already_arrived")]
    assert good.status == "ready" and good.card_number == "C1"
    assert also_good.status == "submitted" and also_good.card_number is None
    assert elsewhere.status == "submitted" and early.status == "intake"
    assert "卡号不能超过32个字符" in results[5].message
    # Another outlet's request: said to be elsewhere, nothing about its state or applicant.
    assert results[3].message == "该申请不属于本网点，未登记"
    assert arrivals.summarise(results)["arrived"] == 1


def test_a_supervisor_may_record_arrival_for_any_outlet(clerk, other_clerk, supervisor):
    elsewhere = request_in("submitted", other_clerk, None)
    [result] = arrivals.apply_arrivals(supervisor, [ArrivalRow(1, elsewhere.number)])
    assert result.outcome == "arrived" and elsewhere.status == "ready"
