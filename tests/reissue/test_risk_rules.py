"""The anti-impersonation rules (SPEC §3.4), each at and just below its threshold and at its window's edge.

Earlier requests are made through the intake service and then moved into the past (and into a closed state)
directly in the database; thresholds are read from ``app.config`` at evaluation time.
"""

from __future__ import annotations

import re

import pytest

from cardops.core.errors import ValidationError
from cardops.reissue import services
from cardops.reissue.rules import RULES
from cardops.risk import watchlist
from tests.reissue.helpers import make_phone, person
from tests.reissue.workflow_support import history, new_request, pass_missing_checks, record, request_in


def flags(request) -> dict[str, tuple[str, str]]:
    return {f.code: (f.level, f.reason) for f in request.flags}


def assert_plain_chinese(reason: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]{4,}", reason), reason
    assert not re.search(r"[{}%]|None|RISK_|\d{6,}", reason), reason


def test_every_spec_rule_is_registered():
    assert set(RULES.rules) >= {"PROXY_APPLICATION", "RECENT_REISSUE", "SHARED_PHONE", "SERIAL_AGENT", "WATCHLIST",
                          "FAILED_CHECK"}


def test_a_plain_in_person_request_is_low_risk(clerk):
    request = new_request(clerk, kind="expired")
    assert request.flags == [] and request.risk_level == "low"


# --- PROXY_APPLICATION ---------------------------------------------------------------------------------------

def test_a_proxy_application_is_medium(clerk):
    request = new_request(clerk, channel="proxy")
    assert flags(request) == {"PROXY_APPLICATION": ("medium", "代办申请，须由第二人复核")}
    assert request.risk_level == "medium"


# --- RECENT_REISSUE ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["collected", "returned"])
def test_one_earlier_reissue_within_a_year_is_medium(clerk, status):
    applicant = person()
    history(clerk, applicant=applicant, status=status, days_ago=364)
    request = new_request(clerk, applicant=applicant)
    level, reason = flags(request)["RECENT_REISSUE"]
    assert level == "medium" and request.risk_level == "medium"
    assert reason == "申请人近365天内已补换卡1次"
    assert_plain_chinese(reason)


def test_two_earlier_reissues_within_a_year_are_high(clerk):
    applicant = person()
    history(clerk, applicant=applicant, status="collected", days_ago=300)
    history(clerk, applicant=applicant, status="returned", days_ago=20)
    request = new_request(clerk, applicant=applicant)
    assert flags(request)["RECENT_REISSUE"] == ("high", "申请人近365天内已补换卡2次")
    assert request.risk_level == "high" and "phone_callback" in request.required_checks


@pytest.mark.parametrize("status", ["cancelled", "rejected"])
def test_abandoned_requests_are_not_reissues(clerk, status):
    applicant = person()
    history(clerk, applicant=applicant, status=status, days_ago=10)
    history(clerk, applicant=applicant, status=status, days_ago=5)
    request = new_request(clerk, applicant=applicant)
    assert "RECENT_REISSUE" not in flags(request)


def test_a_reissue_older_than_the_window_does_not_count(clerk):
    applicant = person()
    history(clerk, applicant=applicant, status="collected", days_ago=366)
    request = new_request(clerk, applicant=applicant)
    assert "RECENT_REISSUE" not in flags(request)
    history_applicant = person()
    history(clerk, applicant=history_applicant, status="collected", days_ago=366)
    history(clerk, applicant=history_applicant, status="collected", days_ago=100)
    request = new_request(clerk, applicant=history_applicant)
    assert flags(request)["RECENT_REISSUE"][0] == "medium"  # only one of the two is in the window


def test_another_applicants_reissues_do_not_count(clerk):
    history(clerk, status="collected", days_ago=10)
    history(clerk, status="collected", days_ago=20)
    assert "RECENT_REISSUE" not in flags(new_request(clerk))


def test_a_card_collected_through_the_workflow_counts_for_the_next_request(clerk, clerk2):
    applicant = person()
    request_in("collected", clerk, clerk2, applicant=applicant)
    again = new_request(clerk2, applicant=applicant, kind="damaged")
    assert flags(again) == {"RECENT_REISSUE": ("medium", "申请人近365天内已补换卡1次")}
    pass_missing_checks(clerk2, again)
    assert services.submit(clerk2, again) is True  # a second reissue within a year needs a second person


# --- SHARED_PHONE --------------------------------------------------------------------------------------------

def _phone_used_by(clerk, phone, n_others, *, days_ago=10, status="cancelled"):
    for _ in range(n_others):
        history(clerk, applicant=person(phone=phone), status=status, days_ago=days_ago)


@pytest.mark.parametrize("status", ["cancelled", "rejected", "collected"])
def test_a_phone_on_two_other_applicants_requests_is_medium(clerk, status):
    phone = make_phone()
    _phone_used_by(clerk, phone, 2, status=status)  # abandoned attempts are attempts too
    request = new_request(clerk, applicant=person(phone=phone))
    assert flags(request)["SHARED_PHONE"] == ("medium", "申请人手机号近90天已登记在2名其他申请人的申请上")
    assert request.risk_level == "medium"
    assert_plain_chinese(flags(request)["SHARED_PHONE"][1])


def test_a_phone_on_one_other_applicants_request_is_fine(clerk):
    phone = make_phone()
    _phone_used_by(clerk, phone, 1)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=person(phone=phone)))


def test_the_same_other_applicant_twice_counts_once(clerk):
    phone, other = make_phone(), person()
    other["phone"] = phone
    history(clerk, applicant=other, status="cancelled", days_ago=30)
    history(clerk, applicant=other, status="cancelled", days_ago=20)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=person(phone=phone)))


def test_the_applicants_own_earlier_requests_do_not_count(clerk):
    phone, applicant = make_phone(), person()
    applicant["phone"] = phone
    history(clerk, applicant=applicant, status="cancelled", days_ago=30)
    _phone_used_by(clerk, phone, 1)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=applicant))


def test_a_shared_phone_outside_the_90_days_does_not_count(clerk):
    phone = make_phone()
    _phone_used_by(clerk, phone, 1, days_ago=89)
    _phone_used_by(clerk, phone, 1, days_ago=91)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=person(phone=phone)))


def test_the_same_phone_written_differently_is_the_same_phone(clerk):
    phone = make_phone()
    _phone_used_by(clerk, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", 2)
    assert "SHARED_PHONE" in flags(new_request(clerk, applicant=person(phone=phone)))


def test_a_phone_in_full_width_digits_cannot_slip_past_the_rule(clerk):
    phone = make_phone()
    _phone_used_by(clerk, phone, 2)
    full_width = phone[:3] + phone[3:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(ValidationError):  # refused, not stored as a second spelling of the same phone
        new_request(clerk, applicant=person(phone=full_width))


# --- SERIAL_AGENT --------------------------------------------------------------------------------------------

def _agent_for(clerk, agent, n_others, *, days_ago=5, status="collected", applicant=None):
    for _ in range(n_others):
        history(clerk, applicant=applicant or person(), channel="proxy", agent=agent, status=status,
                days_ago=days_ago)


@pytest.mark.parametrize("status", ["collected", "cancelled", "rejected"])
def test_an_agent_for_the_third_applicant_in_30_days_is_high(clerk, status):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 2, status=status)
    request = new_request(clerk, channel="proxy", agent=agent)
    level, reason = flags(request)["SERIAL_AGENT"]
    assert level == "high" and request.risk_level == "high"
    assert "代办人近30天已为2名其他申请人代办" in reason
    assert_plain_chinese(reason)
    assert request.review_level_needed == "district"


def test_an_agent_for_a_second_applicant_is_only_a_proxy_application(clerk):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 1)
    request = new_request(clerk, channel="proxy", agent=agent)
    assert set(flags(request)) == {"PROXY_APPLICATION"} and request.risk_level == "medium"


def test_the_same_applicant_again_is_not_another_applicant(clerk):
    agent, applicant = person(name="赵六", relation="子女"), person()
    _agent_for(clerk, agent, 1, applicant=applicant)
    _agent_for(clerk, agent, 1)
    request = new_request(clerk, channel="proxy", agent=agent, applicant=applicant)
    assert "SERIAL_AGENT" not in flags(request)


def test_agency_older_than_30_days_does_not_count(clerk):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 1, days_ago=29)
    _agent_for(clerk, agent, 1, days_ago=31)
    assert "SERIAL_AGENT" not in flags(new_request(clerk, channel="proxy", agent=agent))


def test_agency_counts_across_outlets(clerk, other_clerk):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 1)
    _agent_for(other_clerk, agent, 1)
    assert "SERIAL_AGENT" in flags(new_request(other_clerk, channel="proxy", agent=agent))


# --- WATCHLIST -----------------------------------------------------------------------------------------------

def test_a_listed_applicant_is_high(clerk, supervisor):
    applicant = person()
    watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "deceased"})
    request = new_request(clerk, applicant=applicant)
    assert flags(request) == {"WATCHLIST": ("high", "申请人在预警名单上（已故）")}
    assert request.risk_level == "high"


def test_a_listed_agent_is_high(clerk, supervisor):
    agent = person(name="钱七", relation="配偶")
    watchlist.add_entry(supervisor, {"id_number": agent["id_number"], "reason": "police_hold"})
    request = new_request(clerk, channel="proxy", agent=agent)
    assert flags(request)["WATCHLIST"] == ("high", "代办人在预警名单上（公安协查）")
    assert request.risk_level == "high"


def test_both_listed_are_named_in_one_reason(clerk, supervisor):
    applicant, agent = person(), person(name="钱七", relation="配偶")
    watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "identity_theft"})
    watchlist.add_entry(supervisor, {"id_number": agent["id_number"], "reason": "other"})
    request = new_request(clerk, channel="proxy", applicant=applicant, agent=agent)
    reason = flags(request)["WATCHLIST"][1]
    assert "申请人在预警名单上（身份冒用）" in reason and "代办人在预警名单上（其他）" in reason
    assert_plain_chinese(reason)


def test_a_removed_entry_no_longer_fires(clerk, supervisor):
    applicant = person()
    entry = watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "deceased"})
    watchlist.remove_entry(supervisor, entry.id, "经核实系误报")
    request = new_request(clerk, applicant=applicant)
    assert "WATCHLIST" not in flags(request) and request.risk_level == "low"


def test_risk_is_evaluated_again_when_a_check_is_recorded(clerk, supervisor):
    applicant = person()
    request = new_request(clerk, kind="damaged", applicant=applicant)
    assert request.risk_level == "low"
    entry = watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "police_hold"})
    assert request.risk_level == "low"  # nothing changes until the request is looked at again …
    record(clerk, request, "id_document")
    assert request.risk_level == "high" and "WATCHLIST" in flags(request)  # … at the next check
    assert "phone_callback" in request.missing_checks
    watchlist.remove_entry(supervisor, entry.id, "协查已结束")
    record(clerk, request, "face_match")
    assert request.risk_level == "low" and request.flags == []
    assert "phone_callback" not in request.required_checks


# --- FAILED_CHECK --------------------------------------------------------------------------------------------

def test_every_failed_step_is_named_and_the_flag_stays(clerk):
    request = new_request(clerk, channel="proxy")
    record(clerk, request, "face_match", "fail")
    record(clerk, request, "proxy_authorization", "fail")
    record(clerk, request, "face_match", "fail")
    pass_missing_checks(clerk, request)
    level, reason = flags(request)["FAILED_CHECK"]
    assert level == "high" and request.risk_level == "high"
    assert reason == "身份核验“人证比对、代办授权查验”曾记录为不通过"
    assert set(flags(request)) == {"PROXY_APPLICATION", "FAILED_CHECK"}


def test_a_clean_request_has_no_failed_check_flag(clerk):
    request = new_request(clerk, kind="damaged")
    pass_missing_checks(clerk, request)
    assert "FAILED_CHECK" not in flags(request)


# --- thresholds come from the configuration ------------------------------------------------------------------

def test_the_serial_agent_threshold_follows_the_configuration(app, clerk, monkeypatch):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 1)
    monkeypatch.setitem(app.config, "RISK_SERIAL_AGENT_OTHERS", 1)
    request = new_request(clerk, channel="proxy", agent=agent)
    assert flags(request)["SERIAL_AGENT"] == ("high", "代办人近30天已为1名其他申请人代办")


def test_the_serial_agent_window_follows_the_configuration(app, clerk, monkeypatch):
    agent = person(name="赵六", relation="其他")
    _agent_for(clerk, agent, 2, days_ago=40)
    monkeypatch.setitem(app.config, "RISK_SERIAL_AGENT_DAYS", 45)
    assert flags(new_request(clerk, channel="proxy", agent=agent))["SERIAL_AGENT"][1] == (
        "代办人近45天已为2名其他申请人代办")


def test_the_shared_phone_window_and_count_follow_the_configuration(app, clerk, monkeypatch):
    phone = make_phone()
    _phone_used_by(clerk, phone, 2, days_ago=45)
    monkeypatch.setitem(app.config, "RISK_SHARED_PHONE_OTHERS", 3)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=person(phone=phone)))  # 2 others
    monkeypatch.setitem(app.config, "RISK_SHARED_PHONE_OTHERS", 2)
    monkeypatch.setitem(app.config, "RISK_SHARED_PHONE_DAYS", 30)
    assert "SHARED_PHONE" not in flags(new_request(clerk, applicant=person(phone=phone)))  # 1 other in 30 days
    monkeypatch.setitem(app.config, "RISK_SHARED_PHONE_DAYS", 90)
    request = new_request(clerk, applicant=person(phone=phone))
    assert flags(request)["SHARED_PHONE"] == ("medium", "申请人手机号近90天已登记在4名其他申请人的申请上")


def test_the_recent_reissue_levels_follow_the_configuration(app, clerk, monkeypatch):
    applicant = person()
    history(clerk, applicant=applicant, status="collected", days_ago=50)
    monkeypatch.setitem(app.config, "RISK_RECENT_REISSUE_HIGH", 1)
    request = new_request(clerk, applicant=applicant)
    assert flags(request)["RECENT_REISSUE"] == ("high", "申请人近365天内已补换卡1次")
    services.cancel(clerk, request, "测试")
    monkeypatch.setitem(app.config, "RISK_RECENT_REISSUE_DAYS", 30)
    assert "RECENT_REISSUE" not in flags(new_request(clerk, applicant=applicant))


# --- the overall level ---------------------------------------------------------------------------------------

def test_the_level_is_the_highest_of_the_flags(clerk, supervisor):
    phone, agent = make_phone(), person(name="赵六", relation="其他")
    _phone_used_by(clerk, phone, 2)
    medium = new_request(clerk, channel="proxy", applicant=person(phone=phone))
    assert set(flags(medium)) == {"PROXY_APPLICATION", "SHARED_PHONE"} and medium.risk_level == "medium"
    _agent_for(clerk, agent, 2)
    high = new_request(clerk, channel="proxy", agent=agent, applicant=person(phone=phone))
    assert set(flags(high)) == {"PROXY_APPLICATION", "SHARED_PHONE", "SERIAL_AGENT"}
    assert high.risk_level == "high"


def test_no_reason_carries_personal_data(clerk, supervisor):
    applicant, agent = person(name="孙八"), person(name="周九", relation="其他")
    watchlist.add_entry(supervisor, {"id_number": applicant["id_number"], "reason": "deceased"})
    _agent_for(clerk, agent, 2)
    request = new_request(clerk, channel="proxy", applicant=applicant, agent=agent)
    record(clerk, request, "face_match", "fail")
    assert len(request.flags) == 4
    for flag in request.flags:
        assert_plain_chinese(flag.reason)
        for personal in (applicant["id_number"], applicant["phone"], agent["id_number"], "孙八", "周九"):
            assert personal not in flag.reason
