"""hardening: sessions revocable on the server, the audit chain keyed and append-only

* ``users.session_generation``: part of every session's identity; raised by sign-out, deactivation and a
  password change, which ends every session of the user at once.
* ``audit_entries.hash_version``: 1 for the entries already there (plain SHA-256), 2 (HMAC-SHA256 under the audit
  key) for every entry from now on. When the chain is not empty, one keyed entry ``audit.chain_keyed`` is appended
  here, linked to the last unkeyed one and naming it: from then on unkeyed entries are accepted only before it.
  This needs the application's audit key (``flask db upgrade`` runs with the application's configuration).
* Triggers refusing UPDATE and DELETE on ``audit_entries`` (PostgreSQL: one row trigger and its function;
  SQLite: two triggers). TRUNCATE is not a row operation: it stays the owner's way to empty the table, and the
  checkpoints outside the database show it (``cardops.audit.checkpoints``).

Revision ID: 0007_hardening
Revises: 0006_reminders
"""
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0007_hardening'
down_revision = '0006_reminders'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION cardops_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
PG_TRIGGER = """
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION cardops_audit_append_only()
"""
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END""",
]


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    # Existing entries are version 1; the default then becomes 2 (on PostgreSQL both are catalogue changes only,
    # however long the chain).
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), server_default='1', nullable=False))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('hash_version', existing_type=sa.SmallInteger(), server_default='2',
                              existing_nullable=False)
    _seal_unkeyed_chain()
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _seal_unkeyed_chain():
    """Append the first keyed entry after the existing (unkeyed) ones, and move the head to it."""
    bind = op.get_bind()
    last = bind.execute(sa.text('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1')).first()
    if last is None:
        return
    from cardops.audit.services import canonical_form, derive_audit_key, seal
    from cardops.core.timeutil import utcnow

    seq, now = last.seq + 1, utcnow()
    detail = {'unkeyed_entries': last.seq, 'last_unkeyed_hash': last.hash, 'scheme': 'HMAC-SHA256',
              'by': 'migration 0007_hardening'}
    values = {'seq': seq, 'at': now, 'actor_id': None, 'actor_name': 'system', 'action': 'audit.chain_keyed',
              'object_type': 'audit_chain', 'object_id': None, 'outlet_id': None, 'ip': None, 'detail': detail,
              'prev_hash': last.hash}
    digest = seal(canonical_form(**values), derive_audit_key(current_app.config))
    entries = sa.table('audit_entries', *(sa.column(name) for name in values if name != 'detail'),
                       sa.column('detail', sa.JSON), sa.column('hash'), sa.column('hash_version'))
    bind.execute(entries.insert().values(**values, hash=digest, hash_version=2))
    bind.execute(sa.text('UPDATE audit_head SET seq = :seq, last_hash = :h WHERE id = 1'), {'seq': seq, 'h': digest})
    print(f'audit chain keyed: {last.seq} unkeyed entries sealed by entry {seq} ({json.dumps(detail)})')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS cardops_audit_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_delete')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('hash_version')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
