"""Episodes and what they hold: transcript segments, claims, quotes and summary lines."""

from datetime import date

import strawberry
from strawberry.types import Info

from api.context import Context
from api.types.claims import Dosage, Quote, SummaryPoint, Warning
from api.types.node import Node, to_global_id
from api.types.source import Segment
from db import models


@strawberry.type
class Episode(Node):
    _row: strawberry.Private[models.Episode]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_global_id("Episode", self._row.id)

    @strawberry.field
    def title(self) -> str:
        return self._row.title

    @strawberry.field
    def channel(self) -> str | None:
        return self._row.channel

    @strawberry.field
    def upload_date(self) -> date | None:
        return self._row.upload_date

    @strawberry.field
    def url(self) -> str | None:
        return self._row.url

    @strawberry.field
    def duration_seconds(self) -> int | None:
        return self._row.duration_seconds

    @strawberry.field
    def description(self) -> str:
        return self._row.description

    @strawberry.field
    async def segments(self, info: Info[Context, None]) -> list[Segment]:
        rows = await info.context.loaders.segments.load(self._row.id)
        return [Segment.from_row(row) for row in rows]

    @strawberry.field(description="Notable quotes from the AI summary, grounded in the transcript.")
    async def quotes(self, info: Info[Context, None]) -> list[Quote]:
        rows = await info.context.loaders.quotes.load(self._row.id)
        return [Quote.from_row(row) for row in rows]

    @strawberry.field(description="Doses said in this episode, in transcript order.")
    async def dosages(self, info: Info[Context, None]) -> list[Dosage]:
        rows = await info.context.loaders.episode_dosages.load(self._row.id)
        return [Dosage.from_row(row) for row in rows]

    @strawberry.field(description="Warnings given in this episode, in transcript order.")
    async def warnings(self, info: Info[Context, None]) -> list[Warning]:
        rows = await info.context.loaders.episode_warnings.load(self._row.id)
        return [Warning.from_row(row) for row in rows]

    @strawberry.field(description="The AI summary's lines, each checked against the transcript.")
    async def summary(self, info: Info[Context, None]) -> list[SummaryPoint]:
        rows = await info.context.loaders.summary.load(self._row.id)
        return [SummaryPoint.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Episode) -> "Episode":
        return cls(_row=row)
