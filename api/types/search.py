"""Full-text search hits and per-medication statistics."""

import strawberry

from api.types.medication import Medication
from api.types.source import Source
from db import models, queries
from db.search import Hit


@strawberry.type
class SearchHit:
    """A transcript segment that matches, with the matched words marked."""

    _hit: strawberry.Private[Hit]
    _segment: strawberry.Private[models.Segment]

    @strawberry.field(description="The matching words in context, each match in <mark>...</mark>.")
    def snippet(self) -> str:
        return self._hit.snippet

    @strawberry.field(description="Relevance; higher is better. Comparable within one search.")
    def score(self) -> float:
        return self._hit.score

    @strawberry.field
    def source(self) -> Source:
        return Source.from_row(self._segment)

    @classmethod
    def from_row(cls, row: tuple[Hit, models.Segment]) -> "SearchHit":
        return cls(_hit=row[0], _segment=row[1])


@strawberry.type
class MedicationStats:
    """How much the corpus says about one medication, and the spread of its doses."""

    _stats: strawberry.Private[queries.MedicationStats]

    @strawberry.field
    def medication(self) -> Medication:
        return Medication.from_row(self._stats.medication)

    @strawberry.field(description="Episodes that mention or dose it.")
    def episodes(self) -> int:
        return self._stats.episodes

    @strawberry.field
    def mentions(self) -> int:
        return self._stats.mentions

    @strawberry.field
    def dosages(self) -> int:
        return self._stats.dosages

    @strawberry.field(
        description="The canonical unit most of its doses are in; the figures below use it."
    )
    def unit(self) -> str | None:
        return self._stats.unit

    @strawberry.field
    def min_dose(self) -> float | None:
        return self._stats.low

    @strawberry.field
    def median_dose(self) -> float | None:
        return self._stats.median

    @strawberry.field
    def max_dose(self) -> float | None:
        return self._stats.high

    @classmethod
    def from_row(cls, row: queries.MedicationStats) -> "MedicationStats":
        return cls(_stats=row)
