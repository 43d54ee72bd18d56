"""Conditions, the indications that tie a medication to one, and what each dose is for.

A condition has its canonical name, its ICD-10-CM code (null where none fits the name) and
the terms that name it, each a lookup key as medication aliases are. An indication is a claim
like a dose or warning: said in a segment of an episode, about a medication, with its stance,
speaker and sponsor flag, and the condition it names. A dose gets the condition it is said to
be for; doses stored before this migration have none until their episode is ingested again.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "condition_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["condition_id"], ["conditions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_condition_aliases_condition_id", "condition_aliases", ["condition_id"])
    op.create_table(
        "indications",
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=True),
        sa.Column("speaker", sa.String(length=256), nullable=True),
        sa.Column("sponsored", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["medication_id"], ["medications.id"]),
        sa.ForeignKeyConstraint(["condition_id"], ["conditions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_indications_episode_id", "indications", ["episode_id"])
    op.create_index(
        "ix_indications_medication_segment", "indications", ["medication_id", "segment_id"]
    )
    op.create_index(
        "ix_indications_condition_segment", "indications", ["condition_id", "segment_id"]
    )
    op.create_index("ix_indications_segment_id", "indications", ["segment_id"])
    with op.batch_alter_table("dosages") as batch:
        batch.add_column(sa.Column("condition_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_dosages_condition_id_conditions", "conditions", ["condition_id"], ["id"]
        )
        batch.create_index("ix_dosages_condition_segment", ["condition_id", "segment_id"])


def downgrade() -> None:
    with op.batch_alter_table("dosages") as batch:
        batch.drop_index("ix_dosages_condition_segment")
        batch.drop_constraint("fk_dosages_condition_id_conditions", type_="foreignkey")
        batch.drop_column("condition_id")
    op.drop_table("indications")
    op.drop_table("condition_aliases")
    op.drop_table("conditions")
