"""Who hears about what: the active staff, by outlet and role, read once per run (a few hundred users at most).

Who may review a request is not decided here: ``reissue.permissions.review_refusal`` decides it for the review
buttons, the services and these reminders alike.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cardops.auth.models import Role, User
from cardops.extensions import db
from cardops.reissue.permissions import review_refusal


class Staff:
    def __init__(self, users: list[User]):
        self.users = {user.id: user for user in users}
        self._by_outlet_role: dict[tuple[int | None, str], list[User]] = defaultdict(list)
        for user in users:
            for role in user.roles:
                self._by_outlet_role[(user.outlet_id, role)].append(user)

    @classmethod
    def load(cls) -> Staff:
        users = db.session.scalars(select(User).where(User.active.is_(True))
                                   .options(selectinload(User.role_rows))).all()
        return cls(list(users))

    def clerks_of(self, outlet_id: int) -> list[User]:
        return self._by_outlet_role[(outlet_id, Role.CLERK)]

    def trainers_of(self, outlet_id: int) -> list[User]:
        return self._by_outlet_role[(outlet_id, Role.TRAINER)]

    @property
    def supervisors(self) -> list[User]:
        return self._by_outlet_role[(None, Role.SUPERVISOR)]

    def reviewers_of(self, request) -> list[User]:
        """Who may decide ``request``'s review now: its outlet's other clerks (medium risk) and the supervisors."""
        candidates = [*self.clerks_of(request.outlet_id), *self.supervisors]
        return [user for user in candidates if review_refusal(user, request) is None]

    def is_active(self, user_id: int | None) -> bool:
        return user_id in self.users


def ids(users) -> frozenset[int]:
    return frozenset(user.id for user in users)
