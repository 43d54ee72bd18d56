"""Scores extraction against hand-written gold labels: precision, recall and F1 per claim type.

A gold file (`NAME.gold.json`, described in tests/gold/README.md) lists, for one document, the
(segment, medication) pairs that are mentioned, the doses, the warnings and the quotes' true
segments. Claims are compared as keys, so wording never matters, only what was claimed where.
"""

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from ingest.grounding import comparable
from ingest.lexicon import Lexicon
from ingest.records import Extraction


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
    related: dict[tuple[str, tuple[int, int]], set[str]] = {}
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
            document = Document("", None, None, None, None, "", (), (Segment(0, sentence, 1),))
            extractions[sentence] = extract(document, names=names)

    def drugs_at(sentence: str, span: tuple[int, int], said: str) -> set[str]:
        mentions = extractions[sentence].mentions
        found = {m.medication for m in mentions if _overlaps((m.start, m.end), span)}
        resolved = names.resolve(said)
        return found | ({resolved.name} if resolved is not None else set())

    for sentence, _, drug, dose_span, drug_span in relations:
        related.setdefault((sentence, dose_span), set()).update(drugs_at(sentence, drug_span, drug))
    drugs = found = grouped = strict = Score(0, 0, 0)
    for sentence, dose, drug, dose_span, drug_span in relations:
        extraction = extractions[sentence]
        recognised = any(_overlaps((m.start, m.end), drug_span) for m in extraction.mentions)
        drugs += Score(int(recognised), 1, 1)
        if not any(character.isdigit() for character in dose):
            continue
        dosed = [d.medication for d in extraction.dosages if _overlaps((d.start, d.end), dose_span)]
        found += Score(int(recognised and bool(dosed)), 1, 1)
        named = drugs_at(sentence, drug_span, drug)
        strict += Score(int(any(name in named for name in dosed)), 1, 1)
        group = related[(sentence, dose_span)]
        grouped += Score(int(any(name in group for name in dosed)), 1, 1)
    return AdeScores(drugs, found, grouped, strict)


# The floors the extractor must hold on the gold set, over all documents together.
FLOORS: dict[tuple[str, str], float] = {
    ("mentions", "f1"): 0.95,
    ("dosages", "f1"): 0.90,
    ("warnings", "recall"): 0.85,
    ("quotes", "recall"): 1.0,
}
CLAIM_TYPES = ("mentions", "dosages", "warnings", "quotes")


@dataclass(frozen=True, slots=True)
class GoldResult:
    document: str
    scores: dict[str, Score]


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
