"""Reads a podcast's RSS or Atom feed into its episodes and the transcripts each one links."""

import io
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin

import feedparser

from ingest.parse import ParseError
from ingest.records import EpisodeMeta
from ingest.transcripts import READERS, media_type
from ingest.units import duration_seconds

# The namespace's current URI and the one early feeds declared.
PODCAST_NAMESPACES = (
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Transcript:
    url: str
    media_type: str


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    published: date | None
    url: str | None  # the audio (enclosure), whose deep links are media fragments, else the page
    duration_seconds: int | None
    transcripts: tuple[Transcript, ...]

    def best_transcript(self) -> Transcript | None:
        """The transcript in the best format claimdex reads; None when it reads none of them."""
        ranked = [t for t in self.transcripts if t.media_type in READERS]
        return min(ranked, key=lambda t: list(READERS).index(t.media_type), default=None)

    def meta(self, channel: str | None) -> EpisodeMeta:
        return EpisodeMeta(
            title=self.title,
            channel=channel,
            upload_date=self.published,
            url=self.url,
            duration_seconds=self.duration_seconds,
        )


@dataclass(frozen=True)
class Feed:
    title: str | None
    items: tuple[Item, ...]


def read_feed(data: bytes, *, source: str) -> Feed:
    """The feed in `data`, fetched from `source` (a URL or a file's path), which relative
    transcript links are resolved against. Raises ParseError when it is not RSS or Atom."""
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": source})
    if not parsed.entries and (parsed.bozo or "title" not in parsed.feed):
        reason = parsed.get("bozo_exception") or "no channel and no items"
        raise ParseError(source, f"not an RSS or Atom feed ({reason})")
    linked = _transcripts(data, source, len(parsed.entries))
    items = []
    for index, entry in enumerate(parsed.entries):
        transcripts = linked[index] if linked is not None else _transcripts_of(entry, source)
        items.append(_item(entry, transcripts))
    return Feed(title=parsed.feed.get("title") or None, items=tuple(items))


def _item(entry: Any, transcripts: tuple[Transcript, ...]) -> Item:
    enclosure = next((link["href"] for link in entry.get("enclosures", []) if "href" in link), None)
    url = enclosure or entry.get("link") or None
    title = entry.get("title") or url or "untitled"
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    duration = entry.get("itunes_duration")
    return Item(
        guid=entry.get("id") or url or title,
        title=title,
        published=date(*published[:3]) if isinstance(published, time.struct_time) else None,
        url=url,
        duration_seconds=duration_seconds(duration) if isinstance(duration, str) else None,
        transcripts=transcripts,
    )


def _transcripts(data: bytes, source: str, count: int) -> list[tuple[Transcript, ...]] | None:
    """Every `<podcast:transcript>` of each item, in feed order. feedparser keeps only an item's
    last one, so the XML is read again; None when it is not well-formed or its items are not
    feedparser's (feedparser reads broken XML too, and then its one transcript is used)."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None
    entries = root.findall("./channel/item") or root.findall(f"./{ATOM}entry")
    if len(entries) != count:
        return None
    tags = [f"{{{namespace}}}transcript" for namespace in PODCAST_NAMESPACES]
    return [
        tuple(
            Transcript(urljoin(source, found.attrib["url"]), media_type(found.get("type", "")))
            for found in entry
            if found.tag in tags and found.get("url")
        )
        for entry in entries
    ]


def _transcripts_of(entry: Any, source: str) -> tuple[Transcript, ...]:
    found = entry.get("podcast_transcript")
    if not isinstance(found, dict) or not found.get("url"):
        return ()
    return (Transcript(urljoin(source, found["url"]), media_type(found.get("type", ""))),)
