"""The intake form (新受理): Chinese field errors, proxy fields, one open request per applicant, outlets."""

from __future__ import annotations

import re

from sqlalchemy import select

from cardops.extensions import db
from cardops.reissue.models import ReissueRequest
from tests.guards import field_errors, flashes, text
from tests.reissue.helpers import make_id, make_phone
from tests.reissue.workflow_support import applicant_id, new_request


def form(**changes) -> dict:
    data = {"kind": "lost", "channel": "in_person", "applicant_id_number": make_id(), "applicant_name": "王秀英",
            "applicant_phone": make_phone(), "note": ""}
    data.update(changes)
    return data


def only_request() -> ReissueRequest:
    return db.session.scalars(select(ReissueRequest)).one()


def test_the_form_offers_kinds_channels_and_hides_agent_fields_for_scripts_only(web, clerk):
    html = web.login("clerk-a").page("/requests/new")
    for label in ("挂失补卡", "损坏换卡", "到期换卡", "信息变更换卡", "本人办理", "代办", "申请人身份证号码"):
        assert label in html
    # The agent block is in the page (works without JS) and marked for the script to show only for a proxy.
    assert 'data-show-when="channel=proxy"' in html and 'name="agent_id_number"' in html
    assert 'data-validate="id-number"' in html and 'data-validate="phone"' in html
    assert "<script>" not in html and " style=" not in html  # the CSP forbids both
    assert 'name="outlet_code"' not in html  # a clerk takes requests at their own outlet


def test_intake_creates_the_request_and_opens_its_page(web, clerk):
    response = web.login("clerk-a").post("/requests/new", form())
    created = only_request()
    assert response.headers["Location"].endswith(f"/requests/{created.number}")
    html = web.follow(response)
    assert f"已受理 {created.number}" in flashes(html)
    assert created.outlet.code == "PT01" and created.status == "intake" and created.created_by_id == clerk.id
    assert created.applicant_id_masked in html


def test_bad_id_checksum_comes_back_in_chinese_and_without_the_number(web, clerk):
    good = make_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = web.login("clerk-a").post("/requests/new", form(applicant_id_number=wrong, applicant_phone="12345"))
    html = text(response)
    assert response.status_code == 400
    assert "申请人身份证号码校验位不正确，请核对" in field_errors(html)
    assert "申请人手机号码应为11位大陆手机号" in field_errors(html)
    assert wrong not in html and 'value="王秀英"' in html  # the name stays, the ID number must be typed again
    assert db.session.scalars(select(ReissueRequest)).first() is None


def test_missing_choices_and_names_are_named(web, clerk):
    response = web.login("clerk-a").post("/requests/new", {"applicant_id_number": "", "applicant_name": "",
                                                          "applicant_phone": ""})
    errors = field_errors(text(response))
    assert response.status_code == 400
    for message in ("请选择业务类型", "请填写申请人身份证号码", "请填写申请人姓名",
                    "请填写申请人手机号码"):
        assert message in errors


def test_a_valid_id_on_a_refused_form_is_shown_masked_as_a_hint(web, clerk):
    id_number = make_id()
    html = text(web.login("clerk-a").post("/requests/new", form(applicant_id_number=id_number, applicant_phone="1")))
    assert id_number not in html
    assert f'placeholder="请重新输入 {id_number[:6]}********{id_number[-4:]}"' in html


def test_proxy_needs_the_agent_and_records_it_masked(web, clerk):
    web.login("clerk-a")
    response = web.post("/requests/new", form(channel="proxy"))
    errors = field_errors(text(response))
    assert response.status_code == 400
    assert "请填写代办人身份证号码" in errors and "请填写代办人姓名" in errors and "请填写与申请人关系" in errors

    agent_id = make_id()
    response = web.post("/requests/new", form(channel="proxy", agent_id_number=agent_id, agent_name="李四",
                                              agent_phone=make_phone(), agent_relation="子女"))
    created = only_request()
    html = web.follow(response)
    assert created.agent_name == "李四" and created.agent_relation == "子女"
    assert created.agent_id_masked in html and "代办人" in html and "PROXY_APPLICATION" in html


def test_agent_same_as_applicant_is_refused(web, clerk):
    same = make_id()
    response = web.login("clerk-a").post("/requests/new", form(
        channel="proxy", applicant_id_number=same, agent_id_number=same, agent_name="王秀英",
        agent_phone=make_phone(), agent_relation="其他"))
    assert response.status_code == 400
    assert "代办人与申请人不能是同一人" in field_errors(text(response))


def test_agent_fields_are_ignored_for_an_in_person_request(web, clerk):
    # Without JavaScript the agent block stays visible; typing in it must not break an in-person intake.
    response = web.login("clerk-a").post("/requests/new", form(agent_name="李四", agent_relation="子女"))
    assert response.status_code == 302
    assert only_request().agent_name is None


def test_second_open_request_names_the_outlet_that_has_it(web, clerk, other_clerk):
    first = new_request(other_clerk)
    response = web.login("clerk-a").post("/requests/new", form(applicant_id_number=applicant_id(first)))
    html = text(response)
    assert response.status_code == 409
    assert "PT02（曹杨新村街道社区事务受理服务中心）已有一笔未办结的申请" in flashes(html)


def test_a_supervisor_chooses_the_outlet(web, supervisor):
    web.login("supervisor")
    html = web.page("/requests/new")
    assert 'name="outlet_code"' in html and "PT10 桃浦镇社区事务受理服务中心" in html
    response = web.post("/requests/new", form())
    assert response.status_code == 400 and "请指定受理网点" in field_errors(text(response))
    response = web.post("/requests/new", form(outlet_code="PT03"))
    assert response.status_code == 302
    assert only_request().number.startswith("PT03-")


def test_trainer_without_clerk_role_cannot_take_requests(web, make_user):
    make_user("trainer", username="trainer-only")
    web.login("trainer-only")
    assert web.get("/requests/new").status_code == 403
    assert web.get("/requests").status_code == 403


def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/requests/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_field_ids_are_unique(web, clerk):
    html = web.login("clerk-a").page("/requests/new")
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
