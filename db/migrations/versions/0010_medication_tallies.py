"""Per-medication tallies: the counts and dose spread the medications list shows.

The medications list and its stats found the medications with claims by a union over every
mention and dose, and counted and spread them per request: a request read rows in proportion
to the corpus. Each medication's counts (every claim; and, outside sponsor reads, episodes,
mentions and doses) and how many of its doses are of each amount are now kept by every write
(db/tallies.py). The tallies of what is stored already are counted here.

Revision ID: 0010
Revises: 0009
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

segments = sa.table("segments", sa.column("id", sa.Integer), sa.column("sponsored", sa.Boolean))
mentions = sa.table(
    "mentions",
    sa.column("episode_id", sa.Integer),
    sa.column("segment_id", sa.Integer),
    sa.column("medication_id", sa.Integer),
)
dosages = sa.table(
    "dosages",
    sa.column("episode_id", sa.Integer),
    sa.column("medication_id", sa.Integer),
    sa.column("sponsored", sa.Boolean),
    sa.column("unit", sa.String),
    sa.column("value", sa.Float),
)


def upgrade() -> None:
    medication_tallies = op.create_table(
        "medication_tallies",
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("dosages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["medication_id"], ["medications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("medication_id"),
    )
    dose_tallies = op.create_table(
        "dose_tallies",
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("doses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["medication_id"], ["medications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("medication_id", "unit", "value"),
    )
    bind = op.get_bind()
    claims: dict[int, int] = defaultdict(int)
    for table in (mentions, dosages):
        for medication_id, count in bind.execute(
            sa.select(table.c.medication_id, sa.func.count()).group_by(table.c.medication_id)
        ):
            claims[medication_id] += count
    kept_mentions = (
        sa.select(mentions.c.medication_id, mentions.c.episode_id)
        .join(segments, segments.c.id == mentions.c.segment_id)
        .where(segments.c.sponsored.is_(False))
    )
    kept_dosages = sa.select(dosages.c.medication_id, dosages.c.episode_id).where(
        dosages.c.sponsored.is_(False)
    )
    counted: dict[str, dict[int, int]] = {}
    for name, kept in (("mentions", kept_mentions), ("dosages", kept_dosages)):
        rows = kept.subquery()
        counted[name] = dict(
            bind.execute(
                sa.select(rows.c.medication_id, sa.func.count()).group_by(rows.c.medication_id)
            ).all()
        )
    said = sa.union(kept_mentions, kept_dosages).subquery()
    counted["episodes"] = dict(
        bind.execute(
            sa.select(said.c.medication_id, sa.func.count()).group_by(said.c.medication_id)
        ).all()
    )
    tallies = [
        {"medication_id": medication_id, "claims": count}
        | {name: counted[name].get(medication_id, 0) for name in counted}
        for medication_id, count in sorted(claims.items())
    ]
    if tallies:
        bind.execute(medication_tallies.insert(), tallies)
    amounts = [
        {"medication_id": medication_id, "unit": unit, "value": value, "doses": count}
        for medication_id, unit, value, count in bind.execute(
            sa.select(dosages.c.medication_id, dosages.c.unit, dosages.c.value, sa.func.count())
            .where(dosages.c.sponsored.is_(False))
            .group_by(dosages.c.medication_id, dosages.c.unit, dosages.c.value)
        )
    ]
    if amounts:
        bind.execute(dose_tallies.insert(), amounts)


def downgrade() -> None:
    op.drop_table("dose_tallies")
    op.drop_table("medication_tallies")
