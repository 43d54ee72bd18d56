"""Spelling keys for aliases and search terms, so near spellings are found through an index.

A name that matched no alias exactly was scored against every alias, and a search word against
every stored term sharing its first two letters: each such request read rows in proportion to
the corpus. Each alias and term is now stored under its deletion keys (db/spellings.py) and a
lookup reads only the few words one edit away. Keys for the rows already stored are written
here, a batch at a time.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db import spellings

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

aliases = sa.table("aliases", sa.column("id", sa.Integer), sa.column("key", sa.String))
search_terms = sa.table("search_terms", sa.column("term", sa.String))


def upgrade() -> None:
    alias_spellings = op.create_table(
        "alias_spellings",
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("alias_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["alias_id"], ["aliases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "alias_id"),
    )
    op.create_index("ix_alias_spellings_alias_id", "alias_spellings", ["alias_id"], unique=False)
    term_spellings = op.create_table(
        "term_spellings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key", "term"),
    )
    bind = op.get_bind()
    last_id = 0
    while found := bind.execute(
        sa.select(aliases.c.id, aliases.c.key)
        .where(aliases.c.id > last_id)
        .order_by(aliases.c.id)
        .limit(BATCH)
    ).all():
        bind.execute(
            alias_spellings.insert(), spellings.alias_rows((row.id, row.key) for row in found)
        )
        last_id = found[-1].id
    last_term = ""
    while terms := bind.scalars(
        sa.select(search_terms.c.term)
        .where(search_terms.c.term > last_term)
        .order_by(search_terms.c.term)
        .limit(BATCH)
    ).all():
        bind.execute(term_spellings.insert(), spellings.term_rows(terms))
        last_term = terms[-1]


def downgrade() -> None:
    op.drop_table("term_spellings")
    op.drop_index("ix_alias_spellings_alias_id", table_name="alias_spellings")
    op.drop_table("alias_spellings")
