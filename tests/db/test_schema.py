"""The migrated schema itself, on each backend."""

from sqlalchemy import Engine, inspect


def test_every_reference_to_a_segment_is_indexed(engine: Engine) -> None:
    # Deleting an episode deletes its segments, and the database then looks up every row that
    # refers to each one: without an index that is a scan of the whole table per segment.
    schema = inspect(engine)
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
