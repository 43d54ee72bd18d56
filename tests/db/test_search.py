"""Full-text search: which words a hit's snippet shows."""

from sqlalchemy.orm import Session, sessionmaker

from db import models
from db.search import search_segments


def hits_in_the_seed(session: Session, query: str) -> dict[int, str]:
    """The snippet of each hit in the seed episode, by the second it points at."""
    found = {}
    for hit in search_segments(session=session, query=query, limit=100):
        segment = session.get(models.Segment, hit.segment_id)
        assert segment is not None
        if segment.episode.channel == "Peter Attia MD":
            found[segment.seconds] = hit.snippet
    return found


def test_snippets_show_the_transcript_words_that_matched(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        hits = hits_in_the_seed(session, "microglia")
    # At 00:01:22 the summary says "Microglia are neural immune modulators" and the transcript
    # "these microgia were like the warm fuzzy blanket": both match, the transcript is shown.
    assert "<mark>microgia</mark> were like the warm fuzzy blanket" in hits[82]
    # At 00:00:00 only a summary line matches: its words are shown.
    assert "receptor on <mark>microglia</mark> cells" in hits[0]
