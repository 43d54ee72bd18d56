"""Transcript segments, and the Source every claim points at: where and when it was said."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.links import deep_link, format_timestamp
from db import models

if TYPE_CHECKING:
    from api.types.episode import Episode


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
class Source:
    """Where a claim was said: the transcript segment, its moment and a link to it."""

    # Plain fields, filled once: claims come by the hundred, and a field read from an
    # attribute costs GraphQL far less than one computed by a method.
    seconds: int = strawberry.field(description="Start of the transcript segment, in seconds.")
    timestamp: str = strawberry.field(description='Start of the transcript segment as "HH:MM:SS".')
    url: str | None = strawberry.field(description="A link that opens the video at this second.")
    text: str = strawberry.field(description="The words of the whole segment.")
    _segment: strawberry.Private[models.Segment]

    @strawberry.field
    def episode(self) -> Annotated["Episode", strawberry.lazy("api.types.episode")]:
        from api.types.episode import Episode

        return Episode.from_row(self._segment.episode)

    @classmethod
    def from_row(cls, row: models.Segment) -> "Source":
        return cls(
            seconds=row.seconds,
            timestamp=format_timestamp(row.seconds),
            url=deep_link(row.episode.url, row.seconds),
            text=row.text,
            _segment=row,
        )
