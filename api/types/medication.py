"""Medications: canonical names, aliases, and the claims made about them."""

import strawberry
from strawberry.types import Info

from api.context import Context, bounded
from api.types.across import AcrossEpisodes, Disagreement
from api.types.claims import Dosage, Indication, Mention, Warning
from api.types.node import Node, to_global_id
from db import models

PAGED = (
    "Its {kind}, in episode and transcript order: all of them, or with `first` a page of at "
    "most that many (up to 100); pass the last one's `cursor` as `after` for the next page."
)


@strawberry.type
class Medication(Node):
    _row: strawberry.Private[models.Medication]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_global_id("Medication", self._row.id)

    @strawberry.field(description='The canonical generic name, e.g. "naltrexone".')
    def name(self) -> str:
        return self._row.name

    @strawberry.field(description="Brands, abbreviations and synonyms that resolve to it.")
    async def aliases(self, info: Info[Context, None]) -> list[str]:
        return await info.context.loaders.aliases.load(self._row.id)

    @strawberry.field(description=PAGED.format(kind="mentions"))
    async def mentions(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Mention]:
        rows = await info.context.loaders.mentions.load((self._row.id, first, after))
        return [Mention.from_row(row) for row in rows]

    @strawberry.field(description=PAGED.format(kind="dosages"))
    async def dosages(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Dosage]:
        rows = await info.context.loaders.dosages.load((self._row.id, first, after))
        return [Dosage.from_row(row) for row in rows]

    @strawberry.field(description=PAGED.format(kind="warnings"))
    async def warnings(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Warning]:
        rows = await info.context.loaders.warnings.load((self._row.id, first, after))
        return [Warning.from_row(row) for row in rows]

    @strawberry.field(
        description=PAGED.format(
            kind="indications: the conditions it is said to be used for, treat, help or be tried in"
        )
    )
    async def indications(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Indication]:
        rows = await info.context.loaders.indications.load((self._row.id, first, after))
        return [Indication.from_row(row) for row in rows]

    @strawberry.field(
        description="Per condition its doses and indications are said to be for, what the "
        "episodes say outside sponsor reads: the typical dose and its spread, and how many "
        "episodes and speakers; the most widely said first, and last the doses said for no "
        "condition."
    )
    async def across_episodes(self, info: Info[Context, None]) -> list[AcrossEpisodes]:
        rows = bounded(
            await info.context.loaders.across_episodes.load(self._row.id),
            "acrossEpisodes",
            info.context.loaders.max_list,
            "the medication is tied to more conditions than one answer holds",
        )
        return [AcrossEpisodes.from_row(row) for row in rows]

    @strawberry.field(
        description="Pairs of claims from different episodes about it and one condition that "
        "disagree: doses advised, given or studied more than twice apart, or a use one claims "
        "and another denies. Sponsor reads are left out. All of them, or with `first` a page of "
        "at most that many (up to 100); pass the last one's `cursor` as `after` for the next."
    )
    async def disagreements(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Disagreement]:
        rows = await info.context.loaders.disagreements.load((self._row.id, first, after))
        return [Disagreement.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Medication) -> "Medication":
        return cls(_row=row)
