"""The top-k search index: the database's answers, kept in step with writes, never used stale."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import models, search_index, store
from db.engine import transaction
from db.ingestion import ingest_file
from db.search import search_segments
from ingest import lexicon
from tests.conftest import SEED, cli

# The queries the search tests ask, a misspelling and a brand name among them.
QUERIES = (
    "microglia",
    "microglai",
    "vivid dreams",
    "hematocrit",
    "grapefruit",
    "brain zaps",
    "structural support",
    "LDN",
    "naltrexone dose",
)


def answers(sessions: sessionmaker[Session]) -> dict[str, list[tuple[int, str]]]:
    with sessions() as session:
        return {
            query: [
                (hit.segment_id, hit.snippet)
                for hit in search_segments(session=session, query=query, limit=10)
            ]
            for query in QUERIES
        }


def in_use(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return search_index.searcher(session=session) is not None


def test_the_index_gives_the_databases_answers(
    fresh_seeded: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranked_by_the_database = answers(fresh_seeded)
    assert all(ranked_by_the_database[query] for query in QUERIES)
    monkeypatch.setenv(search_index.LOCATION, str(tmp_path / "index"))
    assert not in_use(fresh_seeded)  # set, but not built yet: the database ranks
    segments, changed = search_index.rebuild(sessions=fresh_seeded, folder=tmp_path / "index")
    assert segments > 0 and not changed
    assert in_use(fresh_seeded)
    ranked_by_the_index = answers(fresh_seeded)
    for query in QUERIES:
        # The same hits with the same snippets. On SQLite, BM25 both, the same best hit; below
        # it the order can differ: the index scores a segment as one document (its words, and
        # its summary lines as a second field), the database sums each matching entry's score.
        # PostgreSQL ranks by cover density (ts_rank_cd), the index by BM25 as SQLite does.
        found, expected = ranked_by_the_index[query], ranked_by_the_database[query]
        assert dict(found) == dict(expected), query
        if fresh_seeded.kw["bind"].dialect.name == "sqlite":
            assert found[0] == expected[0], query


def test_pages_follow_each_other(
    fresh_seeded: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(search_index.LOCATION, str(tmp_path / "index"))
    search_index.rebuild(sessions=fresh_seeded, folder=tmp_path / "index")
    with fresh_seeded() as session:
        whole = search_segments(session=session, query="the", limit=30)
        pages, after = [], None
        for _ in range(10):
            page = search_segments(session=session, query="the", limit=3, after=after)
            pages += page
            after = (page[-1].score, page[-1].segment_id)
    assert len(whole) == 30
    assert [hit.segment_id for hit in pages] == [hit.segment_id for hit in whole]


def test_the_index_follows_ingest_and_delete(
    fresh_sessions: sessionmaker[Session],
    names: lexicon.Lexicon,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(search_index.LOCATION, str(tmp_path / "index"))
    search_index.rebuild(sessions=fresh_sessions, folder=tmp_path / "index")
    stored = ingest_file(sessions=fresh_sessions, path=SEED, names=names)
    assert in_use(fresh_sessions)
    with fresh_sessions() as session:
        hits = search_segments(session=session, query="microglia", limit=5)
        assert hits and session.get(models.Segment, hits[0].segment_id) is not None
    with transaction(fresh_sessions) as session:
        assert store.delete_episode(session=session, episode_id=stored.episode_id)
    assert search_index.follow(sessions=fresh_sessions, deleted=[stored.episode_id])
    assert in_use(fresh_sessions)
    with fresh_sessions() as session:
        assert search_segments(session=session, query="microglia", limit=5) == []


def test_a_change_the_index_missed_leaves_it_unused_until_rebuilt(
    fresh_seeded: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranked_by_the_database = answers(fresh_seeded)
    folder = tmp_path / "index"
    monkeypatch.setenv(search_index.LOCATION, str(folder))
    search_index.rebuild(sessions=fresh_seeded, folder=folder)
    with transaction(fresh_seeded) as session:  # a write whose process stopped after commit
        search_index.changed(session=session)
    assert not in_use(fresh_seeded)
    assert answers(fresh_seeded) == ranked_by_the_database
    # The next write finds the index behind and leaves it so.
    with transaction(fresh_seeded) as session:
        search_index.changed(session=session)
    assert not search_index.follow(sessions=fresh_seeded, keys=["no such episode"])
    assert not in_use(fresh_seeded)
    search_index.rebuild(sessions=fresh_seeded, folder=folder)
    assert in_use(fresh_seeded)


def test_an_index_of_another_database_is_not_used(
    fresh_seeded: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    monkeypatch.setenv(search_index.LOCATION, str(folder))
    search_index.rebuild(sessions=fresh_seeded, folder=folder)
    with transaction(fresh_seeded) as session:
        row = session.get(models.SearchIndexState, 1)
        assert row is not None
        row.database = "another"
    assert not in_use(fresh_seeded)


def test_the_command_builds_the_index(tmp_path: Path) -> None:
    assert cli("ingest", str(SEED), cwd=tmp_path).returncode == 0
    unset = cli("search-index", cwd=tmp_path)
    assert unset.returncode == 2 and search_index.LOCATION in unset.stderr
    built = cli("search-index", "--folder", str(tmp_path / "index"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "segments" in built.stdout
    assert (tmp_path / "index" / search_index.RECORD).exists()
