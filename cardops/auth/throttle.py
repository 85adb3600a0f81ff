"""Counting failed sign-ins outside the accounts table, in the rate-limit store that every worker shares
(``RATELIMIT_STORAGE_URI``: Redis in production, see config.py):

* per client address, whatever the usernames (``LOGIN_ADDRESS_LIMIT``, 20 per 15 minutes by default): past it
  the address is answered 429 without any password being checked;
* per username that is no account, so that an unknown name locks after LOGIN_MAX_FAILURES failures exactly like
  an account does — the lock-out message must not tell which names exist.

A store that cannot be reached does not stop sign-in (the per-account lock in the database still holds): the
failure is logged once per request and the check lets the attempt through.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from limits import RateLimitItemPerSecond, parse

from cardops.extensions import limiter

ADDRESS = "login-address"
UNKNOWN_NAME = "login-unknown-name"


def _scope(name: str) -> str:
    """Keys under the deployment's RATELIMIT_KEY_PREFIX, like Flask-Limiter's own (one Redis, several
    deployments)."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'cardops'}/{name}"


def _address_limit():
    return parse(current_app.config["LOGIN_ADDRESS_LIMIT"])


def _unknown_name_limit():
    seconds = int(current_app.config["LOGIN_LOCK_DURATION"].total_seconds())
    return RateLimitItemPerSecond(current_app.config["LOGIN_MAX_FAILURES"], seconds)


def _name_key(name: str) -> str:
    # Not the name itself: the store may be shared, and a typed password sometimes ends up in the username field.
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _guarded(operation, default):
    try:
        return operation()
    except Exception as error:  # the store is down: sign-in goes on with the account locks alone
        current_app.logger.warning("sign-in throttle: rate-limit store unavailable (%s)", type(error).__name__)
        return default


def address_blocked(ip: str | None) -> bool:
    if not ip:
        return False
    return _guarded(lambda: not limiter.limiter.test(_address_limit(), _scope(ADDRESS), ip), False)


def count_failure(ip: str | None) -> None:
    if ip:
        _guarded(lambda: limiter.limiter.hit(_address_limit(), _scope(ADDRESS), ip), None)


def unknown_name_locked(name: str) -> bool:
    return _guarded(lambda: not limiter.limiter.test(_unknown_name_limit(), _scope(UNKNOWN_NAME), _name_key(name)),
                    False)


def count_unknown_name_failure(name: str) -> bool:
    """Count a failure for a name that is no account; True when it is now "locked" (this was the last allowed)."""
    key = _name_key(name)
    limit = _unknown_name_limit()
    return _guarded(lambda: limiter.limiter.hit(limit, _scope(UNKNOWN_NAME), key)
                    and not limiter.limiter.test(limit, _scope(UNKNOWN_NAME), key), False)
