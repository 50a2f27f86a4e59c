"""PMIDs as 64-bit integers on PostgreSQL

The ingest parsers accept a PMID in 1..2**63-1; PostgreSQL's INTEGER stops at
2**31-1, so a larger id failed with "integer out of range" instead of being
stored. Every ``pmid`` column (and the full-text index's) becomes BIGINT.
SQLite's INTEGER is 64-bit already and an INTEGER PRIMARY KEY must stay the
rowid: nothing changes there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 14:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: parents first, so a foreign key never compares an old and a new type longer than one statement
TABLES = (
    "article", "article_mesh", "article_pubtype", "article_topic", "extraction", "extraction_condition",
    "extraction_route", "extracted_adverse_event", "extracted_outcome", "extracted_dose",
)


def _alter(type_name: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    tables = list(TABLES)
    if sa.inspect(bind).has_table("fts_article"):
        tables.append("fts_article")
    for table in tables:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN pmid TYPE {type_name}")


def upgrade() -> None:
    _alter("BIGINT")


def downgrade() -> None:
    _alter("INTEGER")
