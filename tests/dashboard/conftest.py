from __future__ import annotations

import pytest

from tests.dashboard.district import build_district


@pytest.fixture
def other_clerk2(make_user, other_outlet):
    return make_user("clerk", outlet_=other_outlet, username="clerk-other-b", display_name="他网点受理员乙")


@pytest.fixture
def district(clerk, clerk2, other_clerk, other_clerk2, supervisor):
    """The hand-built district of tests/dashboard/district.py (requests A–J, training sessions)."""
    return build_district(clerk, clerk2, other_clerk, other_clerk2, supervisor)
