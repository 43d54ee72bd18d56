"""Indexes that list dosages in episode and transcript order, a page at a time.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_dosages_medication_segment", "dosages", ["medication_id", "segment_id"], unique=False
    )
    op.create_index("ix_dosages_segment", "dosages", ["segment_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dosages_segment", table_name="dosages")
    op.drop_index("ix_dosages_medication_segment", table_name="dosages")
