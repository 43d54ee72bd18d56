"""Episodes, their transcript segments, and the Source every claim points at."""

from datetime import date

import strawberry
from strawberry.types import Info

from api.context import Context
from api.links import deep_link, format_timestamp
from api.types.node import to_global_id
from db import models


@strawberry.type
class Segment:
    """One timestamped paragraph of a transcript."""

    seconds: int
    text: str
    _url: strawberry.Private[str | None]

    @strawberry.field(description='Start of the segment as "HH:MM:SS".')
    def timestamp(self) -> str:
        return format_timestamp(self.seconds)

    @strawberry.field(description="A link that opens the video at this second.")
    def url(self) -> str | None:
        return deep_link(self._url, self.seconds)

    @classmethod
    def from_row(cls, row: models.Segment) -> "Segment":
        return cls(seconds=row.seconds, text=row.text, _url=row.episode.url)


@strawberry.type
class Episode:
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
    async def quotes(self, info: Info[Context, None]) -> list["Quote"]:
        rows = await info.context.loaders.quotes.load(self._row.id)
        return [Quote.from_row(row) for row in rows]

    @strawberry.field(description="The AI summary's lines, each checked against the transcript.")
    async def summary(self, info: Info[Context, None]) -> list["SummaryPoint"]:
        rows = await info.context.loaders.summary.load(self._row.id)
        return [SummaryPoint.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Episode) -> "Episode":
        return cls(_row=row)


@strawberry.type
class Source:
    """Where a claim was said: the transcript segment, its moment and a link to it."""

    _segment: strawberry.Private[models.Segment]

    @strawberry.field(description="Start of the transcript segment, in seconds.")
    def seconds(self) -> int:
        return self._segment.seconds

    @strawberry.field(description='Start of the transcript segment as "HH:MM:SS".')
    def timestamp(self) -> str:
        return format_timestamp(self._segment.seconds)

    @strawberry.field(description="A link that opens the video at this second.")
    def url(self) -> str | None:
        return deep_link(self._segment.episode.url, self._segment.seconds)

    @strawberry.field(description="The words of the whole segment.")
    def text(self) -> str:
        return self._segment.text

    @strawberry.field
    def episode(self) -> Episode:
        return Episode.from_row(self._segment.episode)

    @classmethod
    def from_row(cls, row: models.Segment) -> "Source":
        return cls(_segment=row)


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
