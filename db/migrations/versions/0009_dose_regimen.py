"""The role each dose plays in its regimen: STANDARD, STARTING, TITRATION, MAXIMUM or STUDY,
null where the speech gives it none. Doses stored before this migration have none until their
episode is ingested again.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dosages") as batch:
        batch.add_column(sa.Column("regimen", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dosages") as batch:
        batch.drop_column("regimen")
