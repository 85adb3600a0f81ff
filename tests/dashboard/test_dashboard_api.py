"""GET /api/v1/stats/outlets and its .xlsx and .csv exports (SPEC §8): the same figures, parameters checked
(400 naming the field), the outlet scope (a clerk asking for another outlet: 404), roles, audited exports read
back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.audit.services import verify_chain
from cardops.extensions import db
from tests.dashboard.district import MARCH, expected_rows
from tests.guards import ID_RUN, assert_error

URL = "/api/v1/stats/outlets"


def query(**args) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in args.items())


def test_the_api_answers_the_services_figures(district, as_, supervisor):
    answer = as_(supervisor).get(URL + query(**MARCH))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    expected = expected_rows()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    assert [row["outlet_code"] for row in body["outlets"]] == [f"PT{n:02d}" for n in range(1, 11)]
    assert body["outlets"][0] == expected["PT01"] and body["outlets"][1] == expected["PT02"]
    assert body["totals"] == expected[None]
    assert set(body) == {"from", "to", "as_of", "outlets", "totals"}


def test_a_clerk_gets_their_outlet_and_404_for_another(district, as_, clerk):
    api = as_(clerk)
    body = api.get(URL + query(**MARCH)).get_json()
    assert [row["outlet_code"] for row in body["outlets"]] == ["PT01"]
    assert body["totals"]["requests"]["total"] == 6
    assert api.get(URL + query(**MARCH, outlet_code="PT01")).status_code == 200
    for code in ("PT02", "PT99"):
        assert_error(api.get(URL + query(**MARCH, outlet_code=code)), 404, "NOT_FOUND")
        assert_error(api.get(URL + ".xlsx" + query(**MARCH, outlet_code=code)), 404, "NOT_FOUND")
        assert_error(api.get(URL + ".csv" + query(**MARCH, outlet_code=code)), 404, "NOT_FOUND")


def test_a_supervisor_may_ask_for_one_outlet(district, as_, supervisor):
    body = as_(supervisor).get(URL + query(**MARCH, outlet_code="pt02")).get_json()
    assert [row["outlet_code"] for row in body["outlets"]] == ["PT02"]
    assert body["outlets"][0] == expected_rows()["PT02"]


@pytest.mark.parametrize(("args", "field"), [
    ({"to": "2026-03-31"}, "from"),
    ({"from": "2026-03-01"}, "to"),
    ({"from": "", "to": "2026-03-31"}, "from"),
    ({"from": "2026-02-30", "to": "2026-03-31"}, "from"),
    ({"from": "2026-3-1", "to": "2026-03-31"}, "from"),
    ({"from": "20260301", "to": "2026-03-31"}, "from"),
    ({"from": "2026-03-01", "to": "yesterday"}, "to"),
    ({"from": "0001-01-01", "to": "2026-03-31"}, "from"),
    ({"from": "2026-03-01", "to": "9999-12-31"}, "to"),
    ({"from": "2026-04-01", "to": "2026-03-31"}, "from"),
    ({"from": "2023-03-01", "to": "2026-03-01"}, "to"),  # a day more than three years
])
def test_bad_periods_are_refused_naming_the_field(as_, supervisor, args, field):
    for path in (URL, URL + ".xlsx", URL + ".csv"):
        answer = as_(supervisor).get(path + query(**args))
        error = assert_error(answer, 400, "VALIDATION_ERROR")
        assert field in error["fields"], error


def test_three_years_exactly_and_a_single_day_are_fine(as_, supervisor):
    assert as_(supervisor).get(URL + query(**{"from": "2023-03-01", "to": "2026-02-28"})).status_code == 200
    assert as_(supervisor).get(URL + query(**{"from": "2024-02-29", "to": "2024-02-29"})).status_code == 200


def test_roles(client, api, admin, make_user):
    assert_error(client.get(URL + query(**MARCH)), 401, "UNAUTHENTICATED")
    assert_error(api(admin).get(URL + query(**MARCH)), 403, "FORBIDDEN")
    trainer_only = make_user("trainer")
    assert_error(api(trainer_only).get(URL + query(**MARCH)), 403, "FORBIDDEN")


def _audited_exports() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "dashboard.export")
                                   .order_by(AuditEntry.seq)))


def test_the_xlsx_export_reads_back_as_the_table(district, api, supervisor):
    answer = api(supervisor).get(URL + ".xlsx" + query(**MARCH))  # binary: read back below, not by the leak guard
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = answer.headers["Content-Disposition"]
    assert "attachment" in disposition and 'filename="outlet-stats_2026-03-01_2026-03-31.xlsx"' in disposition
    assert "filename*=UTF-8''" in disposition and answer.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["网点统计", "说明"]
    sheet = book["网点统计"]
    assert sheet.freeze_panes == "C2"
    rows = list(sheet.iter_rows(values_only=True))
    header, outlets, total = rows[0], rows[1:11], rows[11]
    assert len(rows) == 12 and header[:3] == ("网点代码", "网点名称", "申请总数")
    assert all("\u4e00" <= h[0] <= "\u9fff" for h in header)  # every header starts in Chinese
    column = {name: i for i, name in enumerate(header)}
    pt01 = dict(zip(header, outlets[0], strict=True))
    assert pt01["网点代码"] == "PT01" and pt01["申请总数"] == 6 and isinstance(pt01["申请总数"], int)
    assert pt01["类型·挂失补卡"] == 2 and pt01["状态·已领取"] == 2 and pt01["风险·高风险"] == 1
    assert pt01["时长·受理→提交制卡·中位数（小时）"] == 2.0 and pt01["时长·制卡→到卡·第90百分位（小时）"] == 232.0
    assert pt01["规则·WATCHLIST 预警名单"] == 1 and pt01["复核通过"] == 1 and pt01["复核驳回"] == 1
    assert pt01["当前·超时未办结（超2个工作日）"] == 2 and pt01["培训学时"] == 3.5
    assert pt01["最近警示教育"] == datetime(2026, 3, 12)  # a date cell
    assert outlets[2][column["时长·到卡→领取·中位数（小时）"]] is None  # PT03: no value, an empty cell
    assert total[0] == "合计" and total[column["申请总数"]] == 8 and total[column["培训学时"]] == 6.0
    assert total[column["时长·受理→提交制卡·中位数（小时）"]] == 1.5
    assert sheet.cell(row=2, column=column["最近警示教育"] + 1).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=column["时长·制卡→到卡·中位数（小时）"] + 1).number_format == "0.00"
    assert sheet.column_dimensions["B"].width >= 30  # the outlets' long names fit
    assert sheet.cell(row=12, column=1).font.bold
    notes = [row for row in book["说明"].iter_rows(values_only=True)]
    assert notes[0] == ("统计期间", "2026-03-01 至 2026-03-31")
    entry = _audited_exports()[-1]
    assert entry.actor_name == "supervisor" and entry.object_type == "outlet_stats"
    assert entry.detail == {"format": "xlsx", "from": "2026-03-01", "to": "2026-03-31", "outlet_code": None,
                            "outlets": 10}
    assert verify_chain().ok


def test_the_csv_export_has_a_bom_and_the_same_figures(district, as_, clerk):
    answer = as_(clerk).get(URL + ".csv" + query(**MARCH))
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    header, pt01, total = rows
    record = dict(zip(header, pt01, strict=True))
    assert record["网点代码"] == "PT01" and record["网点名称"] == "长寿路街道社区事务受理服务中心"
    assert record["申请总数"] == "6" and record["时长·制卡→到卡·第90百分位（小时）"] == "232.0"
    assert record["最近警示教育"] == "2026-03-12" and record["时长·到卡→领取·中位数（小时）"] == "29.0"
    assert dict(zip(header, total, strict=True))["申请总数"] == "6" and total[0] == "合计"
    entry = _audited_exports()[-1]
    assert entry.actor_name == "clerk-a" and entry.detail["format"] == "csv" and entry.detail["outlets"] == 1


def test_an_export_of_an_empty_period_still_has_its_rows(api, supervisor):
    answer = api(supervisor).get(URL + ".xlsx" + query(**{"from": "2020-01-01", "to": "2020-01-31"}))
    rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert len(rows) == 12 and rows[11][0] == "合计" and rows[11][2] == 0


def test_exports_carry_no_personal_data(district, as_, api, supervisor):
    """The leak guard of ``as_`` checks the JSON and CSV answers for ID numbers, the workbook is read back;
    applicants' names and phones never appear either."""
    texts = [as_(supervisor).get(URL + suffix + query(**MARCH)).get_data(as_text=True) for suffix in ("", ".csv")]
    book = load_workbook(io.BytesIO(api(supervisor).get(URL + ".xlsx" + query(**MARCH)).data))
    texts.append(" ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row))
    for text in texts:
        assert "吴老太" not in text and "张三" not in text and not ID_RUN.search(text)
        assert not re.search(r"1[3-9]\d{9}", text)  # no mobile number


def test_the_openapi_document_describes_the_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/stats/outlets", "/api/v1/stats/outlets.xlsx", "/api/v1/stats/outlets.csv"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert params["from"]["required"] and params["to"]["required"] and "outlet_code" in params
    row = doc["components"]["schemas"]["OutletStatsRow"]["properties"]
    assert {"requests", "turnaround_hours", "overdue", "risk", "reviews", "training"} <= set(row)
