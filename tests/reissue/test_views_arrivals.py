"""The arrival page (到卡登记): one number, a typed list, or the city card center's CSV file."""

from __future__ import annotations

import io
import re

import pytest

from tests.guards import field_errors, text
from tests.reissue.workflow_support import request_in


def outcomes(html: str) -> list[str]:
    return re.findall(r'data-outcome="(\w+)"', html)


@pytest.fixture
def batch(clerk, clerk2, other_clerk):
    """Requests a batch file names: two to arrive, one arrived, one of PT02, one still at the counter."""
    return {
        "good": request_in("submitted", clerk, clerk2),
        "good2": request_in("submitted", clerk, clerk2),
        "ready": request_in("ready", clerk, clerk2),
        "elsewhere": request_in("submitted", other_clerk, None),
        "early": request_in("intake", clerk, clerk2),
    }


def upload(web, content: bytes, filename="到卡清单.csv"):
    return web.post("/arrivals", {"mode": "batch", "file": (io.BytesIO(content), filename)},
                    content_type="multipart/form-data")


def csv_text(batch) -> str:
    return "\r\n".join([
        "number,card_number,姓名",
        f"{batch['good'].number},C0001,张三",
        f"{batch['ready'].number},C0002,李四",
        "PT01-20200101-0009,C0003,王五",
        f"{batch['elsewhere'].number},C0004,赵六",
        f"{batch['early'].number},,钱七",
        f"{batch['good2'].number},{'9' * 40},孙八",
    ]) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_from_the_city_center_every_line_reported(web, batch, encoding):
    response = upload(web.login("clerk-a"), csv_text(batch).encode(encoding))
    html = text(response)
    assert response.status_code == 200
    assert outcomes(html) == ["arrived", "already_arrived", "unknown", "other_outlet", "wrong_state", "invalid"]
    for label in ("已登记到卡", "此前已到卡", "无此申请", "其他网点的申请", "状态不符", "内容有误"):
        assert label in html
    # Good lines applied, bad lines changed nothing.
    assert batch["good"].status == "ready" and batch["good"].card_number == "C0001"
    assert batch["good2"].status == "submitted" and batch["good2"].card_number is None
    assert batch["elsewhere"].status == "submitted" and batch["early"].status == "intake"
    # Nothing about the other outlet's request beyond "other outlet".
    assert batch["elsewhere"].applicant_name not in html and batch["elsewhere"].applicant_id_masked not in html
    assert f'href="/requests/{batch["elsewhere"].number}"' not in html


def test_a_file_without_the_header_changes_nothing(web, batch):
    response = upload(web.login("clerk-a"), f"{batch['good'].number},C1\n".encode())
    assert response.status_code == 400 and "表头" in field_errors(text(response))
    assert batch["good"].status == "submitted"


def test_a_file_in_another_encoding_is_refused(web, batch):
    response = upload(web.login("clerk-a"), "number\n".encode("utf-16"))
    assert response.status_code == 400 and "UTF-8 或 GB18030" in field_errors(text(response))


def test_a_typed_list(web, batch):
    numbers = f"{batch['good'].number}\n\n{batch['good2'].number.lower()} C9\nnot-a-number\n"
    html = text(web.login("clerk-a").post("/arrivals", {"mode": "batch", "numbers": numbers}))
    assert outcomes(html) == ["arrived", "arrived", "unknown"]
    assert batch["good2"].card_number == "C9"


def test_one_number_at_a_time(web, batch):
    web.login("clerk-a")
    html = text(web.post("/arrivals", {"mode": "single", "number": batch["good"].number, "card_number": "C5"}))
    assert outcomes(html) == ["arrived"] and batch["good"].status == "ready"
    assert re.search(r'<input[^>]*name="number"[^>]*value=""', html)  # emptied, ready for the next scan
    html = text(web.post("/arrivals", {"mode": "single", "number": batch["good"].number}))
    assert outcomes(html) == ["already_arrived"]


def test_nothing_entered(web, batch):
    web.login("clerk-a")
    response = web.post("/arrivals", {"mode": "single", "number": ""})
    assert response.status_code == 400 and "请输入或扫描申请编号" in field_errors(text(response))
    response = web.post("/arrivals", {"mode": "batch", "numbers": ""})
    assert response.status_code == 400 and "请粘贴申请编号清单" in field_errors(text(response))


def test_the_page_explains_the_file(web, clerk):
    html = web.login("clerk-a").page("/arrivals")
    assert 'enctype="multipart/form-data"' in html and "GB18030" in html and "card_number" in html
