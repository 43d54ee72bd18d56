"""Remembered podcast feeds and what each sync stored from them."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models


@dataclass(frozen=True, slots=True)
class Listed:
    location: str
    title: str | None
    items: int
    synced_at: datetime | None


def add_feed(*, session: Session, location: str) -> bool:
    """Remembers the feed at `location`; False when it was remembered already."""
    if session.scalar(select(models.Feed.id).where(models.Feed.location == location)):
        return False
    session.add(models.Feed(location=location))
    return True


def all_feeds(*, session: Session) -> list[models.Feed]:
    return list(session.scalars(select(models.Feed).order_by(models.Feed.id)))


def listed_feeds(*, session: Session) -> list[Listed]:
    """Each feed with the number of its items stored, in the order they were added."""
    stored = (
        select(models.FeedItem.feed_id, func.count().label("held"))
        .group_by(models.FeedItem.feed_id)
        .subquery()
    )
    rows = session.execute(
        select(models.Feed, func.coalesce(stored.c.held, 0))
        .outerjoin(stored, stored.c.feed_id == models.Feed.id)
        .order_by(models.Feed.id)
    )
    return [Listed(feed.location, feed.title, items, feed.synced_at) for feed, items in rows]


def stored_items(*, session: Session, feed_id: int) -> dict[str, models.FeedItem]:
    """The feed's stored items by guid."""
    rows = session.scalars(select(models.FeedItem).where(models.FeedItem.feed_id == feed_id))
    return {row.guid: row for row in rows}


def save_item(
    *,
    session: Session,
    feed_id: int,
    guid: str,
    transcript_url: str,
    etag: str | None,
    last_modified: str | None,
    digest: str,
    episode_id: int,
) -> None:
    """Records the transcript an item's episode was stored from, in place of any before."""
    item = session.scalar(
        select(models.FeedItem).where(
            models.FeedItem.feed_id == feed_id, models.FeedItem.guid == guid
        )
    )
    if item is None:
        item = models.FeedItem(feed_id=feed_id, guid=guid)
        session.add(item)
    item.transcript_url = transcript_url
    item.etag = etag
    item.last_modified = last_modified
    item.content_hash = digest
    item.episode_id = episode_id


def save_synced(
    *,
    session: Session,
    feed_id: int,
    title: str | None,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """Records a sync of the feed; `etag` and `last_modified` None make the next sync read it
    whole again (as after an item failed, so that it is tried again)."""
    feed = session.get_one(models.Feed, feed_id)
    if title is not None:
        feed.title = title
    feed.etag = etag
    feed.last_modified = last_modified
    feed.synced_at = datetime.now(UTC)
