"""Review (双人复核) in the browser: queues, the second clerk, self-review, the supervisor's password."""

from __future__ import annotations

from cardops.extensions import db
from cardops.reissue import services
from cardops.risk import watchlist
from tests.conftest import DEMO_PASSWORD
from tests.guards import field_errors, flashes, text
from tests.reissue.helpers import make_id, person
from tests.reissue.workflow_support import pass_missing_checks, request_in


def review_path(r) -> str:
    return f"/requests/{r.number}/review"


def high_risk_request(clerk, supervisor):
    """Pending review at the district level: the applicant is on the watchlist."""
    listed = make_id()
    watchlist.add_entry(supervisor, {"id_number": listed, "reason": "deceased"})
    r = request_in("intake", clerk, None, applicant=person(id_number=listed))
    pass_missing_checks(clerk, r)
    assert services.submit(clerk, r) is True and r.risk_level == "high"
    db.session.commit()
    return r


def test_a_second_clerk_approves_a_proxy_request(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    queue = web.page("/review")
    assert r.number in queue and f'href="{review_path(r)}"' in queue
    page = web.page(review_path(r))
    assert "代办申请，须由第二人复核" in page and 'name="decision"' in page and 'name="password"' not in page
    response = web.post(review_path(r), {"decision": "approve", "reason": "材料齐全", "version": r.version})
    assert response.headers["Location"].endswith("/review")
    assert f"{r.number} 复核通过，已提交制卡" in flashes(web.follow(response))
    assert r.status == "submitted" and r.reviewed_by_id == clerk2.id and r.review_reason == "材料齐全"
    assert r.number not in web.page("/review")


def test_the_intake_clerk_cannot_review_their_own_request(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-a")
    queue = web.page("/review")
    assert "受理人不能复核自己受理的申请" in queue and f'href="{review_path(r)}"' not in queue
    page = web.page(review_path(r))
    assert "受理人不能复核自己受理的申请" in page and 'name="decision"' not in page
    response = web.post(review_path(r), {"decision": "approve", "version": r.version})
    assert response.status_code == 403 and "受理人不能复核自己受理的申请" in text(response)
    assert r.status == "pending_review"


def test_reject_needs_a_reason(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    response = web.post(review_path(r), {"decision": "reject", "reason": "", "version": r.version})
    assert response.status_code == 400 and "请填写理由" in field_errors(text(response))
    assert r.status == "pending_review"
    response = web.post(review_path(r), {"decision": "reject", "reason": "授权书签字不符", "version": r.version})
    assert f"{r.number} 已驳回" in flashes(web.follow(response))
    assert r.status == "rejected" and r.closed_reason == "授权书签字不符"


def test_a_decision_must_be_chosen(web, clerk, clerk2):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    response = web.login("clerk-b").post(review_path(r), {"reason": "", "version": r.version})
    errors = field_errors(text(response))
    assert response.status_code == 400 and "请选择复核结论" in errors
    assert "approve" not in errors and "reject" not in errors  # a form never shows the codes


def test_a_clerk_cannot_review_a_high_risk_request(web, clerk, clerk2, supervisor):
    r = high_risk_request(clerk, supervisor)
    web.login("clerk-b")
    assert "高风险申请须由区卡中心督导复核" in web.page("/review")
    assert "高风险申请须由区卡中心督导复核" in web.page(review_path(r))
    response = web.post(review_path(r), {"decision": "approve", "version": r.version})
    assert response.status_code == 403 and r.status == "pending_review"


def test_supervisor_approving_high_risk_re_enters_the_password(web, clerk, supervisor):
    r = high_risk_request(clerk, supervisor)
    web.login("supervisor")
    page = web.page(review_path(r))
    assert 'name="password"' in page and "申请人在预警名单上（已故）" in page
    response = web.post(review_path(r), {"decision": "approve", "password": "not-my-password",
                                         "version": r.version})
    html = text(response)
    assert response.status_code == 403 and "密码不正确，请重新输入您的登录密码" in field_errors(html)
    assert "not-my-password" not in html and r.status == "pending_review"
    response = web.post(review_path(r), {"decision": "approve", "password": DEMO_PASSWORD, "version": r.version})
    assert response.status_code == 302
    assert r.status == "submitted" and r.review_level == "district"


def test_wrong_re_entered_passwords_are_audited_and_lock_like_failed_sign_ins(app, web, clerk, supervisor):
    from sqlalchemy import select

    from cardops.audit.models import AuditEntry
    from cardops.extensions import db

    r = high_risk_request(clerk, supervisor)
    web.login("supervisor")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = web.post(review_path(r), {"decision": "approve", "password": "guess", "version": r.version})
        assert response.status_code == 403
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == supervisor.id)).all()
    assert actions.count("auth.login_failed") == app.config["LOGIN_MAX_FAILURES"] - 1
    assert "auth.account_locked" in actions
    assert supervisor.is_locked()
    # Locked: even the right password no longer approves, and nothing changed on the request.
    response = web.post(review_path(r), {"decision": "approve", "password": DEMO_PASSWORD, "version": r.version})
    assert response.status_code == 403 and r.status == "pending_review"


def test_supervisor_rejects_high_risk_without_the_password(web, clerk, supervisor):
    r = high_risk_request(clerk, supervisor)
    response = web.login("supervisor").post(review_path(r), {"decision": "reject", "reason": "持卡人已故",
                                                             "version": r.version})
    assert response.status_code == 302 and r.status == "rejected"


def test_supervisor_queue_spans_outlets_high_risk_first(web, clerk, clerk2, other_clerk, supervisor):
    medium_here = request_in("pending_review", clerk, clerk2)
    medium_there = request_in("pending_review", other_clerk, None)
    high = high_risk_request(clerk2, supervisor)
    html = web.login("supervisor").page("/review")
    positions = [html.index(r.number) for r in (high, medium_here, medium_there)]
    assert positions[0] < positions[1] and positions[0] < positions[2]
    assert "PT02" in html
    only_pt02 = web.page("/review?outlet_code=PT02")
    assert medium_there.number in only_pt02 and medium_here.number not in only_pt02


def test_a_clerk_sees_only_their_outlets_review_queue(web, clerk, clerk2, other_clerk):
    here = request_in("pending_review", clerk, clerk2)
    there = request_in("pending_review", other_clerk, None)
    html = web.login("clerk-b").page("/review")
    assert here.number in html and there.number not in html


def test_review_of_a_request_not_pending_explains_itself(web, clerk, clerk2):
    r = request_in("submitted", clerk, clerk2)
    page = web.login("clerk-b").page(review_path(r))
    assert "申请当前状态不允许“复核通过”" in page and 'name="decision"' not in page


def test_two_reviewers_at_once_one_wins_the_other_is_told(web, clerk, clerk2, supervisor):
    r = request_in("pending_review", clerk, clerk2)
    db.session.commit()
    web.login("clerk-b")
    seen_version = r.version
    web.page(review_path(r))
    services.review(supervisor, r, "approve", "督导已复核")
    db.session.commit()
    response = web.post(review_path(r), {"decision": "reject", "reason": "材料不全", "version": seen_version})
    assert response.status_code == 409 and "申请当前状态不允许" in text(response)
    assert r.status == "submitted" and r.reviewed_by_id == supervisor.id
