"""The medication vocabulary: exact names, brands and abbreviations, and near-miss lookup.

Built from the drug-named-entity-recognition package (generic and brand names) and the curated
files in `data/`: `lexicon.toml` (abbreviations and everyday names), `substances.toml` (what
podcasts talk about: supplements, botanicals, peptides, psychedelics, with class and source),
`endogenous.toml` (the body's own chemistry, a mention only where taken) and
`not_medications.toml`. Building from the package costs about 480 MB and 3 s, so the lexicon
is cached as a file (4 MB, read in under 0.1 s and 60 MB: `python -m bench.lexicon`) and the
package is imported only to rebuild it. Serving never loads the lexicon: it resolves names
through the alias table that ingestion writes to the database.
"""

import gc
import hashlib
import logging
import os
import pickle
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from sys import intern
from typing import Any

import jellyfish
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from ingest.text import normalise

log = logging.getLogger(__name__)

# A single word this common in English ("diamonds", "caps") is never read as a drug name,
# unless the curated file lists it.
COMMON_WORD_ZIPF = 4.0
PHRASE_WORD_ZIPF = 3.5  # a phrase made only of words this common is no vocabulary name
FUNCTION_ZIPF = 5.0  # "at", "and", "no": a name made of these and numbers is no name
# Below this, a word is all but unknown to English: speech-to-text's rendering of a name it
# did not know ("nrexone", "Trazadone") rather than a rare word ("titrate", "acidosis").
RARE_WORD_ZIPF = 1.5
# Entries known only by a MeSH code are proteins, chemicals and drug classes ("Analgesics,
# Opioid"), not medications someone takes; a class is not a claim about a dose.
DRUG_SOURCES = ("drugbank_id", "medline_plus_id", "nhs_url", "wikipedia_url")
SHORTEST_FUZZY = 5
# A clipped tail or a sound-alike counts for a little less than the same score in spelling.
TAIL_WEIGHT = 0.95
SOUND_WEIGHT = 0.9
# Short rare words sit one edit away from some name in 100k ("triptan", "tryptan"): a near
# miss with nothing else to support it must be long enough for one edit to be telling.
SHORTEST_UNSUPPORTED = 8
# Words that make a name a medicine's form rather than the body's own chemistry.
PRODUCT_WORDS = {
    "cypionate", "enanthate", "undecanoate", "propionate", "valerate", "benzoate", "acetate",
    "ester", "esters", "patch", "gel", "cream", "injection", "injections", "shot", "shots",
    "pellet", "pellets", "implant", "tablet", "tablets", "spray", "nasal", "intranasal", "oral",
    "vaginal", "micronized", "bioidentical", "recombinant", "synthetic", "exogenous", "therapy",
    "replacement", "trt", "hrt",
}  # fmt: skip


def squash(phrase: str) -> str:
    """A name with no spaces, so that "nrax on" and "nraxone" can be compared."""
    return normalise(phrase).replace(" ", "")


def sound(word: str) -> str:
    """A Metaphone key: "mellowtonin" and "melatonin" both give "MLTNN"."""
    return jellyfish.metaphone(word)


@lru_cache(maxsize=65536)
def word_frequency(word: str) -> float:
    """Zipf frequency of a word in English (0 for unknown words, 7 for "the")."""
    return float(zipf_frequency(normalise(word), "en"))


def is_ordinary_word(word: str, *, zipf: float = RARE_WORD_ZIPF) -> bool:
    return word_frequency(word) >= zipf


@dataclass(frozen=True, slots=True)
class Resolved:
    name: str  # canonical name
    exact: bool  # the canonical name itself rather than an alias


class Lexicon:
    """Names to canonical medications, with near-miss lookup over single-word names."""

    def __init__(
        self,
        names: Mapping[str, str],
        aliases: Mapping[str, Iterable[str]],
        ignored: Iterable[str] = (),
        *,
        guarded: Iterable[str] = (),
        consumed: Iterable[str] = (),
        components: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        # One object for equal strings (a name is often also an alias, a prefix or a squashed
        # spelling): the cache is read back with them shared, some 6 MB less.
        self.names = {intern(key): intern(name) for key, name in names.items()}
        self.ignored = frozenset(squash(name) for name in ignored)
        # Names of the body's own chemistry ("testosterone levels") and names that are
        # everyday words ("molly"): mentions only where the words around say it is taken.
        self.guarded = frozenset(normalise(key) for key in guarded)
        # Minerals the body runs on ("calcium signalling", "sodium in the blood"): mentions
        # only where the words around them say they are eaten, drunk or supplemented.
        self.consumed = frozenset(normalise(key) for key in consumed)
        self.components = {name: tuple(parts) for name, parts in (components or {}).items()}
        self.aliases = {
            intern(name): tuple(intern(alias) for alias in sorted(set(found)))
            for name, found in aliases.items()
        }
        # Every proper prefix of a many-word name, so a phrase is extended word by word only
        # while some name could still begin with it.
        self.prefixes: set[str] = set()
        for key in self.names:
            words = key.split(" ")
            for end in range(1, len(words)):
                self.prefixes.add(intern(" ".join(words[:end])))
        self._squashed: dict[str, str] = {}
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        by_sound: dict[str, set[str]] = defaultdict(set)
        self._closest: dict[str, tuple[str, float] | None] = {}
        for key, name in self.names.items():
            word = intern(key.replace(" ", ""))
            if len(word) < SHORTEST_FUZZY or not word.isalpha():
                continue
            self._squashed.setdefault(word, name)
            self._by_shape[word[0], len(word)].append(word)
            by_sound[sound(word)].add(name)
        # Tuples rather than sets: a set costs four times a tuple's memory, for 36,000 keys.
        self._by_sound = {key: tuple(sorted(found)) for key, found in by_sound.items()}

    def resolve(self, phrase: str) -> Resolved | None:
        """The medication a phrase names exactly (by name, brand or abbreviation), if any."""
        return self.resolve_key(normalise(phrase))

    def resolve_key(self, key: str) -> Resolved | None:
        """As resolve(), for a phrase already normalised; a plural that is no English word
        ("melatonins", "Adderalls", "EPAs") is its name."""
        name = self.names.get(key)
        if name is None and len(key) >= 4 and key.endswith("s"):
            singular = self.names.get(key[:-1])
            if singular is not None and not is_ordinary_word(key, zipf=3.0):
                name = singular
        if name is None:
            return None
        return Resolved(name=name, exact=key == normalise(name))

    def needs_support(self, key: str) -> bool:
        """Whether a mention said as `key` counts only where something is said to be taken."""
        return key in self.guarded

    def needs_consuming(self, key: str) -> bool:
        """Whether a mention said as `key` counts only where something is said to be eaten,
        drunk or supplemented."""
        return key in self.consumed

    def closest(self, word: str) -> tuple[str, float] | None:
        """The medication a rare word most likely misspells, with a 0-100 score, or None.

        Only strong evidence counts here, since nothing else supports the match: one or two
        edits away from a name, or sounding the same and spelt much alike.
        """
        word = squash(word)
        if word not in self._closest:
            self._closest[word] = self._search(word)
        return self._closest[word]

    def _search(self, word: str) -> tuple[str, float] | None:
        if len(word) < SHORTEST_UNSUPPORTED:
            return None
        best: tuple[str, float] | None = None
        for length in range(len(word) - 2, len(word) + 3):
            bucket = self._by_shape.get((word[0], length))
            if not bucket:
                continue
            allowed = 1 if len(word) < 9 else 2
            hit = process.extractOne(
                word, bucket, scorer=Levenshtein.distance, score_cutoff=allowed
            )
            if hit is not None:
                score = float(fuzz.ratio(word, hit[0]))
                if best is None or score > best[1]:
                    best = (self._squashed[hit[0]], score)
        if best is None:
            names = self._by_sound.get(sound(word), ())
            scored = [(name, float(fuzz.ratio(word, squash(name)))) for name in names]
            best = max(scored, key=lambda pair: pair[1], default=None)
            if best is not None and best[1] < 75:
                best = None
        return best

    def spellings(self, name: str) -> Iterator[str]:
        """The squashed single-word spellings of a medication, for comparing near misses."""
        # Only one-word names: a tail of "creatine monohydrate" is not a spelling of creatine.
        for alias in (name, *self.aliases.get(name, ())):
            word = normalise(alias)
            if len(word) >= SHORTEST_FUZZY and word.isalpha():
                yield word


def _is_medication(data: Mapping[str, Any]) -> bool:
    return any(data.get(key) for key in DRUG_SOURCES)


def build(
    vocabulary: Mapping[str, list[str]],
    canonical_data: Mapping[str, Mapping[str, Any]],
    curated: Mapping[str, Mapping[str, Any]],
    ignored: Iterable[str] = (),
    *,
    ambiguous: Iterable[str] = (),
    endogenous: Iterable[str] = (),
    minerals: Iterable[str] = (),
) -> Lexicon:
    """A lexicon from the vocabulary's variant -> canonical map, filtered, plus curated names.

    A curated entry may say `endogenous = true` with `class = "hormone"` (the body makes it),
    `needs_context = true` (its name is an everyday word), or list everyday-word aliases in a
    `context` sub-table ("molly"): those mentions need words of taking around them.
    Ambiguous abbreviations never resolve on their own.
    """
    names: dict[str, str] = {}
    guarded = {normalise(word) for word in endogenous}
    aliases: dict[str, set[str]] = defaultdict(set)
    skip = {normalise(name) for name in ignored}
    one_word = {key for key in map(normalise, vocabulary) if key and " " not in key}
    for variant, canonicals in vocabulary.items():
        canonical = canonicals[0]
        if normalise(canonical) in skip or not _is_medication(canonical_data.get(canonical, {})):
            continue
        key = normalise(variant)
        if not key or key in skip:
            continue
        # "diamonds" and "caps" name no drug in speech, nor "AT 10": function words and numbers.
        if " " not in key and is_ordinary_word(key, zipf=COMMON_WORD_ZIPF):
            continue
        if all(
            part.isdigit() or is_ordinary_word(part, zipf=FUNCTION_ZIPF) for part in key.split()
        ):
            continue
        # Nor do phrases of everyday words: "brown rice", "egg white", "natural killer cell",
        # "carbon dioxide", "factor x"; "regular insulin" names a drug in one of its words. The
        # curated files name the phrases that are substances ("fish oil", "laughing gas").
        if " " in key and all(
            part.isdigit()
            or len(part) == 1
            or (part not in one_word and is_ordinary_word(part, zipf=PHRASE_WORD_ZIPF))
            for part in key.split()
        ):
            continue
        names.setdefault(key, canonical)
        aliases[canonical].add(variant)
    for name, entry in curated.items():
        # A hormone the body makes is named mostly as its own ("testosterone levels"); a
        # supplement it also makes (creatine, glycine) is named mostly as the supplement.
        body_made = entry.get("endogenous") and entry.get("class") == "hormone"
        everyday = entry.get("context", {}).get("aliases", ())
        brands = entry.get("brands", ())
        for alias in [name, *entry.get("aliases", ()), *brands, *everyday]:
            key = normalise(alias)
            previous = names.get(key)
            if previous is not None and previous != name:
                aliases[previous].discard(alias)
            names[key] = name
            aliases[name].add(alias.lower())
            # A hormone's medicine forms ("testosterone cypionate", "TRT") and brands
            # ("Synthroid") say their own.
            product = alias in brands or bool(PRODUCT_WORDS & set(key.split()))
            if (body_made and not product) or entry.get("needs_context") or alias in everyday:
                guarded.add(key)
    # The body's own chemistry by any of the vocabulary's names ("antidiuretic hormone" is
    # vasopressin) needs words of taking too; a curated name, or a medicine's form
    # ("testosterone cypionate"), says its own.
    body_chemistry = {names[key] for key in guarded if key in names}
    curated_keys = {
        normalise(alias)
        for name, entry in curated.items()
        for alias in [name, *entry.get("aliases", ()), *entry.get("brands", ())]
    }
    for key, name in names.items():
        if (
            name in body_chemistry
            and key not in curated_keys
            and not PRODUCT_WORDS & set(key.split())
        ):
            guarded.add(key)
    # A vocabulary drug whose own name the curated file lists as an alias is that entry:
    # "Nicorette" is "nicotine gum" in the vocabulary, and nicotine gum is nicotine.
    for key, name in names.items():
        merged = names.get(normalise(name), name)
        if merged != name:
            names[key] = merged
            aliases[merged].update(aliases.pop(name, ()))
    for abbreviation in ambiguous:
        names.pop(normalise(abbreviation), None)
    components = {
        name: entry["components"] for name, entry in curated.items() if "components" in entry
    }
    return Lexicon(
        names, aliases, ignored, guarded=guarded, consumed=minerals, components=components
    )


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("ingest").joinpath("data", name).read_text("utf-8"))


def curated_names() -> dict[str, dict[str, Any]]:
    """The curated names: medications (lexicon.toml), then the substances podcasts talk about
    (substances.toml: supplements, botanicals, peptides, hormones, psychedelics); an entry in
    both files takes the aliases of both."""
    curated = dict(_data("lexicon.toml"))
    for name, entry in _data("substances.toml").items():
        if name == "ambiguous":
            continue
        known = curated.get(name, {})
        aliases = [*known.get("aliases", ()), *entry.get("aliases", ())]
        curated[name] = {**known, **entry, "aliases": aliases}
    return curated


def endogenous_words() -> list[str]:
    """Names of the body's own chemistry that a mention needs words of taking around."""
    return list(_data("endogenous.toml")["words"])


def mineral_words() -> list[str]:
    """Names of minerals and nutrients the body runs on or makes: mentions only where eaten,
    drunk or supplemented."""
    data = _data("endogenous.toml")
    return list(data["minerals"]) + list(data["nutrients"])


def ambiguous_names() -> list[str]:
    return list(_data("substances.toml").get("ambiguous", {}).get("names", ()))


def drug_classes() -> list[str]:
    """Names of drug classes ("statins", "an antidepressant"), which name no one drug."""
    return list(_data("not_medications.toml")["classes"])


def ignored_names() -> list[str]:
    data = _data("not_medications.toml")
    return list(data["names"]) + list(data["classes"]) + list(data["foods"])


# What a cached lexicon is built from besides the data files: the vocabulary, the English
# word frequencies that filter it, the Metaphone keys stored in it, and the code of this module
# and of the normalising it stores keys by. A change to any of them builds a new cache file.
SHAPING_PACKAGES = ("drug-named-entity-recognition", "wordfreq", "jellyfish")
SHAPING_MODULES = ("lexicon.py", "text.py")


def cache_key(code: Traversable | None = None) -> str:
    """A digest of everything a built lexicon depends on, naming its cache file; `code` is
    the `ingest` package's folder."""
    code = code or resources.files("ingest")
    digest = hashlib.sha256()
    for package in SHAPING_PACKAGES:
        digest.update(f"{package} {metadata.version(package)}\n".encode())
    data = code.joinpath("data")
    shaping = [code.joinpath(name) for name in SHAPING_MODULES]
    shaping += sorted((file for file in data.iterdir() if file.is_file()), key=lambda f: f.name)
    for file in shaping:
        digest.update(f"{file.name} ".encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:32]


def cache_dir() -> Path | None:
    """`CLAIMDEX_CACHE_DIR`, else claimdex's folder in the user's cache directory
    (`XDG_CACHE_HOME` or ~/.cache); None, logged, when the user has no home directory."""
    if configured := os.environ.get("CLAIMDEX_CACHE_DIR"):
        return Path(configured)
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / "claimdex"
    try:
        return Path.home() / ".cache" / "claimdex"
    except RuntimeError:
        log.warning("no home directory for the lexicon cache; set CLAIMDEX_CACHE_DIR")
        return None


def _read_cache(path: Path) -> Lexicon | None:
    """The lexicon cached at `path`, or None when there is none or it cannot be read."""
    try:
        with path.open("rb") as file:
            # Collecting while some 300,000 objects are created only slows their creation.
            gc.disable()
            try:
                found = pickle.load(file)
            finally:
                gc.enable()
    except FileNotFoundError:
        return None
    except Exception as error:  # noqa: BLE001 - a damaged cache of any kind is rebuilt
        log.warning("lexicon cache %s is unreadable (%s); rebuilding it", path, error)
        return None
    if not isinstance(found, Lexicon):
        log.warning("lexicon cache %s holds no lexicon; rebuilding it", path)
        return None
    return found


def _write_cache(path: Path, built: Lexicon) -> None:
    """Writes `built` to `path` through a temporary file renamed into place, so that a
    concurrent reader sees the whole file or none; a folder that cannot be written is logged."""
    temporary: str | None = None
    try:
        # The file is a pickle, which runs as code when read: only its owner may write there.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(built, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as error:
        log.warning(
            "cannot write the lexicon cache in %s (%s); building it in memory on every run "
            "until CLAIMDEX_CACHE_DIR names a writable folder",
            path.parent,
            error,
        )
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def build_full() -> Lexicon:
    """The full lexicon built from the vocabulary package and the curated files (about 3 s)."""
    from drug_named_entity_recognition import drugs_finder

    return build(
        drugs_finder.drug_variant_to_canonical,
        drugs_finder.drug_canonical_to_data,
        curated_names(),
        ignored_names(),
        ambiguous=ambiguous_names(),
        endogenous=endogenous_words(),
        minerals=mineral_words(),
    )


def cached(folder: Path | None) -> Lexicon:
    """The lexicon from its cache file in `folder`, or built and written there when that file
    is missing or unreadable; with no folder, built in memory."""
    if folder is None:
        return build_full()
    path = folder / f"lexicon-{cache_key()}.pickle"
    found = _read_cache(path)
    if found is None:
        found = build_full()
        _write_cache(path, found)
    return found


@cache
def load() -> Lexicon:
    """The full lexicon, cached in `cache_dir()`."""
    found = cached(cache_dir())
    # The lexicon (and when just built, the vocabulary) is many objects that never change:
    # without this, every full garbage collection walks them all.
    gc.collect()
    gc.freeze()
    return found
