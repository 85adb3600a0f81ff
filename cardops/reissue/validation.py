"""Input for intake and actions, validated once for the web forms and the API alike.

Errors are collected per field (``applicant.id_number`` …) and raised together as one VALIDATION_ERROR whose
messages are plain Chinese sentences; a full ID number never appears in a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardops.core.i18n import N_
from cardops.core.messages import Joined, Message
from cardops.core.pii import InvalidIdNumber, normalise_id_number, normalise_phone
from cardops.core.validation import FieldErrors, choice, person_name, text
from cardops.reissue.workflow import RELATIONS, Channel, Kind, Step

MAX_NAME = 50
MAX_NOTE = 1000
MAX_DETAIL = 500
MAX_AGENT_REASON = 200


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    phone: str
    relation: str | None = None
    reason: str | None = None  # an agent's: why the holder does not come in person (optional)


@dataclass(frozen=True)
class IntakeData:
    kind: Kind
    channel: Channel
    applicant: Person
    agent: Person | None
    note: str | None
    outlet_code: str | None


@dataclass(frozen=True)
class CheckData:
    step: Step
    result: str
    detail: str | None
    score: int | None


# Who a person on the request is, and the words their fields are named with in messages.
PERSON_WORDS = {
    "applicant": (N_("申请人"), N_("申请人姓名")),
    "agent": (N_("代办人"), N_("代办人姓名")),
}


def _person(raw, errors: FieldErrors, prefix: str, *, with_relation: bool) -> Person | None:
    who, name_label = PERSON_WORDS[prefix]
    if not isinstance(raw, dict):
        errors.add(prefix, Message(N_("请填写%(who)s信息"), who=who))
        return None
    id_number = None
    raw_id = raw.get("id_number")
    if not isinstance(raw_id, str) or not raw_id.strip():
        errors.add(f"{prefix}.id_number", Message(N_("请填写%(who)s身份证号码"), who=who))
    else:
        try:
            id_number = normalise_id_number(raw_id[:40])
        except InvalidIdNumber as problem:
            errors.add(f"{prefix}.id_number", _whose_problem(who, problem))
    name = person_name(raw.get("name"), errors, f"{prefix}.name", required=True, max_length=MAX_NAME,
                       label=name_label)
    phone = None
    raw_phone = raw.get("phone")
    if not isinstance(raw_phone, str) or not raw_phone.strip():
        errors.add(f"{prefix}.phone", Message(N_("请填写%(who)s手机号码"), who=who))
    else:
        try:
            phone = normalise_phone(raw_phone[:30])
        except ValueError as problem:
            errors.add(f"{prefix}.phone", _whose_problem(who, problem))
    relation = reason = None
    if with_relation:
        relation = text(raw.get("relation"), errors, f"{prefix}.relation", required=True, max_length=20,
                        label=N_("与申请人关系"))
        if relation and relation not in RELATIONS:
            errors.add(f"{prefix}.relation", Message(N_("与申请人关系应为：%(allowed)s"),
                                                     allowed=Joined("、", RELATIONS)))
        reason = text(raw.get("reason"), errors, f"{prefix}.reason", required=False, max_length=MAX_AGENT_REASON,
                      label=N_("代办原因"))
    if id_number and name and phone:
        return Person(id_number, name, phone, relation, reason)
    return None


def _whose_problem(who: str, problem: Exception) -> Message:
    """「申请人身份证号码校验位不正确」: the person's word, then the checker's sentence (both translated)."""
    return Message(N_("%(who)s%(problem)s"), who=who, problem=str(problem))


def parse_intake(data: dict) -> IntakeData:
    errors = FieldErrors()
    kind = choice(data.get("kind"), Kind, errors, "kind", N_("业务类型"))
    channel = choice(data.get("channel"), Channel, errors, "channel", N_("办理方式"))
    applicant = _person(data.get("applicant"), errors, "applicant", with_relation=False)
    agent = None
    raw_agent = data.get("agent")
    if channel == Channel.PROXY:
        agent = _person(raw_agent, errors, "agent", with_relation=True)
        if agent and applicant and agent.id_number == applicant.id_number:
            errors.add("agent.id_number", N_("代办人与申请人不能是同一人"))
    elif channel == Channel.IN_PERSON and raw_agent not in (None, {}, ""):
        errors.add("agent", N_("本人办理不需要填写代办人"))
    note = text(data.get("note"), errors, "note", required=False, max_length=MAX_NOTE, label=N_("备注"),
                multiline=True)
    outlet_code = text(data.get("outlet_code"), errors, "outlet_code", required=False, max_length=16,
                       label=N_("网点代码"))
    errors.raise_if_any()
    return IntakeData(kind, channel, applicant, agent, note, outlet_code)


def parse_check(data: dict) -> CheckData:
    errors = FieldErrors()
    step = choice(data.get("step"), Step, errors, "step", N_("核验项目"))
    result = data.get("result")
    if result in (None, ""):
        errors.add("result", N_("请选择核验结果：通过或不通过"))
    elif result not in ("pass", "fail"):
        errors.add("result", N_("核验结果应为 pass（通过）或 fail（不通过）"))
    detail = text(data.get("detail"), errors, "detail", required=False, max_length=MAX_DETAIL, label=N_("说明"))
    score = data.get("score")
    if score in (None, ""):
        score = None
    elif isinstance(score, bool) or not isinstance(score, int | str):
        errors.add("score", N_("比对分数应为 0 到 100 的整数"))
        score = None
    else:
        try:
            score = int(score)
            if not 0 <= score <= 100:
                raise ValueError
        except ValueError:
            errors.add("score", N_("比对分数应为 0 到 100 的整数"))
            score = None
    errors.raise_if_any()
    return CheckData(step, result, detail, score)


def parse_collector(raw, *, field: str = "collector", who: str = N_("领取人"),
                    name_label: str = N_("领取人姓名")) -> Person:
    """The collector's ID (and name, optional); a malformed ID is a VALIDATION_ERROR, not a mismatch. The same
    for whoever else shows their ID at the counter (``field``/``who``: the holder of a lost receipt …)."""
    errors = FieldErrors()
    if not isinstance(raw, dict):
        errors.add(field, Message(N_("请填写%(who)s信息"), who=who))
        errors.raise_if_any()
    id_number = None
    try:
        id_number = normalise_id_number(raw.get("id_number") if isinstance(raw.get("id_number"), str) else None)
    except InvalidIdNumber as problem:
        errors.add(f"{field}.id_number", _whose_problem(who, problem))
    name = person_name(raw.get("name"), errors, f"{field}.name", required=False, max_length=MAX_NAME,
                       label=name_label)
    errors.raise_if_any()
    return Person(id_number, name or "", "")
