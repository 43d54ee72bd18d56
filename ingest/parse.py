"""Parses a markdown episode document (header, description, AI summary, transcript) into records."""

import re
from datetime import date

from ingest.records import Document, EpisodeMeta, Segment, SummaryItem
from ingest.timestamps import TIMESTAMP, TimestampError, to_seconds
from ingest.units import duration_seconds


class ParseError(ValueError):
    """A document that cannot be read; the message names the file, the line and the problem."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.line = line
        self.problem = problem

    def __reduce__(self) -> tuple[type["ParseError"], tuple[str, str, int | None]]:
        # So the error crosses from an ingest worker process to the writer whole.
        return (type(self), (self.source, self.problem, self.line))


FIELD = re.compile(r"^\*\*(?P<key>[^*:]+):?\*\*:?\s*(?P<value>.*)$")
SECTION = re.compile(r"^##\s+(?P<name>.+?)\s*$")
LEADING_TIMESTAMP = re.compile(r"^\s*" + TIMESTAMP.pattern + r"\s*")
SUMMARY_HEADING = re.compile(r"^\d+\.\s*\*\*(?P<name>[^*]+)\*\*:?\s*(?P<rest>.*)$")
BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")

HEADER_KEYS = {"channel", "upload date", "url", "duration"}


# Control characters (terminal escapes, bells) carry nothing a transcript says; they are
# removed. Tabs and line ends stay.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_document(text: str, *, source: str) -> Document:
    """Reads one document; raises ParseError naming `source` when it has no header or transcript."""
    if not text.strip():
        raise ParseError(
            source, "the file is empty; an episode document needs a header and a transcript"
        )
    lines = CONTROL.sub("", text).splitlines()
    title, header, first_section = _header(lines, source)
    sections = _sections(lines, first_section)
    if "transcript" not in sections:
        raise ParseError(source, "no '## Transcript' section; every episode needs a transcript")
    start, body = sections["transcript"]
    segments = _segments(body, start, source)
    if not segments:
        raise ParseError(
            source, "the transcript has no timestamped paragraphs such as '[00:01:46] ...'", start
        )
    summary_start, summary_body = sections.get("ai summary", (0, []))
    meta = EpisodeMeta(
        title=title,
        channel=header.get("channel") or None,
        upload_date=_date(header.get("upload date"), source),
        url=header.get("url") or None,
        duration_seconds=_duration(header.get("duration"), source),
        description="\n".join(sections.get("description", (0, []))[1]).strip(),
    )
    return Document(meta, _summary(summary_body, summary_start, source), segments)


def _header(lines: list[str], source: str) -> tuple[str, dict[str, str], int]:
    """The '# Title' line and the '**Key:** value' fields before the first '##' section."""
    end = next((i for i, line in enumerate(lines) if SECTION.match(line)), len(lines))
    title = None
    fields: dict[str, str] = {}
    for line in lines[:end]:
        stripped = line.strip()
        if title is None and stripped.startswith("# "):
            title = stripped[2:].strip()
        elif match := FIELD.match(stripped):
            fields[match["key"].strip().lower()] = match["value"].strip()
    if not title:
        raise ParseError(source, "no header: the document must start with a '# Title' line")
    if not fields.keys() & HEADER_KEYS:
        raise ParseError(
            source, "no header fields: expected lines such as '**Channel:** ...' and '**URL:** ...'"
        )
    return title, fields, end


def _sections(lines: list[str], first: int) -> dict[str, tuple[int, list[str]]]:
    """Each '## Name' section's first line number (1-based) and its lines."""
    sections: dict[str, tuple[int, list[str]]] = {}
    current: list[str] | None = None
    for index in range(first, len(lines)):
        if match := SECTION.match(lines[index]):
            current = []
            sections.setdefault(match["name"].lower(), (index + 2, current))
        elif current is not None:
            current.append(lines[index])
    return sections


def _segments(body: list[str], start: int, source: str) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    seconds = line_number = -1
    parts: list[str] = []

    def flush() -> None:
        text = " ".join(part for part in parts if part)
        if seconds < 0 or not text:
            return
        # A paragraph pasted twice in a row (same moment, same words) is kept once.
        if segments and (segments[-1].seconds, segments[-1].text) == (seconds, text):
            return
        segments.append(Segment(seconds=seconds, text=text, line=line_number))

    for offset, raw in enumerate(body):
        number = start + offset
        match = LEADING_TIMESTAMP.match(raw)
        if match is None:
            parts.append(raw.strip())
            continue
        flush()
        try:
            seconds = to_seconds(match)
        except TimestampError as error:
            raise ParseError(source, str(error), number) from None
        if segments and seconds < segments[-1].seconds:
            raise ParseError(
                source,
                f"timestamp {match.group(0).strip()} goes back in time "
                f"(the paragraph before starts at {segments[-1].seconds} s)",
                number,
            )
        line_number, parts = number, [raw[match.end() :].strip()]
    flush()
    return tuple(segments)


def _summary(body: list[str], start: int, source: str) -> tuple[SummaryItem, ...]:
    items: list[SummaryItem] = []
    section = ""
    for offset, raw in enumerate(body):
        line = raw.strip()
        if not line:
            continue
        if heading := SUMMARY_HEADING.match(line):
            section, line = heading["name"].strip(), heading["rest"].strip()
            if not line:
                continue
        seconds = None
        if stamp := TIMESTAMP.search(line):
            try:
                seconds = to_seconds(stamp)
            except TimestampError as error:
                raise ParseError(source, str(error), start + offset) from None
            line = (line[: stamp.start()] + line[stamp.end() :]).strip()
        text = BULLET.sub("", line).strip()
        if text:
            items.append(SummaryItem(section=section, text=text, seconds=seconds))
    return tuple(items)


def _date(value: str | None, source: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        problem = f"upload date {value!r} is not a date such as 2025-04-25"
        raise ParseError(source, problem) from None


def _duration(value: str | None, source: str) -> int | None:
    if not value:
        return None
    seconds = duration_seconds(value)
    if seconds is None:
        raise ParseError(
            source, f"duration {value!r} is not a length of time such as '9 minutes' or '1:02:03'"
        )
    return seconds
