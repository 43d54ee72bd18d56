"""SQLite: a covering index from search entry to segment and episode, for search hits.

Search ranks the full-text matches, then sums them by segment. Each match is an entry id,
and reading its segment_id from the table's own b-tree means reading rows that hold the
entry's whole text: with this small index beside it, "morning" at 100k segments ranks in
7 ms instead of 15. Counting hits and finding their episodes read it too. PostgreSQL reads
the matches from search_entries itself and needs none.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_search_entries_places"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(INDEX, "search_entries", ["id", "segment_id", "episode_id"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(INDEX, table_name="search_entries")
