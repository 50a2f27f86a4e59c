"""article_trial: each linked article's trial, stored so the dashboard counts trials with a join

"k trials, n participants" groups reports of one trial (a shared registry
identifier, or a secondary analysis naming its parent study). Finding the
groups reads every abstract that names a registration or a study, about 0.9 s
at 50,000 articles, and the dashboard did it again whenever the data changed.
The jobs that write articles now store each linked article's trial key
(:func:`db.trials.store_trial_keys`); an article without a row is a trial of
its own. This migration stores the keys of the articles already in the
database, so counts are right before the next harvest.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from db.models import PMID_TYPE
from db.trials import store_trial_keys


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'article_trial',
        sa.Column('pmid', PMID_TYPE, nullable=False),
        sa.Column('trial_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['pmid'], ['article.pmid'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('pmid'),
    )
    op.create_index(op.f('ix_article_trial_trial_key'), 'article_trial', ['trial_key'], unique=False)
    store_trial_keys(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f('ix_article_trial_trial_key'), table_name='article_trial')
    op.drop_table('article_trial')
