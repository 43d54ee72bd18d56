"""Full-text search against a real database."""

from sqlalchemy.orm import Session, sessionmaker

from db import search
from tests.conftest import SCANNED, made_up_words, reads


def test_a_misspelt_word_widens_to_the_indexed_spellings(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
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
