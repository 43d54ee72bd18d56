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
