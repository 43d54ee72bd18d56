"""Full-text search against a real database: snippets, widening, and what a search reads."""

from sqlalchemy.orm import Session, sessionmaker

from db import models, search
from db.ingestion import ingest_text
from db.search import search_segments
from ingest.lexicon import Lexicon
from tests.conftest import SCANNED, made_up_words, reads


def hits_in_the_seed(session: Session, query: str) -> dict[int, str]:
    """The snippet of each hit in the seed episode, by the second it points at."""
    found = {}
    for hit in search_segments(session=session, query=query, limit=100):
        segment = session.get(models.Segment, hit.segment_id)
        assert segment is not None
        if segment.episode.channel == "Peter Attia MD":
            found[segment.seconds] = hit.snippet
    return found


def test_snippets_show_the_transcript_words_that_matched(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        hits = hits_in_the_seed(session, "microglia")
    # At 00:01:22 the summary says "Microglia are neural immune modulators" and the transcript
    # "these microgia were like the warm fuzzy blanket": both match, the transcript is shown.
    assert "<mark>microgia</mark> were like the warm fuzzy blanket" in hits[82]
    # At 00:00:00 only a summary line matches: its words are shown.
    assert "receptor on <mark>microglia</mark> cells" in hits[0]


def test_a_misspelt_word_widens_to_the_indexed_spellings(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        # "microglai" is in no transcript; "microglia" and "microgia" are one edit from it.
        hits = search.search_segments(session=session, query="microglai", limit=5)
        assert hits
        assert all(
            "<mark>microglia</mark>" in hit.snippet.lower()
            or "<mark>microgia</mark>" in hit.snippet.lower()
            for hit in hits
        )


def test_widening_reads_only_the_terms_near_the_word(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        # Many stored words sharing the query word's first letters, none near it.
        search.record_terms(session, [" ".join(made_up_words("mi", 3000))])
        with reads(session) as read:
            hits = search.search_segments(session=session, query="microglai", limit=1)
        assert hits
        assert read.rows < 20
        if session.get_bind().dialect.name == "sqlite":
            assert read.plans and not [plan for plan in read.plans if SCANNED.search(plan)]


def test_a_word_written_after_a_search_widens_the_next_one(
    seeded: sessionmaker[Session], names: Lexicon
) -> None:
    episode = (
        "# A word no episode held\n\n**Channel:** Test\n**Upload Date:** 2026-01-01\n"
        "**URL:** https://example.org/watch?v=zzz\n\n## Transcript\n\n"
        "[00:00:05] We measured quorvantile in every sample.\n"
    )
    with seeded() as session:
        assert search_segments(session=session, query="quorvantyle", limit=5) == []
    ingest_text(sessions=seeded, text=episode, source="word.md", names=names)
    with seeded() as session:
        hits = search_segments(session=session, query="quorvantyle", limit=5)
    assert len(hits) == 1 and "<mark>quorvantile</mark> in every sample" in hits[0].snippet
