"""Links what the AI summary claims to the transcript segment that actually says it."""

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from ingest.records import Segment

# A quote is grounded where its words appear almost verbatim; below this it is not trusted.
GROUNDED_SCORE = 80.0
QUOTE_MARKS = "\"“”'‘’"
WORDS = re.compile(r"[^a-z0-9 ]+")


def comparable(text: str) -> str:
    return " ".join(WORDS.sub(" ", text.lower()).split())


def strip_quotes(text: str) -> str:
    return text.strip().strip(QUOTE_MARKS).strip()


def ground(text: str, segments: Sequence[Segment]) -> tuple[int | None, float]:
    """(index of the segment where `text` is said, score 0-100), or (None, best score).

    Words may run across a paragraph break, so each segment is also scored joined with the next
    one; the quote then belongs to the segment where it starts.
    """
    wanted = comparable(text)
    if not wanted or not segments:
        return None, 0.0
    texts = [comparable(segment.text) for segment in segments]
    best_index, best_score = 0, -1.0
    for index, segment_text in enumerate(texts):
        score = fuzz.partial_ratio(wanted, segment_text)
        if index + 1 < len(texts) and score < 100:
            joined = fuzz.partial_ratio_alignment(wanted, f"{segment_text} {texts[index + 1]}")
            # Only a match that starts in this segment belongs to it.
            if joined is not None and joined.dest_start < len(segment_text):
                score = max(score, joined.score)
        if score > best_score:
            best_index, best_score = index, score
    if best_score < GROUNDED_SCORE:
        return None, best_score
    return best_index, best_score
