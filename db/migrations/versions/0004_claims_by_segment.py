"""Indexes on segment_id for every table that cascades from segments.

Deleting an episode deletes its segments, and for each segment the database looks for the
rows that refer to it: with no index on segment_id, a scan of the whole table per segment.
Replacing or deleting one episode took 0.6-2.3 s at 1,000 episodes, growing with the
corpus; with these indexes it takes 5-20 ms. dosages and search_entries had theirs already.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("mentions", "warnings", "quotes", "summary_points")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_segment_id", table, ["segment_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_segment_id", table_name=table)
