"""article.content_hash loses its index: no query looks an article up by its hash

Every query that reads ``content_hash`` finds the article by its PMID first
(the upsert's lookup, the extractor's staleness join on ``pmid`` and
``content_hash``), so the index on the random 64-character hash was only
written, never read: 2.5-4 us of the ~35 us an ingested article cost to store
(``bench/ingest.py``, 20,000 synthetic articles, SQLite).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 22:00:00
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_content_hash'))


def downgrade() -> None:
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_content_hash'), ['content_hash'], unique=False)
