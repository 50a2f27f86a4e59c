"""article.volume, .issue and .pages: the citation details RIS and BibTeX carry

PubMed gives an article's volume and issue (``JournalIssue``, MEDLINE ``VI``
and ``IP``) and its pages (``Pagination/MedlinePgn``, MEDLINE ``PG``); they
were not stored, so the RIS and BibTeX downloads could not cite an article
fully. Three nullable text columns, as PubMed writes the values ("4 Suppl 1",
"123-9"). Stored articles keep NULL until PubMed delivers them again: the
upsert writes citation details of a re-delivered article without counting it
as revised (they are not part of the content hash).

SQLite: adding a nullable column is a plain ``ALTER TABLE ... ADD COLUMN``
(the batch does not rebuild the table). The downgrade drops the columns with
``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or later) instead of a batch
rebuild: rebuilding ``article`` under ``PRAGMA foreign_keys = ON`` would
cascade-delete every child row, and would drop the full-text triggers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 15:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = ('volume', 'issue', 'pages')


def upgrade() -> None:
    with op.batch_alter_table('article', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column('article', name)
