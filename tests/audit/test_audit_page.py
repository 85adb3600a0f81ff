"""The audit page as supervisors read it: words instead of codes, sign-ins on request, exports (audited)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from tests.reissue.workflow_support import request_in


def test_actions_staff_and_details_read_as_words(web, clerk, clerk2, supervisor):
    r = request_in("ready", clerk, clerk2)
    db.session.commit()
    page = web.login("supervisor").page("/audit/")
    assert "新卡到达" in page and "状态 制卡中 → 待领取" in page  # the detail as a sentence
    assert "受理员甲" in page and "clerk-a" in page  # the name staff know, the username beside it
    assert f'href="/requests/{r.number}"' in page  # the request as a link
    assert 'title="reissue.arrive"' in page and "<code>reissue.arrive</code>" in page  # codes one click away
    assert 'data-action="auth.login"' not in page  # sign-ins hidden by default
    signins = web.page("/audit/?category=signin")
    assert 'data-action="auth.login"' in signins and 'data-action="reissue.arrive"' not in signins
    everything = web.page("/audit/?category=all")
    assert 'data-action="auth.login"' in everything and 'data-action="reissue.arrive"' in everything


def test_the_filtered_log_exports_to_csv_with_a_bom_and_is_audited(web, clerk, clerk2, supervisor):
    r = request_in("submitted", clerk, clerk2)
    db.session.commit()
    response = web.login("supervisor").get(f"/audit/export.csv?object_id={r.number}")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "序号" and len(rows) > 2 and all(row[7] == r.number for row in rows[1:])
    assert any(row[5] == "reissue.submit" and "状态 受理中 → 制卡中" in row[10] for row in rows[1:])
    exported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export")).one()
    assert exported.detail["format"] == "csv" and exported.detail["rows"] == len(rows) - 1
    assert exported.detail["filters"] == {"object_id": r.number}


def test_the_excel_export_opens(web, clerk, clerk2, supervisor):
    request_in("submitted", clerk, clerk2)
    db.session.commit()
    response = web.login("supervisor").client.get("/audit/export.xlsx?category=requests")  # binary: no text guard
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *rows = list(sheet.values)
    cells = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "********" in cells and not any(len(w) == 18 and w[:17].isdigit() for w in cells.split())
    assert header[4] == "操作" and rows and {row[5] for row in rows} <= {
        "reissue.intake", "reissue.check", "reissue.submit"}


def test_only_supervisors_and_admins_export(web, clerk, supervisor):
    web.login("clerk-a")
    assert web.get("/audit/export.csv").status_code == 403
    assert web.get("/audit/").status_code == 403


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "yesterday"])
def test_a_date_no_timestamp_can_hold_leaves_the_filter_out_instead_of_failing(web, supervisor, day):
    web.login("supervisor")
    for name in ("from", "to"):
        assert web.get(f"/audit/?{name}={day}").status_code == 200
