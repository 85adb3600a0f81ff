"""Fixtures of the administration tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_admin(client, auth, admin):
    """Signed in as the administrator."""
    auth.login("admin")
    return auth
