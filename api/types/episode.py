"""Episodes and what they hold: transcript segments, claims, quotes and summary lines."""

from datetime import date

import strawberry
from strawberry.types import Info

from api.context import Context
from api.shapes import episode_fields
from api.types.claims import Dosage, Quote, SummaryPoint, Warning
from api.types.node import Node, to_global_id
from api.types.source import Segment
from db import models


@strawberry.type
class Episode(Node):
    # Plain fields, filled once: an episode is named beside every claim, and a field read
    # from an attribute costs GraphQL far less than one computed by a method.
    title: str
    channel: str | None
    upload_date: date | None
    url: str | None
    duration_seconds: int | None
    description: str
    _key: strawberry.Private[int]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_global_id("Episode", self._key)

    @strawberry.field
    async def segments(self, info: Info[Context, None]) -> list[Segment]:
        rows = await info.context.loaders.segments.load(self._key)
        return [Segment.from_row(row) for row in rows]

    @strawberry.field(description="Notable quotes from the AI summary, grounded in the transcript.")
    async def quotes(self, info: Info[Context, None]) -> list[Quote]:
        rows = await info.context.loaders.quotes.load(self._key)
        return [Quote.from_row(row) for row in rows]

    @strawberry.field(description="Doses said in this episode, in transcript order.")
    async def dosages(self, info: Info[Context, None]) -> list[Dosage]:
        rows = await info.context.loaders.episode_dosages.load(self._key)
        return [Dosage.from_row(row) for row in rows]

    @strawberry.field(description="Warnings given in this episode, in transcript order.")
    async def warnings(self, info: Info[Context, None]) -> list[Warning]:
        rows = await info.context.loaders.episode_warnings.load(self._key)
        return [Warning.from_row(row) for row in rows]

    @strawberry.field(description="The AI summary's lines, each checked against the transcript.")
    async def summary(self, info: Info[Context, None]) -> list[SummaryPoint]:
        rows = await info.context.loaders.summary.load(self._key)
        return [SummaryPoint.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Episode) -> "Episode":
        return cls(**episode_fields(row), description=row.description, _key=row.id)
