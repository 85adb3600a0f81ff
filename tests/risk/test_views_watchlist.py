"""The watchlist page (预警名单, supervisors): list masked, add, remove with a reason."""

from __future__ import annotations

from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from cardops.risk.models import WatchlistEntry
from tests.guards import field_errors, flashes, text
from tests.reissue.helpers import make_id, person
from tests.reissue.workflow_support import new_request


def entries() -> list[WatchlistEntry]:
    return list(db.session.scalars(select(WatchlistEntry).order_by(WatchlistEntry.id)))


def test_only_supervisors(web, clerk):
    web.login("clerk-a")
    assert web.get("/watchlist").status_code == 403
    assert web.post("/watchlist", {"id_number": make_id(), "reason": "deceased"}).status_code == 403
    assert entries() == []


def test_add_list_and_remove(web, supervisor):
    listed = make_id()
    web.login("supervisor")
    response = web.post("/watchlist", {"id_number": listed, "reason": "police_hold", "note": "协查函 2026-17"})
    [entry] = entries()
    html = web.follow(response)
    assert f"已加入预警名单：{entry.id_masked}" in flashes(html)
    row = html.split(f'data-entry="{entry.id}"')[1].split("</tr>")[0]
    assert entry.id_masked in row and "公安协查" in row and "协查函 2026-17" in row and "督导" in row
    assert listed not in html

    response = web.post(f"/watchlist/{entry.id}/remove", {"reason": ""})
    assert "请填写理由" in flashes(web.follow(response)) and entry.removed_at is None
    response = web.post(f"/watchlist/{entry.id}/remove", {"reason": "协查结束"})
    html = web.follow(response)
    assert "已从预警名单移除" in flashes(html) and f'data-entry="{entry.id}"' not in html
    assert entry.removed_reason == "协查结束"
    actions = [a for a, in db.session.execute(select(AuditEntry.action).where(AuditEntry.object_type ==
                                                                               "watchlist_entry"))]
    assert actions == ["watchlist.add", "watchlist.remove"]


def test_bad_input_comes_back_on_the_form(web, supervisor):
    web.login("supervisor")
    response = web.post("/watchlist", {"id_number": "310107", "reason": ""})
    errors = field_errors(text(response))
    assert response.status_code == 400 and "身份证号码应为18位" in errors and "原因应为" in errors
    listed = make_id()
    web.post("/watchlist", {"id_number": listed, "reason": "deceased"})
    response = web.post("/watchlist", {"id_number": listed, "reason": "other"})
    assert response.status_code == 409 and "已在预警名单上" in field_errors(text(response))
    assert listed not in text(response) and len(entries()) == 1


def test_a_listed_applicant_makes_the_request_high_risk_with_the_reason(web, clerk, supervisor):
    listed = make_id()
    web.login("supervisor").post("/watchlist", {"id_number": listed, "reason": "deceased"})
    r = new_request(clerk, applicant=person(id_number=listed))
    html = web.logout().login("clerk-a").page(f"/requests/{r.number}")
    assert "高风险" in html and "WATCHLIST" in html and "申请人在预警名单上（已故）" in html
