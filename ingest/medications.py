"""Finds medication mentions in transcript text: exact names and aliases, then near misses."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ingest.lexicon import (
    SHORTEST_FUZZY,
    SOUND_WEIGHT,
    TAIL_WEIGHT,
    Lexicon,
    Resolved,
    is_ordinary_word,
    sound,
    word_frequency,
)
from ingest.records import MatchedBy
from ingest.text import Token, normalise, tokenize

# A near miss of a drug the episode names elsewhere needs less evidence than one out of nowhere.
CONTEXT_SCORE = 74.0
FUZZY_SCORE = 85.0
DOSE_SUPPORTED_SCORE = 75.0
ALIAS_CONFIDENCE = 0.97
# Speech-to-text splits a name into pieces, but the first piece is not "the" or "and".
FUNCTION_WORD_ZIPF = 5.5
# Speech-to-text splits an unfamiliar name into up to three pieces ("sir tra lean").
MAX_PIECES = 4
# A joined reading of ordinary words must sound exactly like the name, or be spelt this alike.
JOINED_SPELLING_SCORE = 88.0


# A drug name that modifies one of these nouns names a test or a structure of the body, not a
# medication taken: "calcium score", "opioid receptors", "calcium channels".
NOT_TAKEN_BEFORE = {
    "score", "scores", "scan", "scans", "receptor", "receptors", "channel", "channels",
    "pathway", "pathways", "antibodies", "antibody", "level", "levels", "resistance",
    "sensitivity", "syringe", "syringes", "needle", "needles",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Found:
    start: int  # character offsets
    end: int
    text: str
    medication: str
    confidence: float
    matched_by: MatchedBy


@dataclass(frozen=True, slots=True)
class Scan:
    """A text's tokens and the names found in it exactly; near misses are looked for after,
    once the whole episode's exact names are known."""

    text: str
    tokens: Sequence[Token]
    keys: list[str]
    exact: list[Found]
    covered: frozenset[int]

    @property
    def names(self) -> set[str]:
        return {found.medication for found in self.exact}


def scan(text: str, *, lexicon: Lexicon) -> Scan:
    tokens = tokenize(text)
    keys = _keys(tokens)
    exact, covered = _exact(tokens, keys, text, lexicon)
    return Scan(text, tokens, keys, exact, frozenset(covered))


def exact_names(text: str, *, lexicon: Lexicon) -> set[str]:
    """The medications `text` names exactly, for the context that supports near misses."""
    return scan(text, lexicon=lexicon).names


def find_mentions(
    text: str,
    *,
    lexicon: Lexicon,
    context: Collection[str] = (),
    dose_follows: Callable[[int], bool] = lambda _: False,
) -> list[Found]:
    """Mentions in order: exact names first, then misspellings with enough support.

    `context` holds the medications named elsewhere in the episode; `dose_follows(offset)` says
    whether a dose comes right after a character offset, which supports a near miss too.
    """
    targets = Targets(lexicon, context)
    scanned = scan(text, lexicon=lexicon)
    return mentions_in(scanned, lexicon=lexicon, targets=targets, dose_follows=dose_follows)


def mentions_in(
    scanned: Scan,
    *,
    lexicon: Lexicon,
    targets: "Targets",
    dose_follows: Callable[[int], bool] = lambda _: False,
) -> list[Found]:
    """The exact names of a scan and its near misses; overlapping readings of the same words
    ("lotto nrexone", "nrexone") go to the best score."""
    tokens, keys, text = scanned.tokens, scanned.keys, scanned.text
    found = list(scanned.exact)
    covered = set(scanned.covered)
    candidates = [
        candidate
        for index, token in enumerate(tokens)
        if index not in covered and token.is_word
        for candidate in _near_misses(tokens, keys, index, covered, lexicon, targets, dose_follows)
    ]
    # Best score first; of equal scores, the reading that explains more of the words.
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[3] - candidate[4]))
    for score, name, matched_by, first, last in candidates:
        if covered.intersection(range(first, last)):
            continue
        covered.update(range(first, last))
        start, end = tokens[first].start, tokens[last - 1].end
        confidence = round(min(score / 100, 0.95), 3)
        found.append(Found(start, end, text[start:end], name, confidence, matched_by))
    return sorted(found, key=lambda hit: hit.start)


class Targets:
    """The episode's medications, by one-word spelling and by sound, for near misses.

    Built once per episode; a misspelling said several times is scored once.
    """

    def __init__(self, lexicon: Lexicon, names: Collection[str]) -> None:
        self._best: dict[tuple[str, bool], tuple[float, str, MatchedBy] | None] = {}
        self.spellings = {
            spelling: name for name in sorted(names) for spelling in lexicon.spellings(name)
        }
        self.words = list(self.spellings)
        self.sounds = [sound(spelling) for spelling in self.words]
        self.by_sound: dict[str, set[str]] = {}
        for key, name in zip(self.sounds, self.spellings.values(), strict=True):
            self.by_sound.setdefault(key, set()).add(name)
        # Split names keep their first letter ("met forman"): a cheap test before the sound key.
        self.initials = {spelling[0] for spelling in self.spellings}

    def best(self, word: str, *, clipped: bool = True) -> tuple[float, str, MatchedBy] | None:
        """The medication `word` most resembles, if it resembles one enough."""
        if (word, clipped) not in self._best:
            self._best[word, clipped] = self._score(word, clipped)
        return self._best[word, clipped]

    def _score(self, word: str, clipped: bool) -> tuple[float, str, MatchedBy] | None:
        """How likely `word` is speech-to-text's rendering of one of the episode's drugs: the
        best of three views, each searched over every spelling at once. The spelling; the
        spelling of a name's tail, since speech-to-text often drops the first syllable
        ("trexone" for "naltrexone"), left out with `clipped=False` for pieces joined back
        into one word; and the sound (Metaphone keys)."""
        found: list[tuple[float, int]] = []
        if hit := process.extractOne(
            word, self.words, scorer=fuzz.ratio, score_cutoff=CONTEXT_SCORE
        ):
            found.append((hit[1], hit[2]))
        if clipped and len(word) >= SHORTEST_FUZZY:
            tails = [s[-len(word) :] if len(word) >= 0.6 * len(s) else "" for s in self.words]
            cutoff = CONTEXT_SCORE / TAIL_WEIGHT
            if hit := process.extractOne(word, tails, scorer=fuzz.ratio, score_cutoff=cutoff):
                found.append((TAIL_WEIGHT * hit[1], hit[2]))
        key = sound(word)
        if len(key) >= 3:
            keys = [k if len(k) >= 3 else "" for k in self.sounds]
            cutoff = CONTEXT_SCORE / SOUND_WEIGHT
            if hit := process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff):
                found.append((SOUND_WEIGHT * hit[1], hit[2]))
        if not found:
            return None
        score, index = max(found)
        if score < CONTEXT_SCORE:
            return None
        return float(score), self.spellings[self.words[index]], MatchedBy.CONTEXT

    def sounding(self, word: str) -> tuple[float, str, MatchedBy] | None:
        """A medication that sounds exactly like `word` ("met forman", "sir tra lean"), or is
        spelt nearly the same ("met forming")."""
        if word[:1] not in self.initials:
            return None
        if sound(word) not in self.by_sound and not process.extractOne(
            word, self.words, scorer=fuzz.ratio, score_cutoff=JOINED_SPELLING_SCORE
        ):
            return None
        return self.best(word, clipped=False)


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [normalise(token.text) if token.is_word else "" for token in tokens]


def _exact(
    tokens: Sequence[Token], keys: list[str], text: str, lexicon: Lexicon
) -> tuple[list[Found], set[int]]:
    """Longest exact names first, growing each phrase only while a name could start with it."""
    found: list[Found] = []
    covered: set[int] = set()
    index = 0
    while index < len(tokens):
        best: tuple[int, Resolved] | None = None
        phrase = ""
        for last in range(index, len(tokens)):
            if not keys[last]:
                break
            phrase = f"{phrase} {keys[last]}" if phrase else keys[last]
            resolved = lexicon.resolve_key(phrase)
            if resolved is not None:
                best = (last + 1, resolved)
            if phrase not in lexicon.prefixes:
                break
        if best is None and " " in keys[index]:
            # A hyphenated word may start with a name: "dexmedetomidine-induced".
            best = _leading_name(tokens[index], keys[index], lexicon, index)
        if best is None and len(keys[index]) == 1:
            best = _spelled(keys, index, lexicon)
        if best is None:
            index += 1
            continue
        after, resolved = best
        covered.update(range(index, after))
        if after >= len(keys) or keys[after] not in NOT_TAKEN_BEFORE:
            start, end = tokens[index].start, tokens[after - 1].end
            how = MatchedBy.EXACT if resolved.exact else MatchedBy.ALIAS
            confidence = 1.0 if resolved.exact else ALIAS_CONFIDENCE
            found.append(Found(start, end, text[start:end], resolved.name, confidence, how))
        index = after
    return found, covered


def _spelled(keys: list[str], index: int, lexicon: Lexicon) -> tuple[int, Resolved] | None:
    """An abbreviation said letter by letter, as speech-to-text writes it: "H C G", "L D N"."""
    end = index
    while end < len(keys) and len(keys[end]) == 1 and keys[end].isalpha():
        end += 1
    for last in range(end, index + 1, -1):
        resolved = lexicon.resolve_key("".join(keys[index:last]))
        if resolved is not None:
            return last, resolved
    return None


def _leading_name(
    token: Token, key: str, lexicon: Lexicon, index: int
) -> tuple[int, Resolved] | None:
    words = key.split(" ")
    for width in range(len(words) - 1, 0, -1):
        resolved = lexicon.resolve_key(" ".join(words[:width]))
        if resolved is not None:
            return index + 1, resolved
    return None


def _near_misses(
    tokens: Sequence[Token],
    keys: list[str],
    index: int,
    covered: set[int],
    lexicon: Lexicon,
    targets: Targets,
    dose_follows: Callable[[int], bool],
) -> list[tuple[float, str, MatchedBy, int, int]]:
    """Readings of the word at `index` as a drug, alone or joined with the pieces after it
    ("nrax on"): (score, medication, how, first token, token after the last)."""
    readings: list[tuple[float, str, MatchedBy, int, int]] = []
    first = tokens[index]
    word = keys[index].replace(" ", "")
    if word in lexicon.ignored:
        return readings
    rare = not is_ordinary_word(word)
    if len(word) >= 4 and rare:
        best = targets.best(word)
        if best is None:
            closest = lexicon.closest(word)
            needed = DOSE_SUPPORTED_SCORE if dose_follows(first.end) else FUZZY_SCORE
            if closest is not None and closest[1] >= needed:
                best = (closest[1], closest[0], MatchedBy.FUZZY)
        if best is not None:
            readings.append((*best, index, index + 1))
    if not rare and word_frequency(word) >= FUNCTION_WORD_ZIPF:
        return readings
    for last in range(index + 1, min(index + MAX_PIECES, len(tokens))):
        if last in covered or not tokens[last].is_word:
            break
        rare = rare or not is_ordinary_word(keys[last])
        joined = "".join(keys[index : last + 1]).replace(" ", "")
        # "torva statin" may be a split name, "the triptan" never: a class word joins only
        # after a piece that is no word at all.
        if keys[last].replace(" ", "") in lexicon.ignored and is_ordinary_word(word):
            break
        # Pieces that are each ordinary words count only when they sound exactly like the name.
        best = targets.best(joined, clipped=False) if rare else targets.sounding(joined)
        if best is not None and not is_ordinary_word(joined, zipf=1.0):
            readings.append((*best, index, last + 1))
    return readings
