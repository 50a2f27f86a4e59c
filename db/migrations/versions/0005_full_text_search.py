"""full-text search: SQLite FTS5 (bm25) and PostgreSQL tsvector (GIN), kept in sync by triggers

Title, abstract and author keywords of every article that is not deleted are
indexed as one document per article; MeSH descriptors as a vocabulary that
articles reach through ``article_mesh`` (see :mod:`db.search_schema` for why).
Triggers on ``article`` and ``article_mesh`` keep both current whatever writes
the rows, so the upsert in :mod:`db.store` needs no change. Stored articles
are indexed by this migration. :mod:`db.search` queries the structures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 14:00:00
"""
from alembic import op

from db.search_schema import install, uninstall


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    install(op.get_bind())


def downgrade() -> None:
    uninstall(op.get_bind())
