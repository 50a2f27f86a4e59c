"""extracted_adverse_event.status and .arm: what a mention reports, and about which arm

``negated`` alone cannot tell an event that happened in the study from one a
protocol plans to measure, a review's introduction recalls as a known effect,
or another drug caused; counting all of them as "reported" inflated every
adverse-event count. ``status`` is one of ``occurred``, ``not_occurred``,
``planned``, ``background``, ``other_drug`` (indexed: every count filters on
it) and ``arm`` one of ``ketamine``, ``comparator``, ``both``, ``unstated``.

Existing rows are backfilled from ``negated`` (true -> ``not_occurred``, else
``occurred``), which is what they meant until now; ``arm`` becomes
``unstated``. The next extraction run refines both.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('extracted_adverse_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), server_default='occurred', nullable=False))
        batch_op.add_column(sa.Column('arm', sqlmodel.sql.sqltypes.AutoString(), server_default='unstated', nullable=False))
    ae = sa.table('extracted_adverse_event', sa.column('negated', sa.Boolean()), sa.column('status', sa.String()))
    op.execute(ae.update().where(ae.c.negated == sa.true()).values(status='not_occurred'))
    with op.batch_alter_table('extracted_adverse_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extracted_adverse_event_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('extracted_adverse_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extracted_adverse_event_status'))
        batch_op.drop_column('arm')
        batch_op.drop_column('status')
