"""Scores extraction against hand-written gold labels: precision, recall and F1 per claim type.

A gold file (`NAME.gold.json`, described in tests/gold/README.md) lists, for one document, the
(segment, medication) pairs that are mentioned, the doses, the warnings and the quotes' true
segments. Claims are compared as keys, so wording never matters, only what was claimed where.
"""

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.grounding import comparable
from ingest.lexicon import Lexicon
from ingest.records import Document, Dosage, EpisodeMeta, Extraction, MatchedBy, Warning
from ingest.speakers import speaker_at
from ingest.speakers import turns as speaker_turns
from ingest.sponsors import sponsor_paragraphs
from ingest.text import normalise
from ingest.timestamps import format_timestamp, parse_timestamp


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )


def compare(predicted: Iterable[Hashable], expected: Iterable[Hashable]) -> Score:
    found, wanted = Counter(predicted), Counter(expected)
    return Score(sum((found & wanted).values()), sum(found.values()), sum(wanted.values()))


def _amount(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def score_document(
    extraction: Extraction, labels: dict[str, Any], names: Lexicon
) -> dict[str, Score]:
    """Scores per claim type ("mentions", "dosages", "warnings", "quotes") for one document."""

    def canonical(name: str) -> str:
        resolved = names.resolve(name)
        return resolved.name if resolved is not None else name

    seconds = [segment.seconds for segment in extraction.document.segments]
    mentions = compare(
        {(seconds[m.segment], m.medication) for m in extraction.mentions},
        {(m["seconds"], canonical(m["medication"])) for m in labels["mentions"]},
    )
    dosages = compare(
        [
            (seconds[d.segment], d.medication, _amount(d.value), d.unit, _amount(d.max_value))
            for d in extraction.dosages
        ],
        [
            (
                d["seconds"],
                canonical(d["medication"]),
                _amount(d["value"]),
                d["unit"],
                _amount(d.get("maxValue")),
            )
            for d in labels["dosages"]
        ],  # fmt: skip
    )
    warnings = compare(
        {(seconds[w.segment], w.medication, w.kind.value) for w in extraction.warnings},
        {(w["seconds"], canonical(w["medication"]), w["kind"]) for w in labels["warnings"]},
    )
    grounded = {
        comparable(q.text): seconds[q.segment] if q.segment is not None else None
        for q in extraction.quotes
    }
    quotes = compare(
        [
            (comparable(q["text"]), grounded.get(comparable(q["text"])))
            for q in labels.get("quotes", [])
        ],
        [(comparable(q["text"]), q["seconds"]) for q in labels.get("quotes", [])],
    )
    return {"mentions": mentions, "dosages": dosages, "warnings": warnings, "quotes": quotes}


@dataclass(frozen=True, slots=True)
class AdeScores:
    """Recall on the ADE corpus's drug-dose relations (Gurulingappa et al., J Biomed Inform
    2012). A numeric pair counts as found in three ways, from loosest to strictest:

    - `found_pairs`: the drug is recognised and the dose is extracted, in the same sentence
      (what a dictionary-plus-regex baseline measures);
    - `numeric_pairs`: the dose is extracted and attributed to this drug, or to another drug
      the corpus relates to the very same dose (it pairs one dose with every drug of a
      combination or list, while the extractor gives each dose to one drug);
    - `attributed_pairs`: the dose is attributed to this very drug.
    """

    drugs: Score
    found_pairs: Score
    numeric_pairs: Score
    attributed_pairs: Score
    # The pairs an extractor that gives each dose to one drug can attribute at best: the
    # corpus relates one dose to every drug of a list, but a drug and its abbreviation
    # ("methotrexate (MTX)") are one drug.
    reachable: int

    @property
    def attributed_ceiling(self) -> float:
        """The strict recall of an extractor that gives each dose to exactly one drug and is
        right every time."""
        expected = self.attributed_pairs.expected
        return self.reachable / expected if expected else 1.0


def _span(sentence: str, said: str) -> tuple[int, int] | None:
    start = sentence.lower().find(said.lower())
    return None if start < 0 else (start, start + len(said))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_ade(lines: Iterable[str], names: Lexicon) -> AdeScores:
    """Scores DRUG-DOSE.rel lines: `PubMed-ID|sentence|dose|begin|end|drug|begin|end`.

    Offsets in the file are document-level, so spans are found in the sentence by text. Each
    sentence is extracted as a one-segment episode, with nothing else for context.
    """
    from ingest.extract import extract
    from ingest.records import Document, Segment

    relations: list[tuple[str, str, str, tuple[int, int], tuple[int, int]]] = []
    for line in lines:
        fields = line.rstrip("\n").split("|")
        if len(fields) < 8:
            continue
        sentence, dose, drug = fields[1], fields[2], fields[5]
        dose_span, drug_span = _span(sentence, dose), _span(sentence, drug)
        if dose_span is None or drug_span is None:
            continue
        relations.append((sentence, dose, drug, dose_span, drug_span))
    extractions: dict[str, Extraction] = {}
    for sentence, *_ in relations:
        if sentence not in extractions:
            document = Document(
                EpisodeMeta("", None, None, None, None), (), (Segment(0, sentence, 1),)
            )
            extractions[sentence] = extract(document, names=names)

    def drugs_at(sentence: str, span: tuple[int, int], said: str) -> set[str]:
        mentions = extractions[sentence].mentions
        found = {m.medication for m in mentions if _overlaps((m.start, m.end), span)}
        resolved = names.resolve(said)
        return found | ({resolved.name} if resolved is not None else set())

    # Each pair's drug as the extractor may name it, and the pairs of each dose.
    accepts = [drugs_at(sentence, drug_span, drug) for sentence, _, drug, _, drug_span in relations]
    of_dose: dict[tuple[str, tuple[int, int]], list[set[str]]] = {}
    for (sentence, _, _, dose_span, _), named in zip(relations, accepts, strict=True):
        of_dose.setdefault((sentence, dose_span), []).append(named)
    drugs = found = grouped = strict = Score(0, 0, 0)
    for (sentence, dose, _, dose_span, drug_span), named in zip(relations, accepts, strict=True):
        extraction = extractions[sentence]
        recognised = any(_overlaps((m.start, m.end), drug_span) for m in extraction.mentions)
        drugs += Score(int(recognised), 1, 1)
        if not any(character.isdigit() for character in dose):
            continue
        dosed = [d.medication for d in extraction.dosages if _overlaps((d.start, d.end), dose_span)]
        found += Score(int(recognised and bool(dosed)), 1, 1)
        strict += Score(int(any(name in named for name in dosed)), 1, 1)
        pairs = of_dose[(sentence, dose_span)]
        grouped += Score(int(any(name in set().union(*pairs) for name in dosed)), 1, 1)
    # The best one drug for each numeric dose meets the most of its pairs.
    reachable = 0
    for (sentence, dose_span), pairs in of_dose.items():
        if any(character.isdigit() for character in sentence[slice(*dose_span)]):
            reachable += max(
                (sum(name in pair for pair in pairs) for name in set().union(*pairs)),
                default=0,
            )
    return AdeScores(drugs, found, grouped, strict, reachable)


# The floors the extractor must hold on the gold set, over all documents together.
FLOORS: dict[tuple[str, str], float] = {
    ("mentions", "f1"): 0.95,
    ("dosages", "f1"): 0.90,
    ("warnings", "precision"): 0.80,
    ("warnings", "recall"): 0.90,
    ("quotes", "recall"): 1.0,
}
CLAIM_TYPES = ("mentions", "dosages", "warnings", "quotes")
# The ADE corpus's floor: numeric drug-dose pairs found and given to a drug the corpus relates.
ADE_FLOOR = 0.85


@dataclass(frozen=True, slots=True)
class GoldResult:
    document: str
    scores: dict[str, Score]


def gold_labels(gold: Path, seeds: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, document text, labels) for each NAME.gold.json in `gold`; a document not beside
    its labels is read from `seeds`."""
    labels = []
    for path in sorted(gold.glob("*.gold.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        source = path.with_name(label["document"])
        if not source.exists():
            source = seeds / label["document"]
        labels.append((source.name, source.read_text(encoding="utf-8"), label))
    return labels


def evaluate_gold(
    labels: Iterable[tuple[str, str, dict[str, Any]]], names: Lexicon
) -> list[GoldResult]:
    """Scores each (name, document text, labels) triple."""
    from ingest.extract import extract
    from ingest.parse import parse_document

    results = []
    for name, text, label in labels:
        extraction = extract(parse_document(text, source=name), names=names)
        results.append(GoldResult(name, score_document(extraction, label, names)))
    return results


def totals(results: Iterable[GoldResult]) -> dict[str, Score]:
    summed = {kind: Score(0, 0, 0) for kind in CLAIM_TYPES}
    for result in results:
        for kind in CLAIM_TYPES:
            summed[kind] += result.scores[kind]
    return summed


def shortfalls(summed: dict[str, Score]) -> list[str]:
    """Each floor the totals fall below, said as "warnings recall 0.80 < 0.85"."""
    return [
        f"{kind} {measure} {getattr(summed[kind], measure):.3f} < {floor}"
        for (kind, measure), floor in FLOORS.items()
        if getattr(summed[kind], measure) < floor
    ]


def ade_shortfalls(scores: AdeScores) -> list[str]:
    """The ADE floor, if the numeric pairs' recall falls below it."""
    if scores.numeric_pairs.recall < ADE_FLOOR:
        return [f"ADE numeric pair recall below {ADE_FLOOR}"]
    return []


# Real speech: hand-labelled caption transcripts (tests/gold-real/README.md describes the labels).
# A dose matches within this share of its value, in this many paragraphs either side.
REAL_VALUE_TOLERANCE = 0.01
REAL_PARAGRAPH_REACH = 1
REAL_FLOORS: dict[tuple[str, str], float] = {
    ("doses", "f1"): 0.85,
    ("mentions", "recall"): 0.90,
    ("mentions", "precision"): 0.95,
}
# Label units, as the scorer compares them: dimension and the factor to its canonical unit.
LABEL_UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mg", 1.0),
    "g": ("mg", 1000.0),
    "mcg": ("mg", 0.001),
    "IU": ("IU", 1.0),
    "units": ("IU", 1.0),
    "mg/kg": ("mg/kg", 1.0),
    "g/kg": ("mg/kg", 1000.0),
    "mcg/kg": ("mg/kg", 0.001),
}
# A file whose presence marks a label folder as sealed: scored in aggregate, errors never shown.
SEALED_MARK = "SEALED"


@dataclass(frozen=True, slots=True)
class LabelledDose:
    seconds: int
    name: str
    low: float
    high: float | None
    unit: str  # canonical: "mg", "IU", "mg/kg"
    stance: str | None = None  # how it was said, where labelled


@dataclass(frozen=True, slots=True)
class RealResult:
    """One labelled transcript scored: each claim type, and what went wrong, for a reader."""

    document: str
    doses: Score
    mentions: Score
    near_misses: Score  # precision of CONTEXT and FUZZY mentions alone (expected unused)
    wrong_drug: int  # false doses whose amount is a missed label's, given to another drug
    crashed: str | None  # the error that stopped extraction, if one did
    dropped: int  # claims dropped by an error inside extraction
    missed_doses: tuple[str, ...] = ()
    false_doses: tuple[str, ...] = ()
    missed_mentions: tuple[str, ...] = ()
    false_mentions: tuple[str, ...] = ()
    # (labelled, extracted) stance of each dose found whose label gives one
    stances: tuple[tuple[str, str], ...] = ()
    wrong_stances: tuple[str, ...] = ()


def labelled_doses(labels: dict[str, Any], canonical: Callable[[str], str]) -> list[LabelledDose]:
    """The label file's doses in canonical units, each (paragraph, drug) amount once."""
    found: dict[tuple[int, str, float, float | None, str], LabelledDose] = {}
    for dose in labels["doses"]:
        unit, factor = LABEL_UNITS[dose["unit"]]
        low = dose.get("value", dose.get("low"))
        high = dose.get("high")
        labelled = LabelledDose(
            parse_timestamp(dose["at"]),
            canonical(dose["name"]),
            round(float(low) * factor, 9),
            None if high is None else round(float(high) * factor, 9),
            unit,
            dose.get("stance"),
        )
        found.setdefault(
            (labelled.seconds, labelled.name, labelled.low, labelled.high, labelled.unit), labelled
        )
    return list(found.values())


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REAL_VALUE_TOLERANCE * max(abs(a), abs(b))


def _same_amount(predicted: LabelledDose, gold: LabelledDose) -> bool:
    if predicted.unit != gold.unit or not _close(predicted.low, gold.low):
        return False
    if predicted.high is None or gold.high is None:
        return predicted.high is None and gold.high is None
    return _close(predicted.high, gold.high)


def match_doses(
    predicted: list[LabelledDose], gold: list[LabelledDose], reach: int
) -> tuple[list[tuple[LabelledDose, LabelledDose]], list[LabelledDose], list[LabelledDose]]:
    """Pairs each predicted dose with at most one gold dose (the nearest paragraph first):
    (matched pairs, unmatched predictions, unmatched gold)."""
    left = list(gold)
    pairs = []
    unmatched = []
    for dose in sorted(predicted, key=lambda d: (d.seconds, d.name, d.low)):
        candidates = [
            g
            for g in left
            if g.name == dose.name
            and abs(g.seconds - dose.seconds) <= reach
            and _same_amount(dose, g)
        ]
        if not candidates:
            unmatched.append(dose)
            continue
        best = min(candidates, key=lambda g: abs(g.seconds - dose.seconds))
        left.remove(best)
        pairs.append((dose, best))
    return pairs, unmatched, left


def score_real(
    name: str,
    extraction: Extraction | None,
    labels: dict[str, Any],
    names: Lexicon,
    *,
    crashed: str | None = None,
) -> RealResult:
    """Scores one transcript's extraction against its hand labels (None: extraction crashed)."""

    def canonical(label: str) -> str:
        resolved = names.resolve(label)
        return normalise(resolved.name if resolved is not None else label)

    gold = labelled_doses(labels, canonical)
    wanted = {(parse_timestamp(m["at"]), canonical(m["name"])) for m in labels["mentions"]}
    if extraction is None:
        return RealResult(
            name, Score(0, 0, len(gold)), Score(0, 0, len(wanted)), Score(0, 0, 0), 0, crashed, 0
        )
    seconds = [segment.seconds for segment in extraction.document.segments]
    step = min((b - a for a, b in zip(seconds, seconds[1:], strict=False)), default=1) or 1
    predicted = list(
        {
            (d.segment, d.medication, d.value, d.max_value, d.unit): LabelledDose(
                seconds[d.segment],
                normalise(d.medication),
                d.value,
                None if d.max_value is None or d.max_value == d.value else d.max_value,
                d.unit,
                d.stance.value,
            )
            for d in extraction.dosages
        }.values()
    )
    pairs, false, missed = match_doses(predicted, gold, REAL_PARAGRAPH_REACH * step)
    # A false dose whose amount matches a missed label, names aside, went to the wrong drug.
    wrong_drug = match_doses(
        [LabelledDose(d.seconds, "", d.low, d.high, d.unit) for d in false],
        [LabelledDose(g.seconds, "", g.low, g.high, g.unit) for g in missed],
        REAL_PARAGRAPH_REACH * step,
    )[0]
    found = {(seconds[m.segment], normalise(m.medication)) for m in extraction.mentions}
    loose = {
        (seconds[m.segment], normalise(m.medication))
        for m in extraction.mentions
        if m.matched_by in (MatchedBy.CONTEXT, MatchedBy.FUZZY)
    }

    def said(dose: LabelledDose) -> str:
        top = f"-{dose.high:g}" if dose.high is not None else ""
        return f"{format_timestamp(dose.seconds)} {dose.name} {dose.low:g}{top} {dose.unit}"

    return RealResult(
        name,
        Score(len(pairs), len(predicted), len(gold)),
        Score(len(found & wanted), len(found), len(wanted)),
        Score(len(loose & wanted), len(loose), 0),
        len(wrong_drug),
        crashed,
        extraction.dropped,
        tuple(said(d) for d in sorted(missed, key=lambda d: d.seconds)),
        tuple(said(d) for d in sorted(false, key=lambda d: d.seconds)),
        tuple(f"{format_timestamp(s)} {n}" for s, n in sorted(wanted - found)),
        tuple(f"{format_timestamp(s)} {n}" for s, n in sorted(found - wanted)),
        tuple((g.stance, p.stance) for p, g in pairs if g.stance and p.stance),
        tuple(
            f"{said(g)}: {p.stance}, not {g.stance}"
            for p, g in pairs
            if g.stance and p.stance and g.stance != p.stance
        ),
    )


def evaluate_real(folder: Path, transcripts: Path, names: Lexicon) -> list[RealResult]:
    """Extracts and scores every labelled transcript in `folder` (labels `*.json`, transcripts
    found in `transcripts` by the label's `file`). A crash is scored, never raised."""
    from ingest.documents import read
    from ingest.extract import extract

    results = []
    for path in sorted(folder.glob("*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        source = transcripts / labels["file"]
        # A missing transcript is the caller's error, not the extractor's crash.
        said = source.read_text(encoding="utf-8")
        try:
            extraction = extract(read(said, source=source.name), names=names)
        except Exception as error:  # noqa: BLE001 - a crash is a finding, scored as one
            results.append(
                score_real(
                    path.stem, None, labels, names, crashed=f"{type(error).__name__}: {error}"
                )
            )
            continue
        results.append(score_real(path.stem, extraction, labels, names))
    return results


def real_totals(results: Iterable[RealResult]) -> dict[str, Score]:
    summed = {"doses": Score(0, 0, 0), "mentions": Score(0, 0, 0), "near_misses": Score(0, 0, 0)}
    for result in results:
        summed["doses"] += result.doses
        summed["mentions"] += result.mentions
        summed["near_misses"] += result.near_misses
    return summed


def real_shortfalls(results: list[RealResult]) -> list[str]:
    """Each real-speech floor the totals fall below, and every crash."""
    summed = real_totals(results)
    missed = [
        f"{kind} {measure} {getattr(summed[kind], measure):.3f} < {floor}"
        for (kind, measure), floor in REAL_FLOORS.items()
        if getattr(summed[kind], measure) < floor
    ]
    crashes = sum(1 for result in results if result.crashed)
    return missed + ([f"{crashes} transcripts crashed extraction"] if crashes else [])


# What a paragraph is, against tests/gold-real/meaning: sponsor reads found, and who speaks.
MEANING_FLOORS = {("sponsors", "f1"): 0.90, ("speakers", "precision"): 0.95}


@dataclass(frozen=True, slots=True)
class MeaningResult:
    name: str
    sponsors: Score  # sponsor-read paragraphs
    speakers: Score | None  # turns given the right speaker; None where the source names none
    missed_sponsors: tuple[str, ...] = ()
    false_sponsors: tuple[str, ...] = ()
    wrong_speakers: tuple[str, ...] = ()


def score_meaning(name: str, document: Document, labels: dict[str, Any]) -> MeaningResult:
    """Sponsor-read paragraphs by timestamp; each labelled speaker turn by who the extractor
    says speaks where the turn's first words are."""
    texts = [segment.text for segment in document.segments]
    stamps = [format_timestamp(segment.seconds) for segment in document.segments]
    found = {stamps[index] for index in sponsor_paragraphs(texts, document.meta.channel)}
    wanted = set(labels["sponsor_segments"])
    speakers, wrong = None, []
    if labels.get("speakers") is not None:
        paragraphs = dict(zip(stamps, zip(texts, speaker_turns(texts), strict=True), strict=True))
        right = total = 0
        for labelled in labels["speakers"]:
            text, turns = paragraphs[labelled["at"]]
            for turn in labelled["turns"]:
                at = text.find(turn["starts"]) if turn["starts"] else -1
                if at < 0:
                    continue  # a label that ends its paragraph: no words to place
                total += 1
                said = speaker_at(turns, at)
                if said == turn["speaker"]:
                    right += 1
                else:
                    wrong.append(f"{labelled['at']} {turn['speaker']} (found {said})")
        speakers = Score(right, total, total)
    return MeaningResult(
        name,
        Score(len(found & wanted), len(found), len(wanted)),
        speakers,
        tuple(sorted(wanted - found)),
        tuple(sorted(found - wanted)),
        tuple(wrong),
    )


def evaluate_meaning(folder: Path, transcripts: Path) -> list[MeaningResult]:
    """Scores every `*.meaning.json` label file in `folder` against its transcript."""
    from ingest.documents import read

    results = []
    for path in sorted(folder.glob("*.meaning.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        source = transcripts / labels["file"]
        document = read(source.read_text(encoding="utf-8"), source=source.name)
        results.append(score_meaning(path.name.removesuffix(".meaning.json"), document, labels))
    return results


def meaning_totals(results: Iterable[MeaningResult]) -> dict[str, Score]:
    summed = {"sponsors": Score(0, 0, 0), "speakers": Score(0, 0, 0)}
    for result in results:
        summed["sponsors"] += result.sponsors
        if result.speakers is not None:
            summed["speakers"] += result.speakers
    return summed


def meaning_shortfalls(results: list[MeaningResult]) -> list[str]:
    """Each floor the totals fall below; speakers only where some source names them."""
    summed = meaning_totals(results)
    named = any(result.speakers is not None for result in results)
    return [
        f"{kind} {measure} {getattr(summed[kind], measure):.3f} < {floor}"
        for (kind, measure), floor in MEANING_FLOORS.items()
        if (kind != "speakers" or named) and getattr(summed[kind], measure) < floor
    ]


# Stance, against tests/gold-meaning: for each labelled dose and warning the extractor found.
STANCE_FLOORS = {"macro_f1": 0.80}


@dataclass(frozen=True, slots=True)
class StanceResult:
    """A document's stances (or doses' regimens), labelled and extracted."""

    name: str
    pairs: tuple[tuple[str, str], ...]  # (labelled, extracted) per claim found
    wrong: tuple[str, ...] = ()


def score_stance(
    name: str, extraction: Extraction, labels: dict[str, Any], names: Lexicon
) -> StanceResult:
    """Pairs each labelled dose (by paragraph, drug and amount) and warning (by paragraph, drug
    and kind) the extractor also found with the stance each side gives it."""
    pairs, wrong = [], []
    for kind, label, claim in _found_labelled(extraction, labels, names):
        pairs.append((label["stance"], claim.stance.value))
        if label["stance"] != claim.stance.value:
            at = format_timestamp(label["seconds"])
            wrong.append(
                f"{at} {kind} {label['medication']}: {claim.stance}, not {label['stance']}"
            )
    return StanceResult(name, tuple(pairs), tuple(wrong))


# A dose with no role, as the regimen scores name it.
NO_ROLE = "NONE"


def score_regimen(
    name: str, extraction: Extraction, labels: dict[str, Any], names: Lexicon
) -> StanceResult:
    """Pairs each labelled dose the extractor also found with the regimen each side gives it,
    NONE where one gives no role."""
    pairs, wrong = [], []
    for _, label, claim in _found_labelled(extraction, labels, names, warnings=False):
        if not isinstance(claim, Dosage):
            continue
        said = label["regimen"] or NO_ROLE
        found = claim.regimen.value if claim.regimen is not None else NO_ROLE
        pairs.append((said, found))
        if said != found:
            at = format_timestamp(label["seconds"])
            wrong.append(f"{at} dose {label['medication']} {label['value']}: {found}, not {said}")
    return StanceResult(name, tuple(pairs), tuple(wrong))


def _found_labelled(
    extraction: Extraction, labels: dict[str, Any], names: Lexicon, *, warnings: bool = True
) -> Iterator[tuple[str, dict[str, Any], Dosage | Warning]]:
    """Each labelled dose (by paragraph, drug and amount) and, with `warnings`, warning (by
    paragraph, drug and kind) that the extractor also found, with what it found."""

    def canonical(medication: str) -> str:
        resolved = names.resolve(medication)
        return resolved.name if resolved is not None else medication

    seconds = [segment.seconds for segment in extraction.document.segments]
    doses = {(seconds[d.segment], d.medication, _amount(d.value)): d for d in extraction.dosages}
    cautions = {(seconds[w.segment], w.medication, w.kind.value): w for w in extraction.warnings}
    labelled: list[tuple[str, dict[str, Any], Dosage | Warning | None]] = [
        ("dose", d, doses.get((d["seconds"], canonical(d["medication"]), _amount(d["value"]))))
        for d in labels["dosages"]
    ]
    if warnings:
        labelled += [
            ("warning", w, cautions.get((w["seconds"], canonical(w["medication"]), w["kind"])))
            for w in labels["warnings"]
        ]
    for kind, label, claim in labelled:
        if claim is not None:
            yield kind, label, claim


def stance_scores(results: Iterable[StanceResult]) -> dict[str, Score]:
    """Per stance, how often the extractor gave it rightly, gave it, and should have."""
    pairs = [pair for result in results for pair in result.pairs]
    kinds = sorted({label for label, _ in pairs} | {found for _, found in pairs})
    return {
        kind: Score(
            sum(1 for label, found in pairs if label == found == kind),
            sum(1 for _, found in pairs if found == kind),
            sum(1 for label, _ in pairs if label == kind),
        )
        for kind in kinds
    }


def macro_f1(scores: dict[str, Score]) -> float:
    """The mean F1 over the stances the labels use."""
    used = [score.f1 for score in scores.values() if score.expected]
    return sum(used) / len(used) if used else 1.0


def evaluate_regimen(folder: Path, names: Lexicon) -> list[StanceResult]:
    """Extracts every document labelled in `folder` and pairs the regimens of its doses."""
    return [
        score_regimen(path.stem, extraction, labels, names)
        for path, labels, extraction in _labelled_extractions(folder, names)
    ]


def evaluate_stance(folder: Path, names: Lexicon) -> list[StanceResult]:
    """Extracts every document labelled in `folder` (the seed from seeds/, the rest from
    tests/gold/) and pairs the stances."""
    return [
        score_stance(path.stem, extraction, labels, names)
        for path, labels, extraction in _labelled_extractions(folder, names)
    ]


def _labelled_extractions(
    folder: Path, names: Lexicon
) -> Iterator[tuple[Path, dict[str, Any], Extraction]]:
    """Each meaning-label file in `folder`, with the extraction of its document (the seed from
    seeds/, the rest from tests/gold/)."""
    from ingest.documents import read
    from ingest.extract import extract

    root = Path(__file__).resolve().parent.parent
    for path in sorted(folder.glob("*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        document = labels["document"]
        source = root / "seeds" / document
        if not source.exists():
            source = root / "tests" / "gold" / document
        extraction = extract(read(source.read_text(encoding="utf-8"), source=document), names=names)
        yield path, labels, extraction


# Indications, against tests/gold-meaning: (paragraph, drug, condition), with the labels' drug
# names read through the lexicon and their condition names through the conditions vocabulary,
# so "complex regional pain syndrome" and "CRPS" are one condition.
INDICATION_FLOORS = {"precision": 0.85, "recall": 0.80}


@dataclass(frozen=True, slots=True)
class IndicationResult:
    name: str
    score: Score
    missed: tuple[str, ...] = ()
    false: tuple[str, ...] = ()
    # What each dose is for: (paragraph, drug, amount, condition) of the doses with a purpose.
    purposes: Score = Score(0, 0, 0)


def score_indications(
    name: str, extraction: Extraction, labels: dict[str, Any], names: Lexicon
) -> IndicationResult:
    """Compares the extracted indications with the labelled ones, keyed by paragraph seconds,
    canonical medication and canonical condition."""
    from ingest.conditions import vocabulary

    conditions = vocabulary()

    def canonical(medication: str) -> str:
        resolved = names.resolve(medication)
        return resolved.name if resolved is not None else medication

    def condition(label: str) -> str:
        return conditions.canonical(label) or label

    seconds = [segment.seconds for segment in extraction.document.segments]
    found = {
        (seconds[i.segment], i.medication, i.condition): i.text for i in extraction.indications
    }
    wanted = {
        (
            label["seconds"],
            canonical(label["medication"]),
            condition(label["condition"]),
        ): label["said"]
        for label in labels["indications"]
    }

    def line(key: tuple[int, str, str], said: str) -> str:
        return f"{format_timestamp(key[0])} {key[1]} for {key[2]}: {said!r}"

    purposes = compare(
        [
            (seconds[d.segment], d.medication, _amount(d.value), d.indication)
            for d in extraction.dosages
            if d.indication is not None
        ],
        [
            (d["seconds"], canonical(d["medication"]), _amount(d["value"]), condition(purpose))
            for d in labels.get("dosages", ())
            if d.get("indication")
            for purpose in d["indication"].split("; ")
        ],
    )
    return IndicationResult(
        name,
        compare(found.keys(), wanted.keys()),
        tuple(line(key, said) for key, said in wanted.items() if key not in found),
        tuple(line(key, said) for key, said in found.items() if key not in wanted),
        purposes,
    )


def indication_shortfalls(score: Score) -> list[str]:
    return [
        f"indication {measure} {getattr(score, measure):.3f} < {floor}"
        for measure, floor in INDICATION_FLOORS.items()
        if getattr(score, measure) < floor
    ]


def evaluate_indications(folder: Path, names: Lexicon) -> list[IndicationResult]:
    """Extracts every document labelled in `folder` and scores its indications."""
    return [
        score_indications(path.stem, extraction, labels, names)
        for path, labels, extraction in _labelled_extractions(folder, names)
    ]
