"""Podcast feeds: those remembered, and what a sync did with each feed and item."""

from datetime import datetime

import strawberry

from api.shapes import feed_sync_row
from api.writes import FeedSynced
from db.feeds import Listed


@strawberry.type(description="A podcast feed whose transcripts `syncFeeds` ingests.")
class Feed:
    url: str = strawberry.field(
        description="Its http(s) URL; a feed added on the server's command line may be a file."
    )
    title: str | None = strawberry.field(
        description="The feed's own title, once a sync has read it."
    )
    items_stored: int = strawberry.field(
        description="Its items whose transcripts are stored as episodes."
    )
    last_synced: datetime | None = strawberry.field(
        description="When a sync last read it; null before the first."
    )

    @classmethod
    def from_row(cls, row: Listed) -> "Feed":
        return cls(
            url=row.location, title=row.title, items_stored=row.items, last_synced=row.synced_at
        )


@strawberry.type(description="Whether a feed was added, and the feed as it is remembered.")
class AddedFeed:
    added: bool = strawberry.field(description="False when it was remembered already.")
    feed: Feed


@strawberry.type(
    description="What a sync did with a feed (item null: the feed as a whole, not read because "
    "it was not modified, or unreadable) or with one of its items."
)
class FeedSyncResult:
    feed: str = strawberry.field(description="The feed's title, or its URL before it has one.")
    item: str | None = strawberry.field(description="The item's title.")
    outcome: str = strawberry.field(
        description="added, replaced, unchanged, skipped (no transcript) or failed."
    )
    detail: str = strawberry.field(
        description="What was stored (segments, medications, dosages), or why it failed."
    )
    episode_id: strawberry.ID | None = strawberry.field(
        description="The episode added or replaced, for node(id:)."
    )

    @classmethod
    def from_row(cls, row: FeedSynced) -> "FeedSyncResult":
        shaped = feed_sync_row(row)
        return cls(
            feed=shaped["feed"],
            item=shaped["item"],
            outcome=shaped["outcome"],
            detail=shaped["detail"],
            episode_id=strawberry.ID(shaped["episode_id"]) if shaped["episode_id"] else None,
        )
