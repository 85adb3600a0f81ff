"""dashboard: indexes of the outlets' figures (cardops/dashboard/models.py)

* reissue_requests (created_at) — on PostgreSQL INCLUDE-ing every column the figures read, so a period's figures
  are an index-only range scan (a year of a million-request district without reading the wide rows);
* risk_flags (at) INCLUDE (request_id, code) — the flags of a period's requests, from the period's start on;
* training_sessions (held_on) — the sessions and hours of every outlet in a period.

Building them takes a few seconds on a million requests (writes wait meanwhile).

Revision ID: 0008_dashboard
Revises: 0007_hardening
Create Date: 2026-12-02 02:17:26.051451

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_dashboard'
down_revision = '0007_hardening'
branch_labels = None
depends_on = None

STATS_COLUMNS = ['id', 'outlet_id', 'kind', 'status', 'risk_level', 'review_decision', 'submitted_at', 'arrived_at',
                 'collected_at']


def upgrade():
    op.create_index('ix_reissue_requests_created_stats', 'reissue_requests', ['created_at'], unique=False,
                    postgresql_include=STATS_COLUMNS)
    op.create_index('ix_risk_flags_at', 'risk_flags', ['at'], unique=False, postgresql_include=['request_id', 'code'])
    op.create_index('ix_training_sessions_held_on', 'training_sessions', ['held_on'], unique=False)


def downgrade():
    op.drop_index('ix_training_sessions_held_on', table_name='training_sessions')
    op.drop_index('ix_risk_flags_at', table_name='risk_flags')
    op.drop_index('ix_reissue_requests_created_stats', table_name='reissue_requests')
