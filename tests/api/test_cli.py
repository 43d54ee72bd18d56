"""The `claimdex` command as a user runs it, in a fresh working directory."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from db import models
from tests.conftest import DOCUMENTS, SEED, cli


def rows(path: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        found = {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model)) or 0
            for model in (models.Episode, models.Segment, models.Mention, models.Dosage)
        }
    engine.dispose()
    return found


def test_ingest_twice_then_a_bad_file(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_text(SEED.read_text())
    first = cli("ingest", str(seeds), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n") == 1 and first.stdout.startswith("added")
    database = tmp_path / "claimdex.db"
    before = rows(database)
    assert before["segments"] == 12
    again = cli("ingest", str(seeds / SEED.name), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("unchanged")
    assert rows(database) == before
    bad = cli("ingest", str(DOCUMENTS / "no-transcript.md"), str(seeds), cwd=tmp_path)
    assert bad.returncode == 1
    assert "no-transcript.md: no '## Transcript' section" in bad.stderr
    assert "unchanged" in bad.stdout
    assert rows(database) == before


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = cli("ingest", str(tmp_path / "nowhere.md"), cwd=tmp_path)
    assert result.returncode == 1
    assert "nowhere.md" in result.stderr


def test_a_folder_with_labels_and_sidecars_ingests_only_documents(tmp_path: Path) -> None:
    from tests.conftest import GOLD, gold_documents

    result = cli("ingest", str(GOLD), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Every .md beside its .gold.json, and nothing from the labels themselves.
    assert result.stdout.count("\n") == len([g for g in gold_documents() if g.path.exists()])


def test_an_internal_error_in_one_file_never_stops_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import db.ingestion
    from api.cli import app
    from ingest.lexicon import Lexicon
    from ingest.records import Document, Extraction

    real = db.ingestion.extract

    def extract(document: Document, *, names: Lexicon | None = None) -> Extraction:
        if document.meta.title.startswith("Broken"):
            raise RuntimeError("a bug in extraction")
        return real(document, names=names)

    monkeypatch.setattr(db.ingestion, "extract", extract)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'claimdex.db'}")
    broken = tmp_path / "a-broken.md"
    broken.write_text(SEED.read_text().replace("# ", "# Broken ", 1))
    seed = tmp_path / SEED.name
    seed.write_text(SEED.read_text())
    result = CliRunner().invoke(app, ["ingest", str(broken), str(seed)])
    assert result.exit_code == 1
    assert "a-broken.md: nothing stored" in result.output
    assert "RuntimeError: a bug in extraction" in result.output
    assert "added" in result.output and SEED.name in result.output
    assert rows(tmp_path / "claimdex.db")["episodes"] == 1
