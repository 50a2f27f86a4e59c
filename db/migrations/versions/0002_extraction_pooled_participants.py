"""extraction.pooled_participants: a review's pooled participant count

Reviews keep ``sample_size`` null (a review enrols nobody; summing it with the
trials it pools would count their patients twice), but the participants a
systematic review or meta-analysis pools ("12 trials with 1,015 patients")
are worth keeping apart: PsyNamic bands them, and a reader weighs a review by
them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('extraction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pooled_participants', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('extraction', schema=None) as batch_op:
        batch_op.drop_column('pooled_participants')
