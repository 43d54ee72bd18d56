"""Remembered podcast feeds and what each sync stored from them."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models
from db.pages import Page, PageError, decode_cursor, encode_cursor, page_size


@dataclass(frozen=True, slots=True)
class Listed:
    id: int
    location: str
    title: str | None
    items: int
    synced_at: datetime | None


def add_feed(*, session: Session, location: str) -> bool:
    """Remembers the feed at `location`; False when it was remembered already, also by a
    client adding it at the same moment."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    added = session.scalars(
        dialect.insert(models.Feed)
        .values(location=location)
        .on_conflict_do_nothing(index_elements=[models.Feed.location])
        .returning(models.Feed.id)
    ).all()
    return bool(added)


def remove_feed(*, session: Session, location: str) -> bool:
    """Forgets the feed at `location` and what its syncs stored of it; the episodes they stored
    stay. False when no feed was remembered there."""
    found = session.execute(delete(models.Feed).where(models.Feed.location == location))
    return bool(getattr(found, "rowcount", 0))


def all_feeds(*, session: Session) -> list[models.Feed]:
    return list(session.scalars(select(models.Feed).order_by(models.Feed.id)))


def listed_feeds(*, session: Session) -> list[Listed]:
    """Each feed with the number of its items stored, in the order they were added."""
    rows = session.execute(_listed().order_by(models.Feed.id))
    return [_row(feed, items) for feed, items in rows]


def listed_feed(*, session: Session, location: str) -> Listed | None:
    """The feed at `location` as `listed_feeds` gives it; None when none is remembered there."""
    found = session.execute(_listed().where(models.Feed.location == location)).first()
    return _row(found[0], found[1]) if found is not None else None


def feeds_page(
    *, session: Session, first: int | None = None, after: str | None = None
) -> Page[Listed]:
    """A page of the feeds, as `listed_feeds` gives them, in the order they were added."""
    size = page_size(first)
    total = session.scalar(select(func.count()).select_from(models.Feed)) or 0
    query = _listed()
    start = decode_cursor("feed", after)
    if start is not None:
        if len(start) != 1 or not isinstance(start[0], int):
            raise PageError(f"after: {after!r} is not a cursor from this list of feeds")
        query = query.where(models.Feed.id > start[0])
    found = session.execute(query.order_by(models.Feed.id).limit(size + 1))
    rows = [_row(feed, items) for feed, items in found]
    shown = rows[:size]
    return Page(
        rows=shown,
        cursors=[encode_cursor("feed", row.id) for row in shown],
        has_next=len(rows) > size,
        total=total,
    )


def _listed() -> Select[models.Feed, int]:
    stored = (
        select(models.FeedItem.feed_id, func.count().label("held"))
        .group_by(models.FeedItem.feed_id)
        .subquery()
    )
    return select(models.Feed, func.coalesce(stored.c.held, 0)).outerjoin(
        stored, stored.c.feed_id == models.Feed.id
    )


def _row(feed: models.Feed, items: int) -> Listed:
    return Listed(feed.id, feed.location, feed.title, items, feed.synced_at)


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
