"""Medications: canonical names, aliases, and the claims made about them."""

import strawberry
from strawberry.types import Info

from api.context import Context
from api.types.claims import Dosage, Mention, Warning
from api.types.node import Node, to_global_id
from db import models


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
