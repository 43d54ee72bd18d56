"""The first schema: episodes, segments, medications, claims, summary lines and search.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=256), nullable=True),
        sa.Column("upload_date", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "ingested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_episodes_channel"), ["channel"], unique=False)
        batch_op.create_index(batch_op.f("ix_episodes_upload_date"), ["upload_date"], unique=False)

    op.create_table(
        "medications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("spoken", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["medication_id"], ["medications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aliases_medication_id"), ["medication_id"], unique=False
        )

    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_segments_episode_position", ["episode_id", "position"], unique=False
        )

    op.create_table(
        "dosages",
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("frequency", sa.String(length=32), nullable=True),
        sa.Column("per_day", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medications.id"],
        ),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dosages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dosages_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(
            "ix_dosages_medication_value", ["medication_id", "unit", "value"], unique=False
        )

    op.create_table(
        "mentions",
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("matched_by", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medications.id"],
        ),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentions_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(
            "ix_mentions_medication_segment", ["medication_id", "segment_id"], unique=False
        )

    op.create_table(
        "quotes",
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("claimed_seconds", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_entries_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_search_entries_segment_id"), ["segment_id"], unique=False
        )

    op.create_table(
        "summary_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("claimed_seconds", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("summary_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summary_points_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "warnings",
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medications.id"],
        ),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warnings_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(
            "ix_warnings_medication_segment", ["medication_id", "segment_id"], unique=False
        )

    _create_search_index()


def _create_search_index() -> None:
    """Full-text search over search_entries: an FTS5 table kept in step by triggers on
    SQLite, a generated tsvector column with a GIN index on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "text, content='search_entries', content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
            "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
    else:
        op.execute(
            "ALTER TABLE search_entries ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("CREATE INDEX ix_search_entries_search ON search_entries USING GIN (search)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_fts_delete")
        op.execute("DROP TRIGGER IF EXISTS search_fts_insert")
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_warnings_medication_segment")
        batch_op.drop_index(batch_op.f("ix_warnings_episode_id"))

    op.drop_table("warnings")
    with op.batch_alter_table("summary_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_summary_points_episode_id"))

    op.drop_table("summary_points")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_segment_id"))
        batch_op.drop_index(batch_op.f("ix_search_entries_episode_id"))

    op.drop_table("search_entries")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_episode_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_medication_segment")
        batch_op.drop_index(batch_op.f("ix_mentions_episode_id"))

    op.drop_table("mentions")
    with op.batch_alter_table("dosages", schema=None) as batch_op:
        batch_op.drop_index("ix_dosages_medication_value")
        batch_op.drop_index(batch_op.f("ix_dosages_episode_id"))

    op.drop_table("dosages")
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_episode_position")

    op.drop_table("segments")
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aliases_medication_id"))

    op.drop_table("aliases")
    op.drop_table("search_terms")
    op.drop_table("medications")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episodes_upload_date"))
        batch_op.drop_index(batch_op.f("ix_episodes_channel"))

    op.drop_table("episodes")
