from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import claims, models, queries
from db.ingestion import ingest_file, ingest_text
from db.store import Outcome
from ingest.lexicon import Lexicon
from ingest.parse import ParseError
from tests.conftest import DOCUMENTS, SEED, SPEAKERS


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return queries.counts(session=session)


def test_ingesting_twice_changes_nothing(sessions: sessionmaker[Session], names: Lexicon) -> None:
    first = ingest_file(sessions=sessions, path=SEED, names=names)
    before = counts(sessions)
    again = ingest_file(sessions=sessions, path=SEED, names=names)
    assert (first.outcome, again.outcome) == (Outcome.ADDED, Outcome.UNCHANGED)
    assert again.episode_id == first.episode_id
    assert counts(sessions) == before
    assert before["episodes"] == 1 and before["segments"] == 12


def test_speakers_stances_and_sponsor_reads_are_stored(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    stored = ingest_file(sessions=sessions, path=SPEAKERS, names=names)
    ids = [stored.episode_id]
    with sessions() as session:
        segments = queries.segments_for(session=session, episode_ids=ids)[stored.episode_id]
        dosages = claims.claims_in(session=session, model=models.Dosage, episode_ids=ids)
        warnings = claims.claims_in(session=session, model=models.Warning, episode_ids=ids)
    assert [(s.speaker, s.sponsored) for s in segments] == [
        ("Jane Doe", False), ("Jane Doe", True), ("John Roe", False), ("Jane Doe", False),
    ]  # fmt: skip
    assert [(d.value, d.stance, d.speaker, d.sponsored) for d in dosages[stored.episode_id]] == [
        (400.0, "PERSONAL", "Jane Doe", True),
        (200.0, "RECOMMENDATION", "John Roe", False),
        (300.0, "GENERAL", "John Roe", False),
    ]
    assert [(w.stance, w.speaker, w.sponsored) for w in warnings[stored.episode_id]] == [
        ("RECOMMENDATION", "John Roe", False)
    ]


def test_an_unchanged_file_is_not_extracted_again(
    sessions: sessionmaker[Session], names: Lexicon, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_file(sessions=sessions, path=SEED, names=names)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("an unchanged file was extracted again")

    monkeypatch.setattr("db.ingestion.extract", refuse)
    again = ingest_file(sessions=sessions, path=SEED, names=names)
    assert again.outcome is Outcome.UNCHANGED
    assert (again.medications, again.dosages) == (first.medications, first.dosages) != (0, 0)


def test_a_changed_file_replaces_its_episode(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    ingest_file(sessions=sessions, path=SEED, names=names)
    changed = SEED.read_text().replace("four and a half milligrams", "five milligrams")
    result = ingest_text(sessions=sessions, text=changed, source=str(SEED), names=names)
    assert result.outcome is Outcome.REPLACED
    assert counts(sessions)["episodes"] == 1
    with sessions() as session:
        naltrexone = queries.medication_named(session=session, name="naltrexone")
        assert naltrexone is not None
        ids = [naltrexone.id]
        doses = claims.claims_about(session=session, model=models.Dosage, medication_ids=ids)
        values = {(d.seconds, d.value) for d in doses[naltrexone.id]}
    assert (106, 5.0) in values and (106, 4.5) not in values


def test_a_failed_file_writes_nothing(
    sessions: sessionmaker[Session], names: Lexicon, tmp_path: Path
) -> None:
    ingest_file(sessions=sessions, path=SEED, names=names)
    before = counts(sessions)
    with pytest.raises(ParseError, match="no-transcript.md"):
        ingest_file(sessions=sessions, path=DOCUMENTS / "no-transcript.md", names=names)
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x89PNG\x00\x01")
    with pytest.raises(ParseError, match="binary data"):
        ingest_file(sessions=sessions, path=binary, names=names)
    latin = tmp_path / "latin.md"
    latin.write_bytes(SEED.read_text().replace("Peter", "P\u00e9ter").encode("latin-1", "replace"))
    with pytest.raises(ParseError, match="not UTF-8"):
        ingest_file(sessions=sessions, path=latin, names=names)
    assert counts(sessions) == before


def test_aliases_resolve_at_query_time(shared_seeded: sessionmaker[Session]) -> None:
    with shared_seeded() as session:
        for name in [
            "LDN",
            "naltrexone",
            "low-dose naltrexone",
            "Vivitrol",
            "Naltrexone",
            "nalrexone",
        ]:
            medication = queries.medication_named(session=session, name=name)
            assert medication is not None and medication.name == "naltrexone", name
        assert queries.medication_named(session=session, name="naltrexon") is not None
        assert queries.medication_named(session=session, name="potatoes") is None
        assert queries.medication_named(session=session, name="") is None


def test_indications_and_what_each_dose_is_for_are_stored(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    stored = ingest_file(sessions=sessions, path=SPEAKERS, names=names)
    ids = [stored.episode_id]
    with sessions() as session:
        found = claims.claims_in(session=session, model=models.Indication, episode_ids=ids)
        dosages = claims.claims_in(session=session, model=models.Dosage, episode_ids=ids)
        condition = queries.condition_named(session=session, name="Trouble Sleeping")
        aliases = queries.condition_aliases_for(session=session, condition_ids=[condition.id])
    said = [
        (i.condition_name, i.condition_code, i.stance, i.speaker, i.sponsored, i.text[:9])
        for i in found[stored.episode_id]
    ]
    assert said == [
        ("insomnia", "G47.00", "PERSONAL", "Jane Doe", True, "I take 40"),
        ("insomnia", "G47.00", "RECOMMENDATION", "John Roe", False, "We tell p"),
    ]
    assert [d.condition_name for d in dosages[stored.episode_id]] == ["insomnia", "insomnia", None]
    assert condition is not None and (condition.name, condition.code) == ("insomnia", "G47.00")
    assert "trouble sleeping" in aliases[condition.id]
    assert "insomnia" not in aliases[condition.id]  # the name is no alias of itself


def test_an_episode_ingested_again_replaces_its_indications(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    text = SPEAKERS.read_text()
    ingest_text(sessions=sessions, text=text, source=str(SPEAKERS), names=names)
    assert counts(sessions)["indications"] == 2
    # The advice no longer says what the dose is for: its indication goes, the read's stays.
    changed = text.replace(" at night for insomnia.", " at night.")
    assert changed != text
    stored = ingest_text(sessions=sessions, text=changed, source=str(SPEAKERS), names=names)
    after = counts(sessions)
    assert (after["episodes"], after["indications"], after["conditions"]) == (1, 1, 1)
    with sessions() as session:
        dosages = claims.claims_in(
            session=session, model=models.Dosage, episode_ids=[stored.episode_id]
        )
    assert [d.condition_name for d in dosages[stored.episode_id]] == ["insomnia", None, None]
