"""Logging and correcting training sessions (SPEC §5.2).

A trainer logs the sessions of their own outlet while their roster entry is active and certified on the session's
date; a supervisor logs for any outlet or a district session (``outlet_code`` null). The trainer of a session a
supervisor logs is the supervisor themself unless they name another leader: a supervisor, or a roster trainer
certified on that day. Attendees are active staff of the session's outlet (any outlet's for a district session).

A correction (``PATCH``) is the same input, merged over the session as it stands and validated the same way; it is
open to the session's trainer within 30 days of its date and to supervisors, and audited with old and new values.
Services only flush; the caller's unit of work commits.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from cardops.audit import services as audit
from cardops.auth import services as accounts
from cardops.auth.models import User
from cardops.cases.models import LIBRARY_STATUSES, Case
from cardops.core.errors import Conflict, Forbidden, ValidationError
from cardops.core.i18n import N_
from cardops.core.timeutil import local_today, utcnow
from cardops.core.validation import FieldErrors
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import outlet_by_code
from cardops.training.models import Attendance, TrainingSession
from cardops.training.permissions import correction_refusal, logging_refusal
from cardops.training.queries import roster_entry
from cardops.training.validation import AttendeeInput, attendee_error, parse_session

SESSION_FIELDS = ("date", "outlet_code", "trainer", "topic", "kind", "duration_minutes", "materials", "attendees",
                  "cases")
_UNKNOWN = object()  # an outlet code that names no outlet: the attendees cannot be checked against it


def _raise(problem) -> None:
    if problem is not None:
        raise problem


def _code(raw) -> str | None:
    return (raw.strip().upper() or None) if isinstance(raw, str) else raw


def _resolve_outlet(actor, data: dict, errors: FieldErrors):
    """The session's outlet: a trainer's own (the default; another → 403); for a supervisor the one named, or
    None (district) when ``outlet_code`` is null or absent."""
    raw = data.get("outlet_code")
    if not actor.is_supervisor:
        if "outlet_code" not in data or raw == "" or _code(raw) == actor.outlet.code:
            return actor.outlet
        raise Forbidden(N_("小教员只能登记本网点的培训"))
    if raw is None or raw == "":
        return None
    outlet = outlet_by_code(raw[:16]) if isinstance(raw, str) else None
    if outlet is None:
        errors.add("outlet_code", "没有这个网点（区级培训请不填网点）")
        return _UNKNOWN
    if not outlet.active:
        errors.add("outlet_code", f"网点 {outlet.code} 已停用")
        return _UNKNOWN
    return outlet


def _username_of(raw) -> str | None:
    if isinstance(raw, dict):
        raw = raw.get("username")
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _check_leader(leader: User, held_on, errors: FieldErrors) -> None:
    """A supervisor may name a supervisor, or a roster trainer active and certified on the session's date."""
    if leader.is_supervisor and leader.active:
        return
    entry = roster_entry(leader.id)
    if not leader.active or entry is None or (held_on is not None and not entry.may_train_on(held_on)):
        errors.add("trainer", f"{leader.display_name} 不是培训当天在册且资格有效的小教员")


def _resolve_leader(actor, raw, held_on, errors: FieldErrors) -> User | None:
    username = _username_of(raw)
    if username is None or username.lower() == actor.username.lower():
        return actor
    if not actor.is_supervisor:
        raise Forbidden(N_("小教员只能登记自己主讲的培训"))
    leader = accounts.find_user(username[:64])
    if leader is None:
        errors.add("trainer", f"用户 {username[:64]} 不存在")
        return None
    _check_leader(leader, held_on, errors)
    return leader


def _resolve_attendees(items: list[AttendeeInput], outlet, errors: FieldErrors,
                       keep: frozenset[int] = frozenset()) -> list[tuple[User, AttendeeInput]]:
    """Each attendee as a user: known, active and of the session's outlet (any outlet's for a district session).
    ``keep``: people already on a corrected session, who stay valid even if they have left since."""
    if not items:
        return []
    names = {item.username.lower() for item in items}
    users = {u.username.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.username).in_(names)))}
    resolved = []
    for item in items:
        user = users.get(item.username.lower())
        if user is None:
            attendee_error(errors, item.index, "username", item.username, "用户不存在")
        elif user.id in keep:
            resolved.append((user, item))
        elif not user.active:
            attendee_error(errors, item.index, "username", user.display_name, "账户已停用")
        elif user.outlet_id is None:
            attendee_error(errors, item.index, "username", user.display_name, "不是网点工作人员")
        elif outlet is not None and outlet is not _UNKNOWN and user.outlet_id != outlet.id:
            attendee_error(errors, item.index, "username", user.display_name, f"不是 {outlet.code} 的工作人员")
        else:
            resolved.append((user, item))
    return resolved


def _resolve_cases(ids: list[int], errors: FieldErrors) -> list[Case]:
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids),
                                                                       Case.status.in_(LIBRARY_STATUSES)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors.add("cases", f"案例 {'、'.join(missing)} 不是案例库中的案例（已入库、已提名或年度典型）")
    return [found[i] for i in ids if i in found]


def _attendance_rows(attendees: list[tuple[User, AttendeeInput]]) -> list[dict]:
    return sorted(({"username": user.username, "attended": item.attended, "score": item.score}
                   for user, item in attendees), key=lambda row: row["username"])


def session_fields(session: TrainingSession) -> dict:
    """The session as the API writes it: what a correction is merged over and compared with."""
    return {
        "date": session.held_on.isoformat(),
        "outlet_code": session.outlet.code if session.outlet else None,
        "trainer": session.trainer.username,
        "topic": session.topic,
        "kind": str(session.kind),
        "duration_minutes": session.duration_minutes,
        "materials": session.materials,
        "attendees": sorted(({"username": a.user.username, "attended": a.attended, "score": a.score}
                             for a in session.attendances), key=lambda row: row["username"]),
        "cases": sorted(c.id for c in session.cases),
    }


def _save(session: TrainingSession) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict() from None


def _check_version(session: TrainingSession, expected) -> None:
    if expected in (None, ""):
        return
    if isinstance(expected, bool) or not isinstance(expected, (int, str)) or not str(expected).strip().isdigit():
        raise ValidationError(fields={"version": "version 应为整数"})
    if int(expected) != session.version:
        raise Conflict()


# --- logging ------------------------------------------------------------------------------------------------

def log_session(actor, data: dict) -> TrainingSession:
    entry = None if actor.is_supervisor else roster_entry(actor.id)
    _raise(logging_refusal(actor, entry))
    errors = FieldErrors()
    outlet = _resolve_outlet(actor, data, errors)
    parsed = parse_session(data, errors, today=local_today())
    leader = _resolve_leader(actor, data.get("trainer"), parsed.held_on, errors)
    attendees = _resolve_attendees(parsed.attendees, outlet, errors)
    cases = _resolve_cases(parsed.case_ids, errors)
    errors.raise_if_any()
    _raise(logging_refusal(actor, entry, parsed.held_on))

    now = utcnow()
    session = TrainingSession(
        held_on=parsed.held_on, outlet_id=outlet.id if outlet else None, outlet=outlet, trainer_id=leader.id,
        trainer=leader, topic=parsed.topic, kind=str(parsed.kind), duration_minutes=parsed.duration_minutes,
        materials=parsed.materials, created_by_id=actor.id, created_at=now, updated_at=now,
        attendances=[Attendance(user_id=user.id, user=user, attended=item.attended, score=item.score)
                     for user, item in attendees],
        cases=cases,
    )
    db.session.add(session)
    db.session.flush()
    audit.record("training.session_logged", actor=actor, object_type="training_session", object_id=session.id,
                 outlet_id=session.outlet_id, detail={
                     "date": session.held_on.isoformat(), "outlet": outlet.code if outlet else None,
                     "trainer": leader.username, "kind": session.kind, "topic": session.topic,
                     "duration_minutes": session.duration_minutes, "attendees": _attendance_rows(attendees),
                     "cases": [c.id for c in cases]})
    return session


# --- corrections --------------------------------------------------------------------------------------------

def correct_session(actor, session: TrainingSession, data: dict, *, expected_version=None) -> TrainingSession:
    """Merge ``data`` (any of the session's fields) over ``session``, validate the whole as a new log would be,
    and record what changed (old and new values) in the audit chain."""
    today = local_today()
    entry = None if actor.is_supervisor else roster_entry(actor.id)
    _raise(correction_refusal(actor, session, entry, today))
    _check_version(session, expected_version if expected_version is not None else data.get("version"))
    given = {name: data[name] for name in SESSION_FIELDS if name in data}
    if not given:
        raise ValidationError("请至少修改一项：" + "、".join(SESSION_FIELDS))
    current = session_fields(session)
    merged = {**current, **given}

    errors = FieldErrors()
    outlet_changed = "outlet_code" in given and _code(given["outlet_code"]) != current["outlet_code"]
    outlet = _resolve_outlet(actor, given, errors) if outlet_changed else session.outlet
    parsed = parse_session(merged, errors, today=today, previous_date=session.held_on)
    leader_name = _username_of(given.get("trainer"))
    if leader_name is not None and leader_name.lower() != session.trainer.username.lower():
        leader = _resolve_leader(actor, leader_name, parsed.held_on, errors)
    else:
        leader = session.trainer
        if actor.is_supervisor and parsed.held_on not in (None, session.held_on):
            _check_leader(leader, parsed.held_on, errors)
    keep = frozenset() if outlet_changed else frozenset(a.user_id for a in session.attendances)
    attendees = _resolve_attendees(parsed.attendees, outlet, errors, keep)
    cases = _resolve_cases(parsed.case_ids, errors)
    errors.raise_if_any()
    _raise(logging_refusal(actor, entry, parsed.held_on))

    new = {"date": parsed.held_on.isoformat(), "outlet_code": outlet.code if outlet else None,
           "trainer": leader.username, "topic": parsed.topic, "kind": str(parsed.kind),
           "duration_minutes": parsed.duration_minutes, "materials": parsed.materials,
           "attendees": _attendance_rows(attendees), "cases": sorted(c.id for c in cases)}
    changes = {name: {"old": current[name], "new": value} for name, value in new.items() if value != current[name]}
    if not changes:
        return session
    days_after = (today - session.held_on).days
    _apply(session, parsed, outlet, leader, attendees, cases)
    _save(session)
    audit.record("training.session_corrected", actor=actor, object_type="training_session", object_id=session.id,
                 outlet_id=session.outlet_id, detail={"changes": changes, "days_after": days_after})
    return session


def _apply(session: TrainingSession, parsed, outlet: Outlet | None, leader: User,
           attendees: list[tuple[User, AttendeeInput]], cases: list[Case]) -> None:
    session.held_on = parsed.held_on
    session.outlet, session.outlet_id = outlet, outlet.id if outlet else None
    session.trainer, session.trainer_id = leader, leader.id
    session.topic, session.kind = parsed.topic, str(parsed.kind)
    session.duration_minutes, session.materials = parsed.duration_minutes, parsed.materials
    wanted = {user.id: (user, item) for user, item in attendees}
    for attendance in list(session.attendances):
        if attendance.user_id not in wanted:
            session.attendances.remove(attendance)
    present = {a.user_id: a for a in session.attendances}
    for user_id, (user, item) in wanted.items():
        attendance = present.get(user_id)
        if attendance is None:
            session.attendances.append(Attendance(user_id=user.id, user=user, attended=item.attended,
                                                  score=item.score))
        else:
            attendance.attended, attendance.score = item.attended, item.score
    session.cases = cases
    session.updated_at = utcnow()  # always an UPDATE of the row: the version moves even when only people change
