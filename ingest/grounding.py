"""Links what the AI summary claims to the transcript segment that actually says it."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ingest.lexicon import is_ordinary_word
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


# A paraphrase is supported where most of what it says (its rarer words and the drugs it
# names) is said in one segment; the segment the summary points at wins ties.
SUPPORTED = 0.5
CLAIMED_BONUS = 0.1
COMMON_WORD_ZIPF = 6.0
PREFIX = 5
# Sections of a summary that are not claims to check line by line: the questions it suggests,
# and the overview that restates the whole episode.
NOT_CLAIMS = ("question", "follow", "executive", "overview")
# Headings inside a section ("LDN dosing:") and placeholders ("Not discussed in this excerpt").
NOT_A_CLAIM = re.compile(r":\s*$|^not (?:discussed|mentioned|covered)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a piece of text says, reduced for comparison: word stems, the drugs it names and
    the doses it gives (value and canonical unit)."""

    stems: frozenset[str]
    drugs: frozenset[str]
    doses: frozenset[tuple[float, str]]

    @classmethod
    def of(
        cls, text: str, drugs: Iterable[str], doses: Iterable[tuple[float, str]] = ()
    ) -> "Evidence":
        words = comparable(text).split()
        stems = {
            word[:PREFIX]
            for word in words
            if len(word) >= 3
            and not word[0].isdigit()
            and not is_ordinary_word(word, zipf=COMMON_WORD_ZIPF)
        }
        return cls(frozenset(stems), frozenset(drugs), frozenset(doses))

    @property
    def empty(self) -> bool:
        return not (self.stems or self.drugs or self.doses)

    def support(self, other: "Evidence") -> float:
        """The share of this evidence found in `other`; a drug or a dose counts as two words."""
        wanted = len(self.stems) + 2 * (len(self.drugs) + len(self.doses))
        if not wanted:
            return 0.0
        found = len(self.stems & other.stems)
        found += 2 * (len(self.drugs & other.drugs) + len(self.doses & other.doses))
        return found / wanted


def support(
    claim: Evidence, segments: Sequence[Evidence], seconds: Sequence[int], claimed: int | None
) -> tuple[int | None, float]:
    """(the segment that best supports a summary line, score 0-1), or (None, best score)."""
    best_index, best_score, best_rank = None, 0.0, -1.0
    for index, evidence in enumerate(segments):
        score = claim.support(evidence)
        rank = score + (CLAIMED_BONUS if claimed is not None and seconds[index] == claimed else 0)
        if rank > best_rank:
            best_index, best_score, best_rank = index, score, rank
    if best_score < SUPPORTED:
        return None, round(best_score, 3)
    return best_index, round(best_score, 3)
