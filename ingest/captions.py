"""Reads caption files (WebVTT, SRT, YouTube transcript JSON) into the same Document records as
markdown episodes, merging their short cues into transcript segments at sentence boundaries.

Caption files carry no header, so the episode's title, channel and the like come from an
EpisodeMeta, usually read by load_meta from a sidecar `NAME.meta.json` beside the captions.
"""

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.models import Timestamp
from webvtt.vtt import WebVTTCueBlock

from ingest.parse import ParseError
from ingest.records import Document, EpisodeMeta, Segment
from ingest.units import duration_seconds

MIN_SEGMENT_SECONDS = 20.0  # a segment ends at the first sentence end after this long
MAX_SEGMENT_SECONDS = 60.0  # and never runs longer than this, even mid-sentence
MAX_REPEAT_WORDS = 32  # rolling captions repeat a line at most, never a paragraph

NO_CUES = "no captions: the file has no cues with text"
META_SUFFIX = ".meta.json"

Cue = tuple[float, float, str]  # start and end in seconds, text

# A cue ends a sentence when its last word ends in . ? or !, perhaps inside quotes or brackets.
SENTENCE_END = re.compile(r"[.?!][\"'”’)\]]*$")
# SRT markup: HTML-like tags (<i>, </b>, <font color="...">) and ASS overrides such as {\an8}.
SRT_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|\{\\[^{}]*\}")
# The line an SRT cue's timings are on, with the srt library's own timestamp pattern.
SRT_TIMINGS = re.compile(rf"\s*({srt.RGX_TIMESTAMP}) *-[ -] *> *({srt.RGX_TIMESTAMP})")
# A WebVTT voice span, "<v Sean Mackey>" or "<v.loud Esme>", as webvtt-py reads one; any tag.
VOICE = re.compile(r"<v(?:\.[\w-]+)*\s+([^>\s][^>]*)>")
CUE_TAG = re.compile(r"<[^>]*>")
# WebVTT line terminators: CRLF, LF or CR, as webvtt-py splits them.
VTT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_vtt(text: str, *, source: str, meta: EpisodeMeta) -> Document:
    """Reads WebVTT captions; a segment's line is the line of its first cue's timings."""
    if not text.strip():
        raise ParseError(source, NO_CUES)
    try:
        captions = webvtt.from_string(text).captions
    except MalformedFileError:
        raise ParseError(source, "not WebVTT: the first line must be 'WEBVTT'", 1) from None
    except MalformedCaptionError as error:
        raise ParseError(source, f"a cue cannot be read: {error}") from None
    lines = _timing_lines(
        VTT_LINE_BREAK.split(text),
        [(c.start_time.in_milliseconds(), c.end_time.in_milliseconds()) for c in captions],
        _vtt_timings,
        unread=lambda number, line: ParseError(
            source,
            f"the cue timings {line.strip()!r} cannot be read; "
            "expected timings such as '00:01:02.500 --> 00:01:05.000'",
            number,
        ),
    )
    # A cue in which the voice changes is read as one cue per voice, at the same times.
    cues: list[Cue] = []
    voices: list[str | None] = []
    positions: list[int] = []
    for caption, line in zip(captions, lines, strict=True):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        for voice, words in _voiced(caption.raw_text):
            cues.append((start, end, words))
            voices.append(voice)
            positions.append(line)
    return _document(cues, positions, in_lines=True, source=source, meta=meta, voices=voices)


def _voiced(raw: str) -> list[tuple[str | None, str]]:
    """A WebVTT cue's text in pieces, each with the voice a `<v Name>` span starts it with (None
    where the cue goes on with the voice before), its tags left out (<c>, <i>, timestamps)."""
    pieces: list[tuple[str | None, str]] = []
    voice: str | None = None
    start = 0
    for span in VOICE.finditer(raw):
        pieces.append((voice, raw[start : span.start()]))
        voice, start = " ".join(span.group(1).split()), span.end()
    pieces.append((voice, raw[start:]))
    cleaned = [(voice, _clean(CUE_TAG.sub("", words))) for voice, words in pieces]
    return [(voice, words) for voice, words in cleaned if words] or [(None, "")]


def read_srt(text: str, *, source: str, meta: EpisodeMeta) -> Document:
    """Reads SubRip captions; a segment's line is the line of its first cue's timings."""
    if not text.strip():
        raise ParseError(source, NO_CUES)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        junk: str = error.unmatched_content
        offset: int = error.expected_start + len(junk) - len(junk.lstrip())
        snippet = " ".join(junk.split())
        snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
        raise ParseError(
            source,
            f"cannot read {snippet!r} as cues; expected a number, then timings such as "
            "'00:01:02,500 --> 00:01:05,000', then the cue's text",
            text.count("\n", 0, offset) + 1,
        ) from None
    except (ValueError, OverflowError) as error:
        raise ParseError(source, f"cue timings cannot be read: {error}") from None
    times: list[tuple[int, int]] = [
        (_milliseconds(subtitle.start), _milliseconds(subtitle.end)) for subtitle in subtitles
    ]
    cues = [
        (start / 1000, end / 1000, _clean(SRT_MARKUP.sub("", str(subtitle.content))))
        for (start, end), subtitle in zip(times, subtitles, strict=True)
    ]
    # A line of cue text may look like timings, so a line that matches no cue is passed over.
    lines = _timing_lines(text.split("\n"), times, _srt_timings, unread=None)
    return _document(cues, lines, in_lines=True, source=source, meta=meta)


def read_youtube_json(text: str, *, source: str, meta: EpisodeMeta) -> Document:
    """Reads a YouTube transcript: a JSON list of {"text", "start", "duration"} objects, times in
    seconds. The file's lines mean nothing, so a segment's line is its first cue's position in
    the list, counting from 1."""
    if not text.strip():
        raise ParseError(source, NO_CUES)
    data = load_json(text, source=source)
    if not isinstance(data, list):
        raise ParseError(
            source,
            "not a YouTube transcript: expected a JSON list of objects with "
            '"text", "start" and "duration"',
        )
    cues: list[Cue] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ParseError(
                source, f'caption {number} is not an object with "text", "start" and "duration"'
            )
        words = item.get("text")
        if not isinstance(words, str):
            raise ParseError(source, f'caption {number} has no "text" string')
        where = f"caption {number}"
        start = json_seconds(item, "start", where=where, source=source)
        duration = json_seconds(item, "duration", where=where, source=source)
        cues.append((start, start + duration, _clean(words)))
    return _document(cues, list(range(1, len(cues) + 1)), in_lines=False, source=source, meta=meta)


def merge_cues(cues: Sequence[tuple[float, float, str]], *, source: str) -> tuple[Segment, ...]:
    """Merges caption cues (start and end in seconds, text) into transcript segments.

    A segment ends after a cue that ends a sentence once it spans at least 20 s, and before a cue
    that would take it past 60 s, even mid-sentence. Its `seconds` is its first cue's start,
    rounded down, and its `line` the first cue's position in `cues`, counting from 1. Words that a
    cue repeats from the end of the cue before it, as rolling auto-captions do, are left out.
    Raises ParseError naming `source` for a cue with bad times or out of order.
    """
    return _merge(cues, list(range(1, len(cues) + 1)), in_lines=False, source=source)


def from_cues(cues: Sequence[Cue], *, source: str, meta: EpisodeMeta) -> Document:
    """The document of cues read from another transcript format; a segment's line is its first
    cue's position, counting from 1."""
    return _document(cues, list(range(1, len(cues) + 1)), in_lines=False, source=source, meta=meta)


def load_meta(path: Path) -> EpisodeMeta | None:
    """Reads the sidecar `NAME.meta.json` beside the caption file `path` (or `path` itself when
    it is the sidecar); None when there is none. Its keys: title (the file's name without the
    extensions when missing), channel, date ("YYYY-MM-DD"), url, duration (seconds, or text such
    as "9 minutes") and description. Raises ParseError naming the sidecar when it is unreadable.
    """
    sidecar = path if path.name.endswith(META_SUFFIX) else path.with_suffix(META_SUFFIX)
    if not sidecar.is_file():
        return None
    source = str(sidecar)
    try:
        text = sidecar.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParseError(source, "not UTF-8 text") from None
    data = load_json(text, source=source)
    if not isinstance(data, dict):
        raise ParseError(
            source,
            'expected a JSON object with keys such as "title", "channel", "date", "url" '
            'and "duration"',
        )
    return EpisodeMeta(
        title=_meta_text(data, "title", source) or sidecar.name.removesuffix(META_SUFFIX),
        channel=_meta_text(data, "channel", source),
        upload_date=_meta_date(data.get("date"), source),
        url=_meta_text(data, "url", source),
        duration_seconds=_meta_duration(data.get("duration"), source),
        description=_meta_text(data, "description", source) or "",
    )


def _document(
    cues: Sequence[Cue],
    positions: Sequence[int],
    *,
    in_lines: bool,
    source: str,
    meta: EpisodeMeta,
    voices: Sequence[str | None] = (),
) -> Document:
    if not any(text for _, _, text in cues):
        raise ParseError(source, NO_CUES)
    segments = _merge(cues, positions, in_lines=in_lines, source=source, voices=voices)
    return Document(meta=meta, summary=(), segments=segments)


def _merge(
    cues: Sequence[Cue],
    positions: Sequence[int],
    *,
    in_lines: bool,
    source: str,
    voices: Sequence[str | None] = (),
) -> tuple[Segment, ...]:
    """merge_cues, with each cue's line (in_lines) or position in its file, for Segment.line and
    for errors, and each cue's voice (None: the voice goes on) for Segment.voices."""
    segments: list[Segment] = []
    parts: list[str] = []
    turns: list[tuple[int, str]] = []  # the segment's voices, at offsets of " ".join(parts)
    speaking: str | None = None
    first_start = 0.0
    first_position = 0
    previous_words: list[str] = []
    previous_start = 0.0

    def fail(position: int, problem: str) -> ParseError:
        if in_lines:
            return ParseError(source, problem, position)
        return ParseError(source, f"cue {position} {problem}")

    def close() -> None:
        if parts:
            text = " ".join(parts)
            seconds = math.floor(first_start)
            segments.append(Segment(seconds, text, first_position, tuple(turns)))
            parts.clear()
            turns.clear()

    for index, ((start, end, text), position) in enumerate(zip(cues, positions, strict=True)):
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0:
            raise fail(position, f"has times {start} to {end} s; times must be 0 s or later")
        if end < start:
            raise fail(position, f"ends at {end:.3f} s, before it starts at {start:.3f} s")
        if start < previous_start:
            raise fail(
                position,
                f"starts at {start:.3f} s, before the cue before it ({previous_start:.3f} s)",
            )
        previous_start = start
        words = text.split()
        if not words:
            continue
        new_words = _without_repeat(previous_words, words)
        previous_words = words
        if not new_words:
            continue
        if parts and end - first_start > MAX_SEGMENT_SECONDS:
            close()
        if not parts:
            first_start, first_position = start, position
        voice = voices[index] if voices else None
        if voice is not None and voice != speaking:
            turns.append((sum(len(part) + 1 for part in parts), voice))
            speaking = voice
        parts.append(" ".join(new_words))
        if end - first_start >= MIN_SEGMENT_SECONDS and SENTENCE_END.search(new_words[-1]):
            close()
    close()
    return tuple(segments)


def _without_repeat(previous: list[str], words: list[str]) -> list[str]:
    """`words` without the longest run at its start that repeats the end of `previous` (case and
    punctuation aside): rolling captions show the last words, or the last line, again."""
    before = [_word_key(word) for word in previous]
    after = [_word_key(word) for word in words]
    for size in range(min(len(before), len(after), MAX_REPEAT_WORDS), 0, -1):
        if before[-size:] == after[:size]:
            return words[size:]
    return words


def _word_key(word: str) -> str:
    return word.strip(".,;:?!\"'“”‘’()[]…-—").casefold() or word


def _clean(text: str) -> str:
    """Cue text on one line: entities such as &amp; decoded, runs of spaces and line breaks as one
    space."""
    return " ".join(html.unescape(text).split())


def _timing_lines(
    lines: Sequence[str],
    times: Sequence[tuple[int, int]],
    read: Callable[[str], tuple[int, int] | None],
    *,
    unread: Callable[[int, str], ParseError] | None,
) -> list[int]:
    """The 1-based line of each cue's timings, found in order. A line with "-->" that is not the
    next cue's is a cue the library left out: `unread` makes the error for it (None: skip it)."""
    found: list[int] = []
    index = 0
    for start, end in times:
        while index < len(lines):
            line = lines[index]
            index += 1
            if read(line) == (start, end):
                found.append(index)
                break
            if unread is not None and "-->" in line:
                raise unread(index, line)
        else:
            found.append(found[-1] if found else 1)  # not found: keep to the cue before
    for number in range(index + 1, len(lines) + 1):
        if unread is not None and "-->" in lines[number - 1]:
            raise unread(number, lines[number - 1])
    return found


def _vtt_timings(line: str) -> tuple[int, int] | None:
    """A cue timings line's start and end in milliseconds, read as webvtt-py reads them."""
    match = WebVTTCueBlock.CUE_TIMINGS_PATTERN.match(line)
    if match is None:
        return None
    try:
        start, end = Timestamp.from_string(match[1]), Timestamp.from_string(match[2])
    except MalformedCaptionError:
        return None
    return start.in_milliseconds(), end.in_milliseconds()


def _srt_timings(line: str) -> tuple[int, int] | None:
    match = SRT_TIMINGS.match(line)
    if match is None:
        return None
    try:
        return (
            _milliseconds(srt.srt_timestamp_to_timedelta(match[1])),
            _milliseconds(srt.srt_timestamp_to_timedelta(match[2])),
        )
    except (ValueError, OverflowError):
        return None


def _milliseconds(value: timedelta) -> int:
    return value // timedelta(milliseconds=1)


def load_json(text: str, *, source: str) -> Any:
    """The JSON in a transcript or sidecar, or a ParseError naming the line where it stops being
    JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(source, f"not JSON: {error.msg}", error.lineno) from None


def json_seconds(item: dict[str, Any], key: str, *, where: str, source: str) -> float:
    """`item[key]` as a time in seconds, 0 or more; `where` names the item in errors
    ("caption 3")."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(source, f'{where} has no "{key}" number of seconds')
    seconds = float(value) if isinstance(value, float) or abs(value) < 2**53 else math.inf
    if not math.isfinite(seconds) or seconds < 0:
        raise ParseError(source, f'{where} has "{key}" {value}; it must be 0 or more')
    return seconds


def _meta_text(data: dict[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(source, f'"{key}" is {value!r}, not text')
    return value.strip() or None


def _meta_date(value: object, source: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ParseError(source, f'"date" {value!r} is not a date such as "2025-04-25"')


def _meta_duration(value: object, source: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            return value
    elif isinstance(value, float):
        if math.isfinite(value) and value >= 0:
            return round(value)
    elif isinstance(value, str) and (seconds := duration_seconds(value)) is not None:
        return seconds
    raise ParseError(
        source,
        f'"duration" {value!r} is not a number of seconds or a length of time such as '
        '"9 minutes" or "1:02:03"',
    )
