"""Placeholder until the feature is built: its tables are known to the metadata (and so to Alembic)."""

from __future__ import annotations

from cardops.training import models as models


def register(app) -> None:
    pass
