"""Conditions named in speech: the canonical name and ICD-10-CM code of each lay or clinical
term (ingest/data/conditions.toml), and a finder of their mentions in a paragraph."""

import re
import tomllib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ingest.text import normalise


@dataclass(frozen=True, slots=True)
class ConditionMention:
    start: int  # character offsets in the text searched
    end: int
    text: str
    name: str  # canonical name
    code: str | None  # ICD-10-CM, None where no code fits the name


# "opioid and alcohol addiction": the first condition shares the head word of the second.
COORDINATED = re.compile(r"([A-Za-z][\w'-]*)\s+(?:and|or|and/or)\s+$", re.IGNORECASE)


WORD_START = re.compile(r"(?<!\w)[^\W_]")
START_REACH = 8  # characters read for a word's first two letters ("a-fib": "af")


def _start(said: str) -> str:
    """The first two letters or digits of a term or of the words at a place in a text, past
    the spaces, hyphens and apostrophes a term may have between them."""
    first = said[:2]
    if first.isalnum():  # most words
        return first.lower()
    return "".join(c for c in said[:START_REACH] if c.isalnum())[:2].lower()


def _pattern(term: str) -> str:
    """A term as a regex: spaces and hyphens interchangeable, apostrophes optional, and a
    plural ending allowed where the term has none."""
    parts = []
    for piece in re.split(r"([\s-]+|['’])", term):
        if not piece:
            continue
        if piece in ("'", "’"):
            parts.append("['’]?")
        elif piece.strip(" -") == "":
            parts.append(r"[\s-]*" if "-" in piece else r"[\s-]+")
        else:
            parts.append(re.escape(piece))
    plural = "" if term.endswith("s") or not term[-1].isalpha() else "(?:e?s)?"
    return "".join(parts) + plural


class Vocabulary:
    """Condition terms to canonical names and codes, longest term first."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self.codes: dict[str, str | None] = {}
        self.aliases: dict[str, tuple[str, ...]] = {}  # canonical name -> its other terms
        self.terms: dict[str, str] = {}  # normalised term -> canonical name
        self.short: dict[str, str] = {}  # abbreviation, as written -> canonical name
        self.context: dict[str, re.Pattern[str]] = {}
        for name, entry in entries.items():
            self.codes[name] = entry.get("code")
            self.aliases[name] = tuple(dict.fromkeys(t for t in entry["terms"] if t != name))
            for term in [name, *entry["terms"]]:
                if term not in entry.get("short", ()):
                    self.terms.setdefault(normalise(term), name)
            for term in entry.get("short", ()):
                self.short[term] = name
            full = [t for t in [name, *entry["terms"]] if t not in entry.get("short", ())]
            words = [*full, *entry.get("context", ())]
            self.context[name] = re.compile(
                r"(?<!\w)(?:" + "|".join(_pattern(w) for w in words) + r")(?!\w)", re.IGNORECASE
            )
        spoken = sorted({*self.terms, *(normalise(s) for s in self.short)}, key=len, reverse=True)
        # One alternation of every term is tried at every character of a paragraph; terms
        # grouped by their first two letters are tried only where a word starts with those.
        by_start: dict[str, list[str]] = {}
        for term in spoken:
            by_start.setdefault(_start(term), []).append(term)
        self.patterns = {
            start: re.compile(
                "(?:" + "|".join(_pattern(term) for term in terms) + r")(?!\w)", re.IGNORECASE
            )
            for start, terms in by_start.items()
        }

    def canonical(self, phrase: str) -> str | None:
        """The canonical name of a condition term ("CRPS", "high blood pressure"), if known."""
        if phrase in self.short:
            return self.short[phrase]
        key = normalise(phrase)
        return self.terms.get(key) or self.terms.get(key.removesuffix("s"))

    def find(
        self,
        text: str,
        *,
        around: str | None = None,
        medications: Sequence[tuple[int, int]] = (),
    ) -> list[ConditionMention]:
        """Every condition named in `text`, longest term first. An abbreviation counts only
        where `around` (the text and its neighbours) names the condition in full or a word of
        its context; nothing inside a medication's name (`medications`: spans) counts."""
        found = []
        for match in self._matches(text):
            said = match.group()
            name = self._name(said, around if around is not None else text)
            if name is None:
                continue
            if any(start <= match.start() and match.end() <= end for start, end in medications):
                continue
            found.append(ConditionMention(match.start(), match.end(), said, name, self.codes[name]))
            found += self._coordinated(text, match)
        return sorted(found, key=lambda mention: mention.start)

    def _matches(self, text: str) -> Iterator[re.Match[str]]:
        """Every term said in `text`, leftmost first, the longest term where several start at
        one word, none overlapping."""
        after = 0
        for word in WORD_START.finditer(text):
            if word.start() < after:
                continue
            pattern = self.patterns.get(_start(text[word.start() : word.start() + START_REACH]))
            if pattern is not None and (match := pattern.match(text, word.start())):
                after = match.end()
                yield match

    def _name(self, said: str, around: str) -> str | None:
        short = self.short.get(said) or self.short.get(said.removesuffix("s"))
        if short is not None:
            return short if self.context[short].search(around) else None
        key = normalise(said)
        return self.terms.get(key) or self.terms.get(key.removesuffix("s"))

    def _coordinated(self, text: str, match: re.Match[str]) -> list[ConditionMention]:
        """ "opioid and alcohol addiction" names opioid addiction too."""
        words = match.group().split(maxsplit=1)
        before = COORDINATED.search(text, 0, match.start())
        if len(words) < 2 or before is None:
            return []
        name = self.terms.get(normalise(f"{before[1]} {words[1]}"))
        if name is None:
            return []
        said = text[before.start(1) : before.end(1)]
        return [ConditionMention(before.start(1), before.end(1), said, name, self.codes[name])]


@cache
def vocabulary() -> Vocabulary:
    data = resources.files("ingest").joinpath("data", "conditions.toml").read_text("utf-8")
    return Vocabulary(tomllib.loads(data)["conditions"])


@cache
def official_name(code: str) -> str | None:
    """The ICD-10-CM title of a code ("G90.5": "Complex regional pain syndrome I (CRPS I)"),
    None for a code the code set does not hold. The code set is read on first use (2 s)."""
    with warnings.catch_warnings():
        # simple-icd-10-cm 1.5 reads its bundled data through a deprecated importlib call.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    return str(icd.get_description(code)) if icd.is_valid_item(code) else None
