"""Claims and where they were said: mentions, dosages, warnings, indications, quotes and
summary lines."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from api.context import Context
from api.shapes import dosage_fields
from api.types.condition import Condition
from api.types.source import Source
from db import claims, models
from ingest.records import MatchedBy, Regimen, Stance, WarningKind

if TYPE_CHECKING:
    from api.types.medication import Medication

strawberry.enum(MatchedBy, description="How a name in the transcript was resolved to the drug.")
strawberry.enum(WarningKind, description="What kind of caution a warning is.")
strawberry.enum(
    Regimen,
    description="The role a dose plays: the usual dose, where people start, a later step up or "
    "down, the ceiling, or what a study used.",
)
strawberry.enum(
    Stance,
    description="How a claim was said: advice, the clinician's practice, the speaker's own "
    "use, a story, a study's result, a plain fact, a denial, or a maybe.",
)

STANCE = "How it was said; null for claims stored before stances were recorded."
SPEAKER = "Who said it, where the transcript labels speakers; null where it does not."
SPONSORED = "Whether it was said in a sponsor read: an advertisement, not advice."


def stance_of(row: Row[Any]) -> Stance | None:
    return Stance(row.stance) if row.stance is not None else None


@strawberry.interface(
    description="Something said about a medication (a dose, a warning, an indication): its "
    "words, how and by whom it was said, and where."
)
class Claim:
    text: str = strawberry.field(description="The words as said.")
    stance: Stance | None = strawberry.field(description=STANCE)
    speaker: str | None = strawberry.field(description=SPEAKER)
    sponsored: bool = strawberry.field(description=SPONSORED)
    source: Source


@strawberry.type
class Mention:
    """A place where a medication is named, under any spelling."""

    text: str = strawberry.field(description="The words as transcribed.")
    confidence: float = strawberry.field(description="How sure the match is, 0 to 1.")
    matched_by: MatchedBy
    source: Source

    cursor: str = strawberry.field(
        description="Pass as `after` to list the mentions that follow this one."
    )

    @classmethod
    def from_row(cls, row: Row[Any]) -> "Mention":
        """From a row of `db.claims`."""
        return cls(
            text=row.text,
            confidence=row.confidence,
            matched_by=MatchedBy(row.matched_by),
            source=Source.said(row),
            cursor=claims.cursor(models.Mention, row),
        )


@strawberry.type
class Dosage(Claim):
    """A dose as said, normalised to one unit per dimension (mg, mL, IU)."""

    value: float = strawberry.field(description="The amount, or the low end of a range, in `unit`.")
    max_value: float | None = strawberry.field(
        description="The high end of a range such as '5 to 6 milligrams'."
    )
    unit: str = strawberry.field(
        description='"mg", "mL", "IU", or per kilogram of body weight ("mg/kg").'
    )
    frequency: str | None = strawberry.field(
        description='How often, as said: "daily", "twice daily", "weekly", ...'
    )
    per_day: float | None = strawberry.field(
        description="The low-end amount per day, in `unit`, when the frequency says."
    )
    text: str = strawberry.field(description="The words as said.")
    stance: Stance | None = strawberry.field(description=STANCE)
    regimen: Regimen | None = strawberry.field(
        description="Its role in a regimen, where the speech gives it one; null where it does "
        "not, and for doses stored before roles were recorded."
    )
    indication: Condition | None = strawberry.field(
        description="The condition the dose is said to be for, where the speech says so; null "
        "where it does not, or names more than one."
    )
    speaker: str | None = strawberry.field(description=SPEAKER)
    sponsored: bool = strawberry.field(description=SPONSORED)
    source: Source
    cursor: str = strawberry.field(
        description="Pass as `after` to list the dosages that follow this one."
    )

    @classmethod
    def from_row(cls, row: Row[Any]) -> "Dosage":
        """From a row of `db.claims`."""
        return cls(
            **dosage_fields(row),
            regimen=Regimen(row.regimen) if row.regimen is not None else None,
            indication=Condition.of_claim(row),
            stance=stance_of(row),
            speaker=row.speaker,
            sponsored=row.sponsored,
            source=Source.said(row),
            cursor=claims.cursor(models.Dosage, row),
        )


@strawberry.type
class Warning(Claim):
    """A caution about a medication: side effect, stop condition, timing and the like."""

    text: str = strawberry.field(description="The clause that gives the warning.")
    kind: WarningKind
    stance: Stance | None = strawberry.field(description=STANCE)
    speaker: str | None = strawberry.field(description=SPEAKER)
    sponsored: bool = strawberry.field(description=SPONSORED)
    source: Source
    cursor: str = strawberry.field(
        description="Pass as `after` to list the warnings that follow this one."
    )

    @classmethod
    def from_row(cls, row: Row[Any]) -> "Warning":
        """From a row of `db.claims`."""
        return cls(
            text=row.text,
            kind=WarningKind(row.kind),
            stance=stance_of(row),
            speaker=row.speaker,
            sponsored=row.sponsored,
            source=Source.said(row),
            cursor=claims.cursor(models.Warning, row),
        )


@strawberry.type
class Indication(Claim):
    """A medication said to be used for, treat, help, or be tried or studied in a condition;
    the stance says whether as advice, practice, a story, a study, a plain fact, a denial or
    a question."""

    condition: Condition
    text: str = strawberry.field(description="The clause that ties the medication to it.")
    stance: Stance | None = strawberry.field(description=STANCE)
    speaker: str | None = strawberry.field(description=SPEAKER)
    sponsored: bool = strawberry.field(description=SPONSORED)
    source: Source
    cursor: str = strawberry.field(
        description="Pass as `after` to list the indications that follow this one."
    )
    _medication_id: strawberry.Private[int]

    @strawberry.field(description="The medication said to be for the condition.")
    async def medication(
        self, info: Info[Context, None]
    ) -> Annotated["Medication", strawberry.lazy("api.types.medication")]:
        from api.types.medication import Medication

        return Medication.from_row(await info.context.loaders.medication.load(self._medication_id))

    @classmethod
    def from_row(cls, row: Row[Any]) -> "Indication":
        """From a row of `db.claims`."""
        return cls(
            condition=Condition(
                name=row.condition_name, code=row.condition_code, _key=row.condition_id
            ),
            text=row.text,
            stance=stance_of(row),
            speaker=row.speaker,
            sponsored=row.sponsored,
            source=Source.said(row),
            cursor=claims.cursor(models.Indication, row),
            _medication_id=row.medication_id,
        )


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
