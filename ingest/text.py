"""Word tokens with character offsets, and sentence and clause boundaries, for transcript text."""

import re
from functools import lru_cache
from typing import NamedTuple

# Names that start with digits are words ("5-HTP", "5-MeO-DMT"); numbers keep their decimal
# point, thousands separators and fractions ("4.5", "2,000", "1/2");
# words keep inner hyphens, apostrophes and trailing digits ("low-dose", "drug's", "B12",
# "KSM-66"); any other mark is a token.
TOKEN = re.compile(
    # Words first: most tokens are words, and the engine tries the alternatives in order.
    r"[A-Za-z]+\d*(?:['’-][A-Za-z0-9]+)*\+?"
    r"|\d+-[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
    r"|\d+(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?(?:/\d+)?|(?<![\w.])\.\d+|\S"
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
CLAUSE_BREAK = re.compile(r"\s*(?:;|,\s*but\b|\bbut\b|\band\s+(?=if\b|when\b|then\b|take\b))\s*")


# A clause longer than this is unpunctuated speech, several sentences run together.
RUN_ON = 160
SPEECH_TURN = re.compile(
    r"\s+(?=(?:so|and then|because|cuz|if you|if someone|if they|if it|i tell)\b)",
    re.IGNORECASE,
)

NON_WORD = re.compile(r"[^a-z0-9+]+")


@lru_cache(maxsize=1 << 16)
def normalise(phrase: str) -> str:
    """The lookup key of a name: lower case, possessives dropped, punctuation as single spaces.

    Used for medication names at ingestion and at query time alike, so "Low-Dose Naltrexone",
    "low dose naltrexone" and "LDN's" find the same alias rows.
    """
    return NON_WORD.sub(" ", phrase.lower().replace("’s", "").replace("'s", "")).strip()


class Token(NamedTuple):
    # A named tuple rather than a dataclass: a transcript has thousands of tokens, and tuples
    # are built at half the cost.
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_number(self) -> bool:
        first = self.text[0]
        return (first.isdigit() and not self.text[-1].isalpha()) or (
            first == "." and len(self.text) > 1
        )

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha() or self.text[-1].isalpha()


@lru_cache(maxsize=256)
def tokenize(text: str) -> tuple[Token, ...]:
    """The tokens of `text`; a segment is read by several extractors, so the last few are kept."""
    return tuple([Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)])


def spans(text: str, pattern: re.Pattern[str], start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of the pieces of `text` between matches of `pattern`, offsets kept."""
    pieces = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((start + position, start + match.start()))
        position = match.end()
    if position < len(text):
        pieces.append((start + position, start + len(text)))
    return pieces


def sentences(text: str) -> list[tuple[int, int]]:
    return spans(text, SENTENCE_END)


def clauses(text: str) -> list[tuple[int, int]]:
    """Sentences cut further where a new instruction or condition begins; captions with no
    punctuation are cut where speech turns ("so", "if you", "because")."""
    pieces = []
    for begin, end in sentences(text):
        for start, stop in spans(text[begin:end], CLAUSE_BREAK, begin):
            if stop - start > RUN_ON:
                pieces.extend(spans(text[start:stop], SPEECH_TURN, start))
            else:
                pieces.append((start, stop))
    return pieces
