"""Transcript segments, and the Source every claim points at: where and when it was said."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from api.context import Context
from api.links import deep_link, format_timestamp
from api.shapes import moment
from db import models

if TYPE_CHECKING:
    from api.types.episode import Episode


@strawberry.type
class Segment:
    """One timestamped paragraph of a transcript."""

    seconds: int
    text: str
    speaker: str | None = strawberry.field(
        description="Who says its first words, where the transcript labels speakers."
    )
    sponsored: bool = strawberry.field(description="Whether it is (part of) a sponsor read.")
    _url: strawberry.Private[str | None]

    @strawberry.field(description='Start of the segment as "HH:MM:SS".')
    def timestamp(self) -> str:
        return format_timestamp(self.seconds)

    @strawberry.field(description="A link that opens the video at this second.")
    def url(self) -> str | None:
        return deep_link(self._url, self.seconds)

    @classmethod
    def from_row(cls, row: models.Segment) -> "Segment":
        return cls(
            seconds=row.seconds,
            text=row.text,
            speaker=row.speaker,
            sponsored=row.sponsored,
            _url=row.episode.url,
        )


@strawberry.type
class Source:
    """Where a claim was said: the transcript segment, its moment and a link to it."""

    # Plain fields, filled once: claims come by the hundred, and a field read from an
    # attribute costs GraphQL far less than one computed by a method.
    seconds: int = strawberry.field(description="Start of the transcript segment, in seconds.")
    timestamp: str = strawberry.field(description='Start of the transcript segment as "HH:MM:SS".')
    url: str | None = strawberry.field(description="A link that opens the video at this second.")
    text: str = strawberry.field(description="The words of the whole segment.")
    _episode_id: strawberry.Private[int]

    @strawberry.field
    async def episode(
        self, info: Info[Context, None]
    ) -> Annotated["Episode", strawberry.lazy("api.types.episode")]:
        from api.types.episode import Episode

        return Episode.from_row(await info.context.loaders.episode.load(self._episode_id))

    @classmethod
    def from_row(cls, row: models.Segment) -> "Source":
        return cls.at(row.seconds, row.text, row.episode_id, row.episode.url)

    @classmethod
    def said(cls, row: Row[Any]) -> "Source":
        """Where a claim read by `db.claims` was said."""
        return cls.at(row.seconds, row.segment_text, row.episode_id, row.episode_url)

    @classmethod
    def at(cls, seconds: int, text: str, episode_id: int, episode_url: str | None) -> "Source":
        timestamp, url = moment(seconds, episode_url)
        return cls(seconds=seconds, timestamp=timestamp, url=url, text=text, _episode_id=episode_id)
