"""The state a top-k search index is checked against: which database, and how many changes
to its search entries there have been.

An index kept beside the database (db/search_index.py) records the database and the change
it has caught up with; search uses it only while both agree with this row.

Revision ID: 0011
Revises: 0010
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    state = op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("database", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "database": uuid.uuid4().hex, "generation": 0}])


def downgrade() -> None:
    op.drop_table("search_index_state")
