"""The errors of the roster and the training log that SPEC §5 names (the others are core's)."""

from __future__ import annotations

from cardops.core.errors import DomainError
from cardops.core.i18n import _l


class AlreadyOnRoster(DomainError):
    code, status, default_message = "ALREADY_ON_ROSTER", 409, _l("该用户已在小教员名册上")


class TrainerNotActive(DomainError):
    code, status, default_message = "TRAINER_NOT_ACTIVE", 403, _l("小教员资格已暂停或已过期，不能登记培训")
