"""Ingesting many files (db/ingestion.py): extraction in worker processes stores what the
serial path stores, in the same order, and a file that fails or kills its worker is reported
while the rest are stored."""

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, Engine, select

from db import ingestion, models
from db.engine import session_factory
from db.ingestion import Ingested, WorkerStopped, ingest_files
from db.store import Outcome
from ingest.parse import ParseError
from tests.conftest import DOCUMENTS, SPEAKERS, _migrated, gold_documents, gold_path


def stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the models declare, in key order, but for the times of day
    rows were written and the name each database gives itself."""
    own_name = models.SearchIndexState.__table__.c.database
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(
                        *(
                            c
                            for c in table.columns
                            if not isinstance(c.type, DateTime) and c is not own_name
                        )
                    ).order_by(*table.primary_key.columns)
                )
            ]
            for table in models.Base.metadata.sorted_tables
        }


FILES = [gold_path(gold) for gold in gold_documents()] + [SPEAKERS]


def test_workers_store_what_one_process_does(engine: Engine, tmp_path: Path) -> None:
    parallel = list(ingest_files(sessions=session_factory(engine), paths=FILES, workers=2))
    (tmp_path / "serial").mkdir()
    with _migrated(engine.dialect.name, tmp_path / "serial") as serial_engine:
        serial = list(ingest_files(sessions=session_factory(serial_engine), paths=FILES, workers=1))
        one_process = stored(serial_engine)
    assert [path for path, _ in parallel] == FILES
    assert parallel == serial
    assert all(isinstance(result, Ingested) for _, result in parallel)
    found = stored(engine)
    assert found == one_process
    assert len(found["episodes"]) == len(FILES) and found["medication_tallies"]


def test_a_failing_or_dying_file_is_reported_and_the_rest_are_stored(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare = ingestion.prepare

    def breaking(**arguments: Any) -> Any:
        # Workers are forked with this in place of the real thing.
        if arguments["source"].endswith("dies.md"):
            os._exit(1)
        if arguments["source"].endswith("raises.md"):
            raise KeyError("a fault inside extraction")
        return prepare(**arguments)

    monkeypatch.setattr(ingestion, "prepare", breaking)
    dies, raises = tmp_path / "dies.md", tmp_path / "raises.md"
    for made in (dies, raises):
        made.write_text(SPEAKERS.read_text().replace("Sleep", made.stem))
    good = FILES[:3]
    paths = [good[0], dies, DOCUMENTS / "no-transcript.md", good[1], raises, good[2]]
    sessions = session_factory(engine)
    results = dict(ingest_files(sessions=sessions, paths=paths, workers=2))
    assert list(results) == paths
    assert isinstance(results[dies], WorkerStopped)
    assert isinstance(results[DOCUMENTS / "no-transcript.md"], ParseError)
    assert isinstance(results[raises], KeyError)
    assert [results[path].outcome for path in good] == [Outcome.ADDED] * 3  # type: ignore[union-attr]
    with sessions() as session:
        keys = session.scalars(select(models.Episode.key)).all()
    assert len(keys) == 3
    # Run again, the stored files are found unchanged and the bad ones fail as before.
    again = dict(ingest_files(sessions=sessions, paths=paths, workers=2))
    assert [again[path].outcome for path in good] == [Outcome.UNCHANGED] * 3  # type: ignore[union-attr]
    assert isinstance(again[dies], WorkerStopped)
