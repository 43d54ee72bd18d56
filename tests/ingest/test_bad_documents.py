"""The broken-input corpus (tests/documents/bad): each file ends in an error that names the
file (and the line, where there is one) or in a documented, safe treatment; either way the
rows already stored stay as they were."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from db import claims, models, queries
from db.ingestion import ingest_file
from ingest.lexicon import Lexicon
from ingest.parse import ParseError
from tests.conftest import DOCUMENTS, post_graphql

BAD = DOCUMENTS / "bad"


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return queries.counts(session=session)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.md", r"empty\.md: the file is empty"),
        ("binary.md", r"binary\.md: binary data"),
        ("latin1.md", r"latin1\.md: not UTF-8 text \(byte \d+"),
        (
            "broken-timestamp.md",
            r"broken-timestamp\.md: line \d+: malformed timestamp \[00:72:23\]",
        ),
        (
            "decreasing-timestamps.md",
            r"decreasing-timestamps\.md: line \d+: timestamp \[00:01:10\] goes back",
        ),
    ],
)
def test_refused_with_the_file_and_the_problem(
    seeded: sessionmaker[Session], names: Lexicon, name: str, message: str
) -> None:
    before = counts(seeded)
    with pytest.raises(ParseError, match=message):
        ingest_file(sessions=seeded, path=BAD / name, names=names)
    assert counts(seeded) == before


def test_a_huge_file_is_refused_before_reading(
    seeded: sessionmaker[Session], names: Lexicon, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.md"
    with huge.open("wb") as out:
        out.truncate(20 * 1024 * 1024)
    before = counts(seeded)
    with pytest.raises(ParseError, match=r"huge\.md: the file is 21\.0 MB; documents are limited"):
        ingest_file(sessions=seeded, path=huge, names=names)
    assert counts(seeded) == before


def test_a_paragraph_pasted_twice_is_kept_once(
    seeded: sessionmaker[Session], names: Lexicon
) -> None:
    result = ingest_file(sessions=seeded, path=BAD / "duplicated-segments.md", names=names)
    assert result.segments == 12


def test_absurd_amounts_are_not_doses(seeded: sessionmaker[Session], names: Lexicon) -> None:
    result = ingest_file(sessions=seeded, path=BAD / "absurd-doses.md", names=names)
    with seeded() as session:
        episode = queries.episode_by_id(session=session, episode_id=result.episode_id)
        assert episode is not None
        ids = [episode.id]
        doses = claims.claims_in(session=session, model=models.Dosage, episode_ids=ids)[ids[0]]
    texts = " ".join(d.text for d in doses)
    assert "4500 kg" not in texts and "5 mg" not in texts and "900 grams" not in texts
    assert all(d.value > 0 for d in doses)


def test_markup_is_data_and_control_characters_are_removed(
    engine: Engine, fresh_seeded: sessionmaker[Session], names: Lexicon
) -> None:
    ingest_file(sessions=fresh_seeded, path=BAD / "markup-and-control.md", names=names)
    app = create_app(engine)
    query = '{ search(query: "fascinating", first: 5) { nodes { snippet source { text } } } }'
    found = post_graphql(app, query)["search"]["nodes"]
    node = next(n for n in found if "script" in n["source"]["text"])
    # Snippets are HTML (matches in <mark>), so the transcript's own markup arrives escaped
    # or dropped; the segment's text is plain data, kept as said.
    assert "<script" not in node["snippet"]
    assert '<script>alert("x")</script>' in node["source"]["text"]
    assert "\x07" not in node["source"]["text"] and "\x1b" not in node["source"]["text"]
