"""Syncs remembered feeds: fetches what changed since the last sync and stores each item's
transcript as an episode. One item's failure is reported and never stops the others."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from api.cli import _count
from db import feeds, models
from db.engine import transaction
from db.ingestion import ingest_text
from db.store import Outcome, content_hash
from ingest import lexicon
from ingest.feeds import Item, read_feed
from ingest.parse import ParseError
from ingest.transcripts import READERS

TIMEOUT_SECONDS = 30.0
FAILED = "failed"
SKIPPED = "skipped"
UNCHANGED = "unchanged"


class FetchError(Exception):
    """A feed or transcript that could not be fetched; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class Fetched:
    body: bytes
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class Synced:
    """What a sync did with a feed (item None) or one of its items."""

    feed: str
    item: str | None
    outcome: str
    detail: str
    stored: int | None = None  # the episode added or replaced

    def __str__(self) -> str:
        where = self.feed if self.item is None else f"{self.feed}: {self.item!r}"
        return f"{where}: {self.detail}"


def largest_download() -> int:
    """CLAIMDEX_FEED_MAX_BYTES, default 20 MB: a feed of a thousand episodes is a few MB."""
    raw = os.environ.get("CLAIMDEX_FEED_MAX_BYTES")
    return int(raw) if raw and raw.isdigit() else 20 * 1024 * 1024


def client() -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_SECONDS, connect=10.0),
        follow_redirects=True,
        headers={"User-Agent": "claimdex feed sync"},
    )


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def fetch(
    client: httpx.Client,
    location: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched | None:
    """The body at `location` (an http(s) URL or a file's path), at most largest_download()
    bytes; None when the server answers 304 Not Modified to the validators given."""
    limit = largest_download()
    too_large = f"{location}: larger than {limit / 1e6:.1f} MB (CLAIMDEX_FEED_MAX_BYTES)"
    if not is_url(location):
        path = Path(location)
        try:
            if path.stat().st_size > limit:
                raise FetchError(too_large)
            return Fetched(path.read_bytes(), None, None)
        except OSError as error:
            raise FetchError(f"{location}: {error.strerror or error}") from None
    conditions = {"If-None-Match": etag} if etag else {}
    if last_modified:
        conditions["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", location, headers=conditions) as response:
            if response.status_code == 304 and conditions:
                return None
            if response.status_code != 200:
                raise FetchError(
                    f"{location} answered {response.status_code} {response.reason_phrase}"
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(too_large)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FetchError(too_large)
            headers = response.headers
            return Fetched(bytes(body), headers.get("ETag"), headers.get("Last-Modified"))
    except httpx.TimeoutException:
        raise FetchError(f"{location}: no answer within {TIMEOUT_SECONDS:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise FetchError(f"{location} cannot be fetched: {error}") from None


def sync(
    *,
    sessions: sessionmaker[Session],
    client: httpx.Client,
    names: lexicon.Lexicon | None = None,
) -> Iterator[Synced]:
    """Syncs every remembered feed, one result per feed not modified or unreadable, and per item
    read."""
    with sessions() as session:
        remembered = feeds.all_feeds(session=session)
    for feed in remembered:
        yield from _sync_feed(feed, sessions=sessions, client=client, names=names)


def _sync_feed(
    feed: models.Feed,
    *,
    sessions: sessionmaker[Session],
    client: httpx.Client,
    names: lexicon.Lexicon | None,
) -> Iterator[Synced]:
    name = feed.title or feed.location
    try:
        fetched = fetch(client, feed.location, etag=feed.etag, last_modified=feed.last_modified)
        if fetched is None:
            yield Synced(name, None, UNCHANGED, "not modified since the last sync")
            return
        parsed = read_feed(fetched.body, source=feed.location)
    except (FetchError, ParseError) as error:
        yield Synced(feed.location, None, FAILED, str(error))
        return
    name = parsed.title or feed.location
    with sessions() as session:
        stored = feeds.stored_items(session=session, feed_id=feed.id)
    failed = False
    for item in parsed.items:
        result = _sync_item(
            item, feed, name, stored.get(item.guid), sessions=sessions, client=client, names=names
        )
        failed = failed or result.outcome == FAILED
        yield result
    with transaction(sessions) as session:
        # After a failure the feed is read whole next time, so the failed items are tried again.
        feeds.save_synced(
            session=session,
            feed_id=feed.id,
            title=parsed.title,
            etag=None if failed else fetched.etag,
            last_modified=None if failed else fetched.last_modified,
        )


def _sync_item(
    item: Item,
    feed: models.Feed,
    name: str,
    known: models.FeedItem | None,
    *,
    sessions: sessionmaker[Session],
    client: httpx.Client,
    names: lexicon.Lexicon | None,
) -> Synced:
    """Stores the item's best transcript unless it is the one stored before."""
    transcript = item.best_transcript()
    if transcript is None:
        if not item.transcripts:
            return Synced(name, item.title, SKIPPED, "no <podcast:transcript>")
        offered = ", ".join(sorted({t.media_type or "no type" for t in item.transcripts}))
        return Synced(
            name,
            item.title,
            FAILED,
            f"no transcript in a format claimdex reads ({offered}); expected one of "
            + ", ".join(READERS),
        )
    if is_url(feed.location) and not is_url(transcript.url):
        # A feed from the web names no file of this machine's for the sync to read.
        return Synced(
            name,
            item.title,
            FAILED,
            f"the transcript {transcript.url!r} is not an http(s) URL, as a feed read over "
            "http(s) must link",
        )
    same = known is not None and known.transcript_url == transcript.url
    try:
        fetched = fetch(
            client,
            transcript.url,
            etag=known.etag if known is not None and same else None,
            last_modified=known.last_modified if known is not None and same else None,
        )
        if fetched is None:
            return Synced(name, item.title, UNCHANGED, "transcript not modified")
        text = _decoded(fetched.body, transcript.url)
        digest = content_hash(text)
        if known is not None and same and digest == known.content_hash:
            return Synced(name, item.title, UNCHANGED, "transcript unchanged")
        ingested = ingest_text(
            sessions=sessions,
            text=text,
            source=transcript.url,
            names=names,
            meta=item.meta(name),
            reader=READERS[transcript.media_type],
        )
    except (FetchError, ParseError) as error:
        return Synced(name, item.title, FAILED, str(error))
    except Exception as error:  # noqa: BLE001 - one item's failure never stops the rest
        problem = f"nothing stored, an internal error stopped it ({type(error).__name__}: {error})"
        return Synced(name, item.title, FAILED, problem)
    with transaction(sessions) as session:
        feeds.save_item(
            session=session,
            feed_id=feed.id,
            guid=item.guid,
            transcript_url=transcript.url,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            digest=digest,
            episode_id=ingested.episode_id,
        )
    counts = ", ".join(
        (
            _count(ingested.segments, "segment"),
            _count(ingested.medications, "medication"),
            _count(ingested.dosages, "dosage"),
        )
    )
    stored = ingested.episode_id if ingested.outcome != Outcome.UNCHANGED else None
    return Synced(name, item.title, ingested.outcome.value, counts, stored)


def _decoded(body: bytes, source: str) -> str:
    if b"\x00" in body:
        raise ParseError(source, "binary data, not a transcript")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(source, f"not UTF-8 text (byte {error.start} cannot be decoded)") from None
