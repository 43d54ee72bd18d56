"""Finds medication mentions in transcript text: exact names and aliases, then near misses."""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from ingest.lexicon import (
    RARE_WORD_ZIPF,
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

# A near miss of a drug the episode names elsewhere needs less evidence than one out of nowhere,
# but four letters in five alike: looser readings of real speech were other words
# ("ketogenesis", "xenoestrogens").
CONTEXT_SCORE = 80.0
FUZZY_SCORE = 85.0
DOSE_SUPPORTED_SCORE = 75.0
ALIAS_CONFIDENCE = 0.97
# Speech-to-text splits a name into pieces, but the first piece is not "the" or "and".
FUNCTION_WORD_ZIPF = 5.5
# Speech-to-text splits an unfamiliar name into up to three pieces ("sir tra lean").
MAX_PIECES = 4
# A joined reading of ordinary words must sound exactly like the name, or be spelt this alike.
JOINED_SPELLING_SCORE = 88.0
SHORTEST_JOINED = 9
SHORTEST_SOUND = 5  # sound-key letters a split name must share with a drug's
# A misspelling of a drug the episode names, this close, needs no other evidence.
SURE_SCORE = 90.0
# ... and a misspelling of a drug the episode names exactly, this close.
SURE_CONTEXT_SCORE = 85.0


# A drug name that modifies one of these nouns names a test or a structure of the body, not a
# medication taken: "calcium score", "opioid receptors", "calcium channels".
NOT_TAKEN_BEFORE = {
    "score", "scores", "scan", "scans", "receptor", "receptors", "channel", "channels",
    "pathway", "pathways", "antibodies", "antibody", "level", "levels", "resistance",
    "sensitivity", "syringe", "syringes", "needle", "needles",
    # ... or the body's own making of it: "melatonin production", "testosterone synthesis".
    "production", "release", "secretion", "synthesis", "signaling", "signalling", "rhythm",
    "excretion",
    # ... or a part of the body's workings, or a drug that acts on it: "the DHT system", "the
    # sodium-potassium pump", "a GABA blocking agent", "an LH mimetic".
    "system", "systems", "pump", "pumps", "optimization", "blocking", "blocker", "blockers",
    "antagonist", "antagonists", "agonist", "agonists", "analog", "analogs", "analogue",
    "analogues", "mimetic", "mimetics",
}  # fmt: skip


# Words that make a name the body's own chemistry at work, whatever the name.
BODY_BEFORE = re.compile(
    r"\b(?:this|the|a|that)\s+(?:hormone|neurotransmitter|neuromodulator|molecule),?\s*$"
    # "the release and production of melatonin", the same as "melatonin production".
    r"|\b(?:production|release|secretion|synthesis)\s+(?:(?:and|or)\s+[a-z]+\s+)?of\s+"
    r"(?:the\s+|your\s+|our\s+|their\s+)?$",
    re.IGNORECASE,
)
BODY_AFTER = re.compile(
    r",?\s*(?:(?:(?:is|was)\s+)?(?:the|a|this)\s+(?:hormone|neurotransmitter|neuromodulator)\b|"
    r"(?:levels?\s+)?(?:will|would|starts?\s+to|begins?\s+to|tends?\s+to|goes|go)\s+"
    r"(?:start\s+to\s+)?(?:rise|rises|fall|falls|drop|drops|peak|peaks|up|down|surge)\b)",
    re.IGNORECASE,
)
BODY_REACH = 30
# Words that say a substance is taken, given or sold as something to take: a name the body
# also makes ("testosterone") or a near miss counts only with one of these next to it.
TAKEN_BEFORE = re.compile(
    r"\b(?:take|takes|taking|took|taken|prescrib\w*|"
    r"(?:be|is|was|were|been|being|are|'s|'re|get|got|go|went|put|stay|stayed|come|came|"
    r"already|still|guys?|people|patients?|women|men|somebody|someone)\s+on|"
    r"inject\w*|giv(?:e|es|en|ing)|gave|"
    r"start|starts|started|starting|stop|stops|stopped|stopping|us(?:e|es|ed|ing)|"
    r"supplement\w*(?:\s+with)?|dos(?:e|es|ed|ing)|administer\w*|exogenous|synthetic|oral|"
    r"orally|topical|transdermal|injectable|add|adding|added|extra|buy|bought|tr(?:y|ies|ied|ying)|"
    r"stack\w*|ingest\w*|consum\w*|microdos\w*|prescription|alongside|combined\s+with|"
    r"randomi[sz]ed\s+to|assigned\s+to|placebo\s+(?:versus|vs\.?|or)|"
    # "cycle on and off testosterone", "come off estrogen", "anabolic steroids like testosterone"
    r"(?:come|came|coming|go|went|going|get|got|cycl\w*|taper\w*|wean\w*)\s+(?:on\s+and\s+)?off|"
    r"(?:drugs?|steroids?|medications?|supplements?|compounds?|peptides?)\s+(?:like|such\s+as|"
    r"including))"
    # Up to two words between, but not the ones that make the verb mean something else:
    # "take place when estrogen...", "start to see estradiol", "take a look at".
    r"\s+(?:(?!(?:place|look|see|seeing|to|care|note|notice)\b)[a-z'-]+\s+){0,2}"
    # ... and an amount said in words: "give you a bunch of testosterone".
    r"(?:(?:a\s+)?(?:bunch|lot|lots|little|little\s+bit|ton|tons|couple|plenty|dose|doses)"
    r"\s+of\s+)?$"
    # Weaker verbs count only right before the name: "got estrogen", "foods contain choline".
    r"|\b(?:get|gets|getting|got|receiv\w*|contain\w*|rich\s+in|high\s+in|sources?\s+of)"
    r"\s+(?:(?:a|an|the|some|more|extra|enough|their|his|her|your)\s+)?$",
    re.IGNORECASE,
)
TAKEN_AFTER = re.compile(
    r"\s*(?:[a-z'-]+\s+)?(?:therap\w*|replacement|injection\w*|shots?|creams?|gels?|"
    r"patch\w*|pills?|tablets?|capsules?|supplement\w*|dos(?:e|es|ing|age)|cypionate|"
    r"enanthate|undecanoate|propionate|esters?|pellets?|sprays?|users?|prescri\w*|trt|hrt|"
    r"milligrams?|micrograms?|mg|mcg|"
    r"iu|units|protocol|regimen|cycle|clinics?|groups?|arms?)\b"
    # A trial's arm: "estrogen versus a placebo", "progesterone compared with placebo".
    r"|\s*(?:versus|vs\.?|compared\s+(?:to|with)|or)\s+(?:an?\s+|the\s+)?placebo\b",
    re.IGNORECASE,
)
# Words of eating, drinking and supplementing, anywhere near a mineral's name.
CONSUMING = re.compile(
    r"\b(?:eat|eats|eating|ate|eaten|drink|drinks|drinking|drank|diet\w*|intake|ingest\w*|"
    r"consum\w*|foods?|meals?|salty|salted|supplement\w*|tablets?|capsules?|pills?|"
    r"milligrams?|grams?|mg|electrolyte\s+(?:drink|mix|powder|packet)s?|beverages?|"
    r"add(?:ed|ing)?|sprinkl\w*|rich\s+in|sources?|contains?|containing|enriched|"
    r"includes?|including|"
    # Wanting or tasting it: "crave salt", "seeking salt", "the taste of salt".
    r"crav\w*|appetite|tast(?:e|es|ed|ing|y)|seek\w*|desire\s+for|hunger\s+for)\b",
    re.IGNORECASE,
)
CONSUMED_REACH = 60
# Words of amount that may open a hyphenated word ending in a name: "low-sodium".
AMOUNT_PREFIXES = {"low", "high", "no", "zero", "reduced", "added", "extra", "lower", "higher"}
# Between two names of one list.
LIST_BETWEEN = re.compile(r"\s*(?:,|;|/)?\s*(?:and|or|plus|&|versus|vs\.?|nor)?\s*", re.IGNORECASE)
TAKEN_BEFORE_REACH = 40  # characters before a name that TAKEN_BEFORE reads
# A near miss needs less: words of taking anywhere around it.
TAKING_NEARBY = re.compile(
    r"\b(?:take|takes|taking|took|taken|supplement\w*|dos(?:e|es|ed|ing|age)|"
    r"milligrams?|micrograms?|grams?|mg|mcg|iu|units|inject\w*|shots?|prescri\w*|"
    r"therap\w*|pills?|capsules?|tablets?|drugs?|medications?|stack\w*|ingest\w*)\b",
    re.IGNORECASE,
)
NEARBY_BEFORE = 45
NEARBY_AFTER = 30
# Endings that make a word a form of another ("jitteriness" of "jitter"): a near miss that is
# a form of an ordinary English word is that word, not a misheard drug.
WORD_ENDINGS = ("iness", "ness", "ings", "ing", "ed", "ly", "ies", "es", "s", "er", "ers")


@dataclass(frozen=True, slots=True)
class Found:
    start: int  # character offsets
    end: int
    text: str
    medication: str
    confidence: float
    matched_by: MatchedBy
    # A name the body makes, or an everyday word, with no word of taking next to it: a mention
    # only if a dose is given to it ("testosterone levels" is not; "200 mg of it" makes it one).
    latent: bool = False


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
    named = scanned.names
    for score, name, matched_by, first, last in candidates:
        if covered.intersection(range(first, last)):
            continue
        start, end = tokens[first].start, tokens[last - 1].end
        # A near miss needs evidence that a drug is meant here: its dose right after, words
        # of taking around it, the same drug named exactly in the same paragraph, or a
        # misspelling so close to a drug the episode names that it can be nothing else.
        if not (
            name in named
            or dose_follows(end)
            or taken(text, start, end)
            or TAKING_NEARBY.search(text, max(0, start - NEARBY_BEFORE), end + NEARBY_AFTER)
            or (last - first == 1 and _spelt_like(keys[first], name, lexicon))
            or (matched_by is MatchedBy.CONTEXT and score >= SURE_CONTEXT_SCORE)
        ):
            continue
        covered.update(range(first, last))
        confidence = round(min(score / 100, 0.95), 3)
        found.append(Found(start, end, text[start:end], name, confidence, matched_by))
    found.sort(key=lambda hit: hit.start)
    latent = [_unsupported(text, hit, lexicon) for hit in found]
    # Named in one list with a drug said as a drug: "ketamine and PCP", "Alpha-GPC,
    # L-tyrosine and caffeine". A second pass carries the standing along a list of three.
    for _ in range(2):
        for index, hit in enumerate(found):
            if latent[index]:
                latent[index] = not any(
                    not latent[other] and _listed_together(text, found[other], hit)
                    for other in (index - 1, index + 1)
                    if 0 <= other < len(found)
                )
    return [
        replace(hit, latent=True) if flag else hit for hit, flag in zip(found, latent, strict=True)
    ]


def _unsupported(text: str, hit: Found, lexicon: Lexicon) -> bool:
    """Whether a name that needs words of taking (or of eating) around it lacks them. A name
    said inside a hyphenated word ("testosterone-associated", "low-sodium") is guarded as
    itself."""
    key = _name_key(normalise(hit.text), lexicon)
    if lexicon.needs_support(key):
        return not taken(text, hit.start, hit.end)
    if lexicon.needs_consuming(key):
        return not consumed(text, hit.start, hit.end)
    return False


def _name_key(key: str, lexicon: Lexicon) -> str:
    """The part of a hyphenated word's key that is the name: "testosterone associated" ->
    "testosterone", "low sodium" -> "sodium"."""
    if key in lexicon.names or " " not in key:
        return key
    words = key.split(" ")
    for width in range(len(words) - 1, 0, -1):
        for part in (" ".join(words[:width]), " ".join(words[-width:])):
            if part in lexicon.names:
                return part
    return key


def _listed_together(text: str, a: Found, b: Found) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return LIST_BETWEEN.fullmatch(text[first.end : second.start]) is not None


def _spelt_like(word: str, name: str, lexicon: Lexicon) -> bool:
    """Whether a word is spelt within a letter or two of one of the drug's names."""
    word = word.replace(" ", "")
    return any(fuzz.ratio(word, spelling) >= SURE_SCORE for spelling in lexicon.spellings(name))


def taken(text: str, start: int, end: int) -> bool:
    """Whether the words next to text[start:end] say it is taken: "she takes testosterone", "a
    testosterone patch", "on testosterone", and not "testosterone levels fall with age"."""
    before = text[max(0, start - TAKEN_BEFORE_REACH) : start]
    return TAKEN_BEFORE.search(before) is not None or TAKEN_AFTER.match(text, end) is not None


def consumed(text: str, start: int, end: int) -> bool:
    """Whether the words around text[start:end] say it is eaten, drunk or supplemented:
    "salt and sodium in your diet", not "sodium and potassium in the neuron"."""
    window = max(0, start - CONSUMED_REACH), end + CONSUMED_REACH
    return taken(text, start, end) or CONSUMING.search(text, *window) is not None


@lru_cache(maxsize=65536)
def form_of_word(word: str) -> bool:
    """Whether a word is an ordinary English word with an ending ("jitteriness")."""
    for ending in WORD_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3:
            if is_ordinary_word(stem) or (ending.startswith("i") and is_ordinary_word(stem + "y")):
                return True
    return False


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
        # Cheap tests first: most joined readings sound like no name and spell like none.
        if sound(word) not in self.by_sound and not process.extractOne(
            word, self.words, scorer=fuzz.ratio, score_cutoff=JOINED_SPELLING_SCORE
        ):
            return None
        best = self.best(word, clipped=False)
        if best is None:
            return None
        key = sound(word)
        for spelling, name in self.spellings.items():
            if name != best[1]:
                continue
            alike = fuzz.ratio(word, spelling)
            # A short sound key is shared by too many phrases ("create a new" and creatine).
            alike_sound = sound(spelling) == key and len(key) >= SHORTEST_SOUND
            if alike >= JOINED_SPELLING_SCORE or (alike_sound and alike >= 65):
                return best
        return None


def _keys(tokens: Sequence[Token]) -> list[str]:
    """Each token's lookup key: words, and the short whole numbers that end names said with a
    space ("omega 3", "vitamin b 12"); "" for anything else."""
    # Most tokens are plain words, whose key is their lower case; the rest go through normalise.
    return [
        token.text.lower()
        if token.text.isascii() and token.text.isalpha()
        else normalise(token.text)
        if token.is_word or (token.text.isdigit() and len(token.text) <= 3)
        else ""
        for token in tokens
    ]


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
            if phrase in lexicon.names:
                resolved = lexicon.resolve_key(phrase)
                if resolved is not None:
                    best = (last + 1, resolved)
            if phrase not in lexicon.prefixes:
                break
        if best is None and keys[index].endswith("s") and keys[index][:-1] in lexicon.names:
            plural = lexicon.resolve_key(keys[index])  # "EPAs", "melatonins"
            best = (index + 1, plural) if plural is not None else None
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
        start, end = tokens[index].start, tokens[after - 1].end
        if (after >= len(keys) or keys[after] not in NOT_TAKEN_BEFORE) and not _the_bodys(
            text, start, end
        ):
            how = MatchedBy.EXACT if resolved.exact else MatchedBy.ALIAS
            confidence = 1.0 if resolved.exact else ALIAS_CONFIDENCE
            # A combination ("fen-phen") is a mention of each of its drugs.
            for name in lexicon.components.get(resolved.name, (resolved.name,)):
                found.append(Found(start, end, text[start:end], name, confidence, how))
        index = after
    return found, covered


def _the_bodys(text: str, start: int, end: int) -> bool:
    """Whether the words around a name say it is the body's own: "this hormone, melatonin",
    "melatonin, the hormone that...", "melatonin will start to rise", "the release of
    melatonin". A vitamin is a mention however it is spoken of."""
    if text[start:end].lower().startswith("vitamin"):
        return False
    before = text[max(0, start - BODY_REACH) : start]
    return BODY_BEFORE.search(before) is not None or BODY_AFTER.match(text, end) is not None


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
    # ... or end with one after a word of amount: "a low-sodium diet", "high-salt foods".
    if len(words) == 2 and words[0] in AMOUNT_PREFIXES:
        resolved = lexicon.resolve_key(words[1])
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
    key = keys[index]
    word = key.replace(" ", "")
    frequency = word_frequency(word)
    # Most words are function words: no reading starts with "the" or "and".
    if frequency >= FUNCTION_WORD_ZIPF or word in lexicon.ignored:
        return readings
    rare = frequency < RARE_WORD_ZIPF and not form_of_word(word)
    if rare and " " in key and all(is_ordinary_word(part) for part in key.split(" ") if part):
        rare = False  # "day-to-day", "salty-sweet": ordinary words joined by hyphens
    if len(word) >= 4 and rare:
        best = targets.best(word)
        if best is None:
            closest = lexicon.closest(word)
            needed = DOSE_SUPPORTED_SCORE if dose_follows(first.end) else FUZZY_SCORE
            if closest is not None and closest[1] >= needed:
                best = (closest[1], closest[0], MatchedBy.FUZZY)
        if best is not None:
            readings.append((*best, index, index + 1))
    for last in range(index + 1, min(index + MAX_PIECES, len(tokens))):
        if last in covered or not tokens[last].is_word:
            break
        rare = rare or not is_ordinary_word(keys[last])
        joined = "".join(keys[index : last + 1]).replace(" ", "")
        # "torva statin" may be a split name, "the triptan" never: a class word joins only
        # after a piece that is no word at all.
        if keys[last].replace(" ", "") in lexicon.ignored and is_ordinary_word(word):
            break
        # Pieces that are each ordinary words join into a name only when they sound exactly
        # like it and are long enough for that to tell ("fin a steer ride"): "goal is" is not
        # calcium, "data on" is not iodine.
        if not rare and len(joined) < SHORTEST_JOINED:
            continue
        best = targets.best(joined, clipped=False) if rare else targets.sounding(joined)
        if best is not None and not is_ordinary_word(joined, zipf=1.0):
            readings.append((*best, index, last + 1))
    return readings
