"""The migrated schema itself, on each backend: read from the shared database, and migrated
down and up on a database of the test's own."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from db import migrate, models, queries


def _full_text(difference: Any) -> bool:
    """Whether a difference is full-text search, which each dialect builds in its migration
    outside the models (db/search.py): SQLite's FTS5 tables and its entries index,
    PostgreSQL's tsvector column and its index."""
    named = difference[1] if difference[0].endswith(("_table", "_index")) else difference[3]
    return named.name.startswith(("search_fts", "ix_search_entries_")) or named.name == "search"


def test_the_migrations_make_what_the_models_declare(shared_engine: Engine) -> None:
    with shared_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, models.Base.metadata)
    assert [found for found in differences if not _full_text(found)] == []
    assert any(_full_text(found) for found in differences)  # the filter matches something


def test_every_reference_to_a_segment_is_indexed(shared_engine: Engine) -> None:
    # Deleting an episode deletes its segments, and the database then looks up every row that
    # refers to each one: without an index that is a scan of the whole table per segment.
    schema = inspect(shared_engine)
    referring = [
        (table, key["constrained_columns"][0])
        for table in schema.get_table_names()
        for key in schema.get_foreign_keys(table)
        if key["referred_table"] == "segments"
    ]
    assert {table for table, _ in referring} >= {"mentions", "dosages", "warnings", "quotes"}
    unindexed = [
        (table, column)
        for table, column in referring
        if not any(index["column_names"][:1] == [column] for index in schema.get_indexes(table))
    ]
    assert unindexed == []


def test_upgrading_writes_the_spelling_keys_of_what_is_stored(
    engine: Engine, fresh_seeded: sessionmaker[Session]
) -> None:
    # A database from before the keys: its aliases and terms get them on upgrade.
    def spelt() -> tuple[int, int]:
        with fresh_seeded() as session:
            return (
                session.scalar(select(func.count()).select_from(models.AliasSpelling)) or 0,
                session.scalar(select(func.count()).select_from(models.TermSpelling)) or 0,
            )

    written = spelt()
    assert min(written) > 0
    migrate.downgrade(engine, "0004")
    migrate.upgrade(engine)
    assert spelt() == written
    with fresh_seeded() as session:
        medication = queries.medication_named(session=session, name="naltrexoen")
        assert medication is not None and medication.name == "naltrexone"


def test_feeds_come_and_go_with_their_migration(engine: Engine) -> None:
    assert {"feeds", "feed_items"} <= set(inspect(engine).get_table_names())
    migrate.downgrade(engine, "0005")
    assert not {"feeds", "feed_items"} & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert {"feeds", "feed_items"} <= set(inspect(engine).get_table_names())
