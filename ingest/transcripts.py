"""Reads the transcripts that podcast feeds link with `<podcast:transcript>`: the Podcasting 2.0
JSON and HTML formats into caption cues, and each format's reader by its media type."""

import re
from html.parser import HTMLParser
from typing import Protocol

from ingest import captions
from ingest.captions import Cue
from ingest.parse import ParseError
from ingest.records import Document, EpisodeMeta

# "1:02:03", "02:03", "0:00" or "00:01:02.500": hours and fractions are optional in the spec.
CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?")


class Reader(Protocol):
    def __call__(self, text: str, *, source: str, meta: EpisodeMeta) -> Document: ...


def read_podcast_json(text: str, *, source: str, meta: EpisodeMeta) -> Document:
    """Reads a podcast-namespace JSON transcript: {"version", "segments": [{"speaker",
    "startTime", "endTime", "body"}]}, times in seconds. Speakers are left out, as the WebVTT
    reader leaves out `<v Speaker>`."""
    data = captions.load_json(text, source=source)
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise ParseError(
            source,
            'not a podcast transcript: expected a JSON object with a "segments" list of '
            '{"startTime", "endTime", "body"} objects',
        )
    cues: list[Cue] = []
    for number, segment in enumerate(segments, start=1):
        if not isinstance(segment, dict) or not isinstance(segment.get("body"), str):
            raise ParseError(source, f'segment {number} has no "body" text')
        where = f"segment {number}"
        start = captions.json_seconds(segment, "startTime", where=where, source=source)
        end = (
            captions.json_seconds(segment, "endTime", where=where, source=source)
            if "endTime" in segment
            else start
        )
        cues.append((start, end, " ".join(segment["body"].split())))
    return captions.from_cues(cues, source=source, meta=meta)


def read_podcast_html(text: str, *, source: str, meta: EpisodeMeta) -> Document:
    """Reads a podcast-namespace HTML transcript: `<cite>speaker</cite> <time>0:00</time>
    <p>words</p>` repeated; each paragraph is a cue from its time to the next one's."""
    parser = _TranscriptHTML(source)
    parser.feed(text)
    parser.close()
    found = parser.paragraphs
    if not found:
        raise ParseError(
            source, "no transcript paragraphs: expected <time>0:00</time> then <p>words</p>"
        )
    cues = [
        (start, found[index + 1][0] if index + 1 < len(found) else start, words)
        for index, (start, words) in enumerate(found)
    ]
    return captions.from_cues(cues, source=source, meta=meta)


# Media types of `<podcast:transcript type=...>`, best first: WebVTT keeps cue timings and
# speakers, SRT the timings, JSON the timings of longer segments, HTML only a start per paragraph.
READERS: dict[str, Reader] = {
    "text/vtt": captions.read_vtt,
    "application/x-subrip": captions.read_srt,
    "application/srt": captions.read_srt,
    "text/srt": captions.read_srt,
    "application/json": read_podcast_json,
    "text/html": read_podcast_html,
}


def media_type(declared: str) -> str:
    """The media type alone: text/vtt for "text/vtt; charset=utf-8"."""
    return declared.split(";", 1)[0].strip().lower()


class _TranscriptHTML(HTMLParser):
    """Collects (start in seconds, words) for each <p>, its start from the last <time> before it."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.paragraphs: list[tuple[float, str]] = []
        self._open: str | None = None
        self._text: list[str] = []
        self._start: float | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("time", "p"):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        words = " ".join("".join(self._text).split())
        self._open = None
        if tag == "time":
            self._start = self._clock(words)
        elif words:
            if self._start is None:
                raise ParseError(
                    self.source, f"the paragraph {words[:40]!r} has no <time> before it"
                )
            self.paragraphs.append((self._start, words))

    def _clock(self, words: str) -> float:
        match = CLOCK.fullmatch(words)
        if match is None:
            raise ParseError(
                self.source, f"<time>{words}</time> is not a time such as 0:00 or 01:02:03"
            )
        hours, minutes, seconds, fraction = match.groups()
        return (
            int(hours or 0) * 3600
            + int(minutes) * 60
            + int(seconds)
            + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0)
        )
