"""Accounts: sign-in with lockout, user administration, API tokens. Every operation is audited."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from cardops.audit import services as audit
from cardops.auth import throttle
from cardops.auth.models import OUTLET_ROLES, ApiToken, Role, User, spend_a_password_check
from cardops.core import pii
from cardops.core.errors import Conflict, DomainError, NotFound, RateLimited, ValidationError
from cardops.core.timeutil import utcnow
from cardops.core.validation import FieldErrors, refused_character, text
from cardops.extensions import db
from cardops.outlets.models import Outlet

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cdo_"
MAX_EMAIL_LENGTH = 254
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
# update_user(email=KEEP_EMAIL): leave the address as it is.
KEEP_EMAIL = object()


class LoginRefused(DomainError):
    """A refused sign-in. Its audit entry and the failure count must stay: the refusal is persisted."""

    code, status, default_message = "UNAUTHENTICATED", 401, _l("用户名或密码错误")

    def __init__(self, message=None, **extra):
        super().__init__(message, persist=True, **extra)


class AccountLocked(LoginRefused):
    default_message = _l("登录失败次数过多，账户已锁定15分钟，请稍后再试或联系管理员")


class SignInThrottled(RateLimited):
    """Too many failed sign-ins from one client address, whatever the usernames: 429 (SPEC §1)."""

    default_message = _l("此地址登录失败次数过多，请15分钟后再试")

    def __init__(self, message=None, **extra):
        super().__init__(message, persist=True, **extra)


def find_user(username: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()


def authenticate(username: str, password: str, *, ip: str | None = None) -> User:
    """Check credentials; count failures and lock the account after LOGIN_MAX_FAILURES (SPEC §1).

    Neither the answer nor its timing tells whether the username exists: an unknown name costs the same password
    check, and its failures lock it like an account's. Failures are also counted per client address (in the
    rate-limit store, shared by the workers): past LOGIN_ADDRESS_LIMIT the address waits (429).
    """
    if throttle.address_blocked(ip):
        audit.record("auth.login_throttled", ip=ip, actor_name=_as_typed(username))
        raise SignInThrottled()
    user = find_user(username or "")
    now = utcnow()
    if user is None:
        _refuse_unknown_user(username or "", password, ip)
    if user.is_locked(now):
        throttle.count_failure(ip)
        audit.record("auth.login_refused_locked", actor=user, ip=ip, outlet_id=user.outlet_id)
        raise AccountLocked()
    if not user.check_password(password or ""):
        throttle.count_failure(ip)
        _register_failure(user, ip)
        if user.is_locked(now):
            raise AccountLocked()
        raise LoginRefused()
    if not user.active:
        audit.record("auth.login_failed", actor=user, ip=ip, outlet_id=user.outlet_id,
                     detail={"reason": "deactivated"})
        raise LoginRefused(_l("该账户已停用，请联系管理员"))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.login", actor=user, ip=ip, outlet_id=user.outlet_id)
    return user


def _as_typed(username: str | None) -> str:
    """A typed username for the audit log; someone who types their ID number there gets it masked (SPEC §3.6)."""
    name = (username or "").strip()[:64]
    return pii.mask_id_number(pii.normalise_id_number(name)) if pii.is_valid_id_number(name) else name


def _refuse_unknown_user(username: str, password: str | None, ip: str | None):
    """Refuse a name that is no account exactly as a wrong password is refused, lock-out included."""
    name = username.strip().lower()[:64]
    if throttle.unknown_name_locked(name):
        throttle.count_failure(ip)
        audit.record("auth.login_refused_locked", ip=ip, actor_name=_as_typed(name),
                     detail={"reason": "unknown_user"})
        raise AccountLocked()
    spend_a_password_check(password or "")
    throttle.count_failure(ip)
    locked = throttle.count_unknown_name_failure(name)
    audit.record("auth.login_failed", ip=ip, actor_name=_as_typed(name), detail={"reason": "unknown_user"})
    raise AccountLocked() if locked else LoginRefused()


def confirm_password(user: User, password: str | None, *, ip: str | None = None) -> bool:
    """Re-authentication before a sensitive step (a supervisor approving a high-risk request).

    A wrong password counts like a failed sign-in: audited, and the fifth locks the account, so a session left
    open at a counter cannot be used to guess the supervisor's password.
    """
    if user.is_locked():
        audit.record("auth.reauth_refused_locked", actor=user, ip=ip, outlet_id=user.outlet_id)
        return False
    if user.check_password(password or ""):
        return True
    _register_failure(user, ip, during="reauth")
    return False


def _register_failure(user: User, ip: str | None, during: str = "login") -> None:
    # Increment in SQL so concurrent wrong guesses cannot overwrite each other's count.
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_logins"])
    detail = {"reason": "bad_password", "failures": user.failed_logins, "during": during}
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + current_app.config["LOGIN_LOCK_DURATION"]
        user.failed_logins = 0
        detail["locked_until"] = user.locked_until.isoformat(timespec="seconds")
        audit.record("auth.account_locked", actor=user, ip=ip, outlet_id=user.outlet_id, detail=detail)
    else:
        audit.record("auth.login_failed", actor=user, ip=ip, outlet_id=user.outlet_id, detail=detail)


def end_sessions(user: User) -> None:
    """End every signed-in session of ``user`` on the server (a copied cookie stops working at once)."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_generation"])


def record_logout(user: User) -> None:
    end_sessions(user)
    audit.record("auth.logout", actor=user, outlet_id=user.outlet_id)


# --- user administration ---------------------------------------------------------------------------------

def _validate_roles_and_outlet(roles, outlet: Outlet | None) -> list[str]:
    try:
        roles = sorted({Role(r).value for r in roles})
    except ValueError:
        raise ValidationError(fields={"roles": _l("未知的角色")}) from None
    if not roles:
        raise ValidationError(fields={"roles": _l("至少选择一个角色")})
    needs_outlet = bool(OUTLET_ROLES.intersection(roles))
    if needs_outlet and outlet is None:
        raise ValidationError(fields={"outlet": _l("窗口受理员和小教员必须属于一个网点")})
    if Role.SUPERVISOR in roles and needs_outlet:
        raise ValidationError(fields={"roles": _l("区卡中心督导不属于网点，不能同时担任受理员或小教员")})
    return roles


def _validate_password(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(fields={"password": _l("密码至少%(n)s位", n=MIN_PASSWORD_LENGTH)})


def normalise_email(value) -> str | None:
    """An e-mail address (ASCII, one @, a domain with a dot), trimmed, its domain in lower case; empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(value):
        raise ValidationError(fields={"email": _l("电子邮箱地址格式不正确，例如 zhang.san@example.gov.cn")})
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _display_name(value, username: str) -> str:
    errors = FieldErrors()
    name = text(value, errors, "display_name", required=False, max_length=64, label="姓名")
    errors.raise_if_any()
    return name or username


def create_user(actor, *, username: str, display_name: str, roles, outlet: Outlet | None,
                password: str, email: str | None = None) -> User:
    username = (username or "").strip()
    if not username or len(username) > 64 or refused_character(username, multiline=False) is not None:
        raise ValidationError(fields={"username": _l("请填写用户名（不超过64个字符）")})
    if find_user(username) is not None:
        raise Conflict(_l("用户名 %(username)s 已存在", username=username), fields={"username": _l("用户名已存在")})
    roles = _validate_roles_and_outlet(roles, outlet)
    email = normalise_email(email)
    _validate_password(password)
    user = User(username=username, display_name=_display_name(display_name, username), email=email,
                outlet=outlet if OUTLET_ROLES.intersection(roles) else None)
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("admin.user_created", actor=actor, object_type="user", object_id=user.id,
                 outlet_id=user.outlet_id, detail={"username": username, "roles": roles,
                                                   **({"email": email} if email else {})})
    return user


def update_user(actor, user: User, *, display_name: str, roles, outlet: Outlet | None, email=KEEP_EMAIL) -> User:
    roles = _validate_roles_and_outlet(roles, outlet)
    email = user.email if email is KEEP_EMAIL else normalise_email(email)
    before = {"roles": sorted(user.roles), "outlet": user.outlet.code if user.outlet else None}
    after_email = {}
    if email != user.email:
        before["email"], after_email = user.email, {"email": email}
    user.display_name = _display_name(display_name, user.username)
    user.roles = roles
    user.outlet = outlet if OUTLET_ROLES.intersection(roles) else None
    user.email = email
    db.session.flush()
    after = {"roles": roles, "outlet": user.outlet.code if user.outlet else None, **after_email}
    audit.record("admin.user_updated", actor=actor, object_type="user", object_id=user.id,
                 outlet_id=user.outlet_id, detail={"before": before, "after": after})
    return user


def grant_role(actor, user: User, role: str, *, because: str | None = None) -> bool:
    """Give ``user`` one more role (e.g. ``trainer`` on appointment to the roster), audited; False when held
    already. The same rules as the admin form: an outlet role needs the user's outlet."""
    if user.has_role(role):
        return False
    roles = _validate_roles_and_outlet([*user.roles, role], user.outlet)
    user.roles = roles
    db.session.flush()
    audit.record("auth.role_granted", actor=actor, object_type="user", object_id=user.id, outlet_id=user.outlet_id,
                 detail={"username": user.username, "role": str(role), "roles": roles, "because": because})
    return True


def reset_password(actor, user: User, password: str) -> None:
    _validate_password(password)
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("admin.password_reset", actor=actor, object_type="user", object_id=user.id,
                 outlet_id=user.outlet_id)


def deactivate_user(actor, user: User, reason: str) -> None:
    errors = FieldErrors()
    reason = text(reason, errors, "reason", required=True, max_length=500, label="停用原因", multiline=True)
    errors.raise_if_any()
    if user.id == getattr(actor, "id", None):
        raise ValidationError(_l("不能停用自己的账户"))
    user.active = False
    user.deactivated_reason = reason[:500]
    user.deactivated_at = utcnow()
    db.session.flush()
    end_sessions(user)
    revoked = revoke_all_tokens(user)
    audit.record("admin.user_deactivated", actor=actor, object_type="user", object_id=user.id,
                 outlet_id=user.outlet_id, detail={"reason": reason[:500], "tokens_revoked": revoked})


def reactivate_user(actor, user: User) -> None:
    user.active = True
    user.deactivated_reason = None
    user.deactivated_at = None
    user.failed_logins = 0
    user.locked_until = None
    audit.record("admin.user_reactivated", actor=actor, object_type="user", object_id=user.id,
                 outlet_id=user.outlet_id)


# --- API tokens --------------------------------------------------------------------------------------------

def issue_token(actor, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and cannot be shown again."""
    if not user.active:
        raise ValidationError(_l("已停用的账户不能签发令牌"))
    errors = FieldErrors()
    name = text(name, errors, "name", required=False, max_length=100, label="用途说明") or "api"
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name,
                     token_hash=ApiToken.hash_token(secret), prefix=secret[:12])
    db.session.add(token)
    db.session.flush()
    audit.record("admin.token_issued", actor=actor, object_type="api_token", object_id=token.id,
                 outlet_id=user.outlet_id, detail={"user": user.username, "name": token.name,
                                                   "prefix": token.prefix})
    return token, secret


def revoke_token(actor, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise Conflict(_l("该令牌已撤销"))
    token.revoked_at = utcnow()
    audit.record("admin.token_revoked", actor=actor, object_type="api_token", object_id=token.id,
                 outlet_id=token.user.outlet_id, detail={"user": token.user.username, "prefix": token.prefix})


def revoke_all_tokens(user: User) -> int:
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# On every API call: written once, the hash a named parameter (SQLAlchemy reuses its compiled form); the user with
# roles and outlet, as the session's user (``auth.loaders``).
TOKEN_BY_HASH = (select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))
                 .options(joinedload(ApiToken.user).options(joinedload(User.role_rows), joinedload(User.outlet))))


def token_for_secret(secret: str) -> ApiToken | None:
    """The unrevoked token of an active user matching ``secret``, or None (token, user and roles: one statement)."""
    if not secret:
        return None
    token = db.session.scalars(TOKEN_BY_HASH, {"token_hash": ApiToken.hash_token(secret)}).unique().first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


TOKEN_TOUCH_INTERVAL = timedelta(hours=1)


def touch_token(token: ApiToken) -> None:
    """Record a token's use, at most hourly: a write on every API call would cost every read endpoint. The
    UPDATE re-checks the time, so concurrent calls of one token still write once."""
    now = utcnow()
    stale = now - TOKEN_TOUCH_INTERVAL
    if token.last_used_at is not None and token.last_used_at >= stale:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < stale))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
