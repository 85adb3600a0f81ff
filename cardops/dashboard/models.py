"""The dashboard has no tables of its own: it reads requests, risk flags and training. These are the indexes its
figures need, declared here beside the queries they serve (migration 0008_dashboard) rather than in the
features that own the tables.

* Every request figure of a period is one range scan over intake time. On PostgreSQL the index carries every
  column the figures read (INCLUDE), so a year of a million-request district is read from the index alone
  without touching the wide rows (their ciphertexts); SQLite gets the plain index on ``created_at``.
* Risk flags are counted from the period's first instant on: a flag is raised at or after its request's intake,
  so flags older than the period cannot belong to it and are never read.
* Training sessions of all outlets in a period (district sessions included, for the hours of the attendees).
"""

from __future__ import annotations

from sqlalchemy import Index

from cardops.reissue.models import ReissueRequest, RiskFlag
from cardops.training.models import TrainingSession

R = ReissueRequest

STATS_INDEXES = (
    Index("ix_reissue_requests_created_stats", R.created_at,
          postgresql_include=["id", "outlet_id", "kind", "status", "risk_level", "review_decision", "submitted_at",
                              "arrived_at", "collected_at"]),
    Index("ix_risk_flags_at", RiskFlag.at, postgresql_include=["request_id", "code"]),
    Index("ix_training_sessions_held_on", TrainingSession.held_on),
)
