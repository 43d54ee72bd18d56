"""Claims and where they were said: mentions, dosages, warnings, quotes and summary lines."""

import strawberry

from api.types.source import Source
from db import models
from ingest.records import MatchedBy, WarningKind

strawberry.enum(MatchedBy, description="How a name in the transcript was resolved to the drug.")
strawberry.enum(WarningKind, description="What kind of caution a warning is.")


@strawberry.type
class Mention:
    """A place where a medication is named, under any spelling."""

    _row: strawberry.Private[models.Mention]

    @strawberry.field(description="The words as transcribed.")
    def text(self) -> str:
        return self._row.text

    @strawberry.field(description="How sure the match is, 0 to 1.")
    def confidence(self) -> float:
        return self._row.confidence

    @strawberry.field
    def matched_by(self) -> MatchedBy:
        return MatchedBy(self._row.matched_by)

    @strawberry.field
    def source(self) -> Source:
        return Source.from_row(self._row.segment)

    @classmethod
    def from_row(cls, row: models.Mention) -> "Mention":
        return cls(_row=row)


@strawberry.type
class Dosage:
    """A dose as said, normalised to one unit per dimension (mg, mL, IU)."""

    _row: strawberry.Private[models.Dosage]

    @strawberry.field(description="The amount, or the low end of a range, in `unit`.")
    def value(self) -> float:
        return self._row.value

    @strawberry.field(description="The high end of a range such as '5 to 6 milligrams'.")
    def max_value(self) -> float | None:
        return self._row.max_value

    @strawberry.field(description='"mg", "mL", "IU", or per kilogram of body weight ("mg/kg").')
    def unit(self) -> str:
        return self._row.unit

    @strawberry.field(description='How often, as said: "daily", "twice daily", "weekly", ...')
    def frequency(self) -> str | None:
        return self._row.frequency

    @strawberry.field(description="The low-end amount per day, in `unit`, when the frequency says.")
    def per_day(self) -> float | None:
        return self._row.per_day

    @strawberry.field(description="The words as said.")
    def text(self) -> str:
        return self._row.text

    @strawberry.field
    def source(self) -> Source:
        return Source.from_row(self._row.segment)

    @classmethod
    def from_row(cls, row: models.Dosage) -> "Dosage":
        return cls(_row=row)


@strawberry.type
class Warning:
    """A caution about a medication: side effect, stop condition, timing and the like."""

    _row: strawberry.Private[models.Warning]

    @strawberry.field(description="The clause that gives the warning.")
    def text(self) -> str:
        return self._row.text

    @strawberry.field
    def kind(self) -> WarningKind:
        return WarningKind(self._row.kind)

    @strawberry.field
    def source(self) -> Source:
        return Source.from_row(self._row.segment)

    @classmethod
    def from_row(cls, row: models.Warning) -> "Warning":
        return cls(_row=row)


@strawberry.type
class Quote:
    """A notable quote from the AI summary, found where its words are said in the transcript."""

    _row: strawberry.Private[models.Quote]

    @strawberry.field
    def text(self) -> str:
        return self._row.text

    @strawberry.field(description="The second the summary gives; summaries are sometimes wrong.")
    def claimed_seconds(self) -> int | None:
        return self._row.claimed_seconds

    @strawberry.field(description="Whether the quote's words were found in the transcript.")
    def grounded(self) -> bool:
        return self._row.segment is not None

    @strawberry.field(description="How closely the transcript matches the quote, 0 to 1.")
    def score(self) -> float:
        return self._row.score

    @strawberry.field(description="The segment where the words are said; null when not found.")
    def source(self) -> Source | None:
        return Source.from_row(self._row.segment) if self._row.segment is not None else None

    @classmethod
    def from_row(cls, row: models.Quote) -> "Quote":
        return cls(_row=row)


@strawberry.type
class SummaryPoint:
    """A line of the AI summary, linked to the transcript segment that supports it."""

    _row: strawberry.Private[models.SummaryPoint]

    @strawberry.field
    def section(self) -> str:
        return self._row.section

    @strawberry.field
    def text(self) -> str:
        return self._row.text

    @strawberry.field(description="The second the summary gives, if any.")
    def claimed_seconds(self) -> int | None:
        return self._row.claimed_seconds

    @strawberry.field(description="False when no segment supports the line: do not trust it.")
    def grounded(self) -> bool:
        return self._row.segment is not None

    @strawberry.field(description="How much of the line the best segment says, 0 to 1.")
    def score(self) -> float:
        return self._row.score

    @strawberry.field(description="The supporting segment; null when the line is not grounded.")
    def source(self) -> Source | None:
        return Source.from_row(self._row.segment) if self._row.segment is not None else None

    @classmethod
    def from_row(cls, row: models.SummaryPoint) -> "SummaryPoint":
        return cls(_row=row)
