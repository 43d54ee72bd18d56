"""How each dose and warning was said, who said it, and whether in a sponsor read.

Segments get the speaker of their first words and whether they are part of a sponsor read;
dosages and warnings get their stance (ingest.records.Stance), speaker and sponsored flag.
Rows stored before this migration keep no stance and no speaker, and count as not sponsored
until their episode is ingested again. The root dosages list filters by stance and by
speaker in transcript order, so those two have indexes that hold that order.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMS = ("dosages", "warnings")


def upgrade() -> None:
    for table in ("segments", *CLAIMS):
        op.add_column(table, sa.Column("speaker", sa.String(length=256), nullable=True))
        op.add_column(
            table, sa.Column("sponsored", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for table in CLAIMS:
        op.add_column(table, sa.Column("stance", sa.String(length=16), nullable=True))
    op.create_index("ix_dosages_stance_segment", "dosages", ["stance", "segment_id"])
    op.create_index("ix_dosages_speaker_segment", "dosages", ["speaker", "segment_id"])


def downgrade() -> None:
    op.drop_index("ix_dosages_speaker_segment", table_name="dosages")
    op.drop_index("ix_dosages_stance_segment", table_name="dosages")
    for table in CLAIMS:
        op.drop_column(table, "stance")
    for table in ("segments", *CLAIMS):
        op.drop_column(table, "sponsored")
        op.drop_column(table, "speaker")
