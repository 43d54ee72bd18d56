"""Medications and the claims about them: mentions, dosages and warnings."""

import strawberry
from strawberry.types import Info

from api.context import Context
from api.types.episode import Source
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
class Medication:
    _row: strawberry.Private[models.Medication]

    @strawberry.field(description='The canonical generic name, e.g. "naltrexone".')
    def name(self) -> str:
        return self._row.name

    @strawberry.field(description="Brands, abbreviations and synonyms that resolve to it.")
    async def aliases(self, info: Info[Context, None]) -> list[str]:
        return await info.context.loaders.aliases.load(self._row.id)

    @strawberry.field
    async def mentions(self, info: Info[Context, None]) -> list[Mention]:
        rows = await info.context.loaders.mentions.load(self._row.id)
        return [Mention.from_row(row) for row in rows]

    @strawberry.field
    async def dosages(self, info: Info[Context, None]) -> list[Dosage]:
        rows = await info.context.loaders.dosages.load(self._row.id)
        return [Dosage.from_row(row) for row in rows]

    @strawberry.field
    async def warnings(self, info: Info[Context, None]) -> list[Warning]:
        rows = await info.context.loaders.warnings.load(self._row.id)
        return [Warning.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Medication) -> "Medication":
        return cls(_row=row)
