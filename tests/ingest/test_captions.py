import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ingest.captions import (
    EpisodeMeta,
    load_meta,
    merge_cues,
    read_srt,
    read_vtt,
    read_youtube_json,
)
from ingest.extract import extract
from ingest.parse import ParseError, parse_document
from ingest.records import Document
from tests.conftest import DOCUMENTS, SEED

Reader = Callable[..., Document]
READERS: dict[str, Reader] = {"vtt": read_vtt, "srt": read_srt, "json": read_youtube_json}
CLIP_END = 190  # the clip ends where the seed's [00:03:10] paragraph starts
META = EpisodeMeta(title="A talk", channel=None, upload_date=None, url=None, duration_seconds=None)


def clip(kind: str) -> Document:
    path = DOCUMENTS / f"ldn-clip.{kind}"
    meta = load_meta(path)
    assert meta is not None
    return READERS[kind](path.read_text(encoding="utf-8"), source=str(path), meta=meta)


def joined(document: Document) -> str:
    return " ".join(segment.text for segment in document.segments)


@pytest.mark.parametrize("kind", READERS)
def test_each_format_reads_into_segments_of_20_to_60_seconds(kind: str) -> None:
    document = clip(kind)
    starts = [segment.seconds for segment in document.segments]
    assert starts[0] == 0
    lengths = [
        after - before for before, after in zip(starts, [*starts[1:], CLIP_END], strict=True)
    ]
    assert all(20 <= length <= 60 for length in lengths[:-1]), lengths
    assert 0 < lengths[-1] <= 60
    assert "four and a half milligrams" in joined(document)
    assert "lotto nrexone" in joined(document)
    assert document.meta.title.startswith("Low-Dose Naltrexone: Hype, Hope, or Homerun?")
    assert document.summary == ()


def test_the_three_formats_agree() -> None:
    vtt, srt, youtube = (clip(kind) for kind in READERS)
    assert len(vtt.segments) == len(srt.segments) == len(youtube.segments) > 1
    for a, b, c in zip(vtt.segments, srt.segments, youtube.segments, strict=True):
        seconds = (a.seconds, b.seconds, c.seconds)
        assert max(seconds) - min(seconds) <= 8, seconds


@pytest.mark.parametrize("kind", READERS)
def test_captions_carry_the_seed_words_without_markup_or_rolling_repeats(kind: str) -> None:
    seed = parse_document(SEED.read_text(), source=str(SEED))
    text = joined(clip(kind))
    assert text == " ".join(segment.text for segment in seed.segments[:4])
    assert not re.search(r"[<>{}]|&\w+;", text)


@pytest.mark.parametrize(("kind", "first_line"), [("vtt", 7), ("srt", 2), ("json", 1)])
def test_segment_lines_point_at_their_first_cue(kind: str, first_line: int) -> None:
    document = clip(kind)
    assert document.segments[0].line == first_line
    lines = (DOCUMENTS / f"ldn-clip.{kind}").read_text().splitlines()
    for segment in document.segments:
        minutes, seconds = divmod(segment.seconds, 60)
        if kind == "json":  # no lines that mean anything: the cue's position in the list
            cue = json.loads((DOCUMENTS / "ldn-clip.json").read_text())[segment.line - 1]
            assert int(cue["start"]) == segment.seconds
        else:  # the line of the cue's timings
            assert lines[segment.line - 1].startswith(f"00:{minutes:02d}:{seconds:02d}")


MARKUP = [
    pytest.param(
        read_vtt,
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:04.000\n"
        "<v Sean Mackey>Low dose<00:00:01.500><c> naltrexone</c></v>\n"
        "<c.colorE5E5E5>blocks</c> <b>TLR4</b> &amp; calms <i>microglia</i>.\n",
        "Low dose naltrexone blocks TLR4 & calms microglia.",
        id="webvtt",
    ),
    pytest.param(
        read_srt,
        "1\n00:00:00,000 --> 00:00:04,000\n"
        '{\\an8}<i>Low dose</i> <font color="#ffff00">naltrexone</font>\n'
        "<b>blocks</b> <u>TLR4</u>.\n",
        "Low dose naltrexone blocks TLR4.",
        id="srt",
    ),
]


@pytest.mark.parametrize(("reader", "text", "words"), MARKUP)
def test_markup_and_entities_are_stripped(reader: Reader, text: str, words: str) -> None:
    assert joined(reader(text, source="tags", meta=META)) == words


def test_empty_cues_are_dropped() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\n<c> </c>\n\n"
        "00:00:02.000 --> 00:00:04.000\nHello there.\n"
    )
    document = read_vtt(text, source="gaps.vtt", meta=META)
    assert [(s.seconds, s.text, s.line) for s in document.segments] == [(2, "Hello there.", 6)]
    youtube = json.dumps(
        [
            {"text": "", "start": 0.0, "duration": 1.0},
            {"text": " \n ", "start": 1.0, "duration": 1.0},
            {"text": "Hello there.", "start": 2.0, "duration": 2.0},
        ]
    )
    document = read_youtube_json(youtube, source="gaps.json", meta=META)
    assert [(s.seconds, s.text, s.line) for s in document.segments] == [(2, "Hello there.", 3)]


NO_CUES = [
    ("empty.vtt", read_vtt, ""),
    ("empty.srt", read_srt, ""),
    ("empty.json", read_youtube_json, ""),
    ("blank.srt", read_srt, " \n\n"),
    ("header-only.vtt", read_vtt, "WEBVTT\nKind: captions\n\nNOTE nothing yet\n"),
    ("silent.vtt", read_vtt, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<c></c>\n"),
    ("silent.srt", read_srt, "1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n"),
    ("none.json", read_youtube_json, "[]"),
    ("silent.json", read_youtube_json, '[{"text": " \\n", "start": 1.5, "duration": 2.0}]'),
]


@pytest.mark.parametrize(("source", "reader", "text"), NO_CUES)
def test_a_file_without_cues_is_rejected_by_name(source: str, reader: Reader, text: str) -> None:
    with pytest.raises(ParseError, match=re.escape(f"{source}: no captions: the file has no cues")):
        reader(text, source=source, meta=META)


def test_webvtt_errors_name_the_file_and_line() -> None:
    with pytest.raises(ParseError, match=r"^notes\.vtt: line 1: not WebVTT") as error:
        read_vtt("1\n00:00:00,000 --> 00:00:02,000\nHi.\n", source="notes.vtt", meta=META)
    assert error.value.source == "notes.vtt"
    bad = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHi.\n\n00:00:02.000 --> 00:00:61.000\nThere.\n"
    with pytest.raises(ParseError, match=r"^bad\.vtt: line 6: the cue timings '00:00:02"):
        read_vtt(bad, source="bad.vtt", meta=META)
    middle = bad + "\n00:01:00.000 --> 00:01:02.000\nLater.\n"
    with pytest.raises(ParseError, match=r"^bad\.vtt: line 6: the cue timings '00:00:02"):
        read_vtt(middle, source="bad.vtt", meta=META)


def test_windows_line_ends_keep_the_line_numbers() -> None:
    vtt = "WEBVTT\r\n\r\nNOTE hi\r\n\r\n00:00:01.000 --> 00:00:03.000 align:start\r\nHi.\r\n"
    assert read_vtt(vtt, source="crlf.vtt", meta=META).segments[0].line == 5
    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:03,000\r\nHi.\r\n\r\n"
    srt += "2\r\n00:00:03,000 --> 00:01:05,000\r\nThere.\r\n"
    segments = read_srt(srt, source="crlf.srt", meta=META).segments
    assert [(s.seconds, s.text, s.line) for s in segments] == [(1, "Hi.", 2), (3, "There.", 6)]


def test_srt_errors_name_the_file_and_line() -> None:
    text = "1\n00:00:00,000 --> 00:00:02,000\nHi.\n\n2\n00:00:02,000 -> 00:00:04,000\nThere.\n"
    expected = r"^bad\.srt: line 5: cannot read '2 00:00:02,000 -> 00:00:04,000 There\.' as cues"
    with pytest.raises(ParseError, match=expected):
        read_srt(text, source="bad.srt", meta=META)
    with pytest.raises(ParseError, match=r"^talk\.srt: line 1: cannot read 'WEBVTT' as cues"):
        read_srt("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHi.\n", source="talk.srt", meta=META)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[{"text": "Hi", "start": 0,', r"bad\.json: line 1: not JSON"),
        ('{"text": "Hi"}', r"bad\.json: not a YouTube transcript"),
        ('["Hi"]', r"bad\.json: caption 1 is not an object"),
        ('[{"text": "Hi", "duration": 2}]', r'bad\.json: caption 1 has no "start" number'),
        ('[{"text": "Hi", "start": "0", "duration": 2}]', r'caption 1 has no "start" number'),
        ('[{"text": "Hi", "start": 0, "duration": -2}]', r'caption 1 has "duration" -2'),
        ('[{"text": 7, "start": 0, "duration": 2}]', r'caption 1 has no "text" string'),
    ],
)
def test_youtube_json_errors_name_the_file(text: str, problem: str) -> None:
    with pytest.raises(ParseError, match=problem):
        read_youtube_json(text, source="bad.json", meta=META)


def test_cues_out_of_order_are_rejected_with_their_line() -> None:
    text = (
        "1\n00:00:05,000 --> 00:00:07,000\nLater.\n\n2\n00:00:01,000 --> 00:00:03,000\nEarlier.\n"
    )
    with pytest.raises(ParseError, match=r"^late\.srt: line 6: starts at 1\.000 s, before"):
        read_srt(text, source="late.srt", meta=META)


def test_the_sidecar_gives_the_episode_header() -> None:
    meta = load_meta(DOCUMENTS / "ldn-clip.vtt")
    assert meta == EpisodeMeta(
        title="Low-Dose Naltrexone: Hype, Hope, or Homerun? | Sean Mackey, M.D., Ph.D.",
        channel="Peter Attia MD",
        upload_date=date(2025, 4, 25),
        url="https://www.youtube.com/watch?v=d0S7_H0UdjY",
        duration_seconds=540,  # "9 minutes"
    )
    assert load_meta(DOCUMENTS / "ldn-clip.meta.json") == meta
    document = clip("srt")
    assert (
        document.meta.channel,
        document.meta.upload_date,
        document.meta.url,
        document.meta.duration_seconds,
    ) == (
        "Peter Attia MD",
        date(2025, 4, 25),
        "https://www.youtube.com/watch?v=d0S7_H0UdjY",
        540,
    )
    assert document.meta.description == ""


def test_sidecar_numbers_description_and_missing_fields(tmp_path: Path) -> None:
    assert load_meta(tmp_path / "talk.vtt") is None
    (tmp_path / "talk.meta.json").write_text(
        json.dumps({"duration": 541.6, "description": " About LDN.\n", "channel": None})
    )
    meta = load_meta(tmp_path / "talk.vtt")
    assert meta == EpisodeMeta(
        title="talk",  # no title: the caption file's name
        channel=None,
        upload_date=None,
        url=None,
        duration_seconds=542,
        description="About LDN.",
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"title": "LDN",', "line 1: not JSON"),
        ('["LDN"]', "expected a JSON object"),
        ('{"title": "LDN", "date": "25/04/2025"}', "\"date\" '25/04/2025' is not a date"),
        ('{"title": "LDN", "date": "2025-02-30"}', "\"date\" '2025-02-30' is not a date"),
        ('{"title": "LDN", "duration": "a while"}', "\"duration\" 'a while' is not"),
        ('{"title": 7}', '"title" is 7, not text'),
    ],
)
def test_a_bad_sidecar_is_rejected_by_name(tmp_path: Path, content: str, problem: str) -> None:
    sidecar = tmp_path / "talk.meta.json"
    sidecar.write_text(content)
    with pytest.raises(ParseError, match=re.escape(f"{sidecar}: {problem}")):
        load_meta(tmp_path / "talk.srt")


def test_a_segment_ends_at_a_sentence_end_once_it_spans_20_seconds() -> None:
    cues = [
        (0.0, 5.0, "One thing."),  # ends a sentence, but only 5 s in
        (5.0, 10.0, "Another thing"),
        (10.0, 15.0, "goes on."),
        (15.0, 20.0, "And then it"),
        (20.0, 22.5, "stops here."),  # 22.5 s: the segment ends
        (22.5, 27.0, "Next"),
        (27.0, 30.0, "part."),
    ]
    segments = merge_cues(cues, source="rules")
    assert [(s.seconds, s.text, s.line) for s in segments] == [
        (0, "One thing. Another thing goes on. And then it stops here.", 1),
        (22, "Next part.", 6),
    ]
    exactly = merge_cues([(0.0, 10.0, "Ten."), (10.0, 20.0, "Twenty!"), (20, 25, "x")], source="")
    assert [s.text for s in exactly] == ["Ten. Twenty!", "x"]
    quoted = merge_cues([(0.0, 21.0, 'he said "stop?"'), (21.0, 25.0, "Then")], source="")
    assert [s.text for s in quoted] == ['he said "stop?"', "Then"]


def test_a_segment_never_runs_past_60_seconds() -> None:
    cues = [(5.0 * i, 5.0 * (i + 1), f"word{i}") for i in range(14)]  # no sentence ends
    segments = merge_cues(cues, source="rules")
    # 0 to 60 s is allowed; the cue ending at 65 s would run past 60 s, so starts the next
    assert [(s.seconds, s.line) for s in segments] == [(0, 1), (60, 13)]
    assert segments[0].text == " ".join(f"word{i}" for i in range(12))
    gap = merge_cues([(0.0, 3.0, "Before a"), (70.0, 72.0, "long pause.")], source="rules")
    assert [(s.seconds, s.text) for s in gap] == [(0, "Before a"), (70, "long pause.")]


def test_a_segment_starts_at_its_first_cue_rounded_down_and_joins_with_single_spaces() -> None:
    segments = merge_cues([(12.9, 15.0, "  Hello\n there "), (15.0, 17.0, "you.")], source="")
    assert [(s.seconds, s.text) for s in segments] == [(12, "Hello there you.")]


def test_a_word_repeated_across_a_cue_boundary_is_kept_once() -> None:
    rolling = [
        (0.0, 2.0, "so you give low"),
        (2.0, 4.0, "Low dose naltrexone,"),  # case and punctuation aside, "low" again
        (4.0, 6.0, "naltrexone, it blocks"),
        (6.0, 8.0, "it blocks that soup as a"),  # two words again
        (8.0, 8.01, "as a"),  # a flash of the last words alone, as auto-captions show
        (8.01, 10.0, "as a treatment."),
    ]
    (segment,) = merge_cues(rolling, source="rolling")
    assert segment.text == "so you give low dose naltrexone, it blocks that soup as a treatment."
    inside = merge_cues([(0.0, 3.0, "used as a as a"), (3.0, 5.0, "treatment")], source="")
    assert inside[0].text == "used as a as a treatment"  # a repeat inside one cue is speech


def test_empty_cues_are_skipped_and_lines_count_every_cue() -> None:
    segments = merge_cues([(0.0, 1.0, ""), (1.0, 2.0, " "), (2.0, 4.0, "Hi.")], source="")
    assert [(s.seconds, s.text, s.line) for s in segments] == [(2, "Hi.", 3)]
    assert merge_cues([], source="") == ()


@pytest.mark.parametrize(
    ("cues", "problem"),
    [
        ([(5.0, 6.0, "a"), (4.0, 7.0, "b")], r"^cues: cue 2 starts at 4\.000 s, before"),
        ([(5.0, 4.0, "a")], r"^cues: cue 1 ends at 4\.000 s, before it starts"),
        ([(-1.0, 4.0, "a")], r"^cues: cue 1 has times -1\.0 to 4\.0 s"),
        ([(float("nan"), 4.0, "a")], r"^cues: cue 1 has times nan"),
    ],
)
def test_cues_with_bad_times_are_rejected(
    cues: list[tuple[float, float, str]], problem: str
) -> None:
    with pytest.raises(ParseError, match=problem):
        merge_cues(cues, source="cues")


VOICES = (
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:05.000\n"
    "<v Sean Mackey>I give naltrexone in four and a half milligrams.</v>\n\n"
    "00:00:05.000 --> 00:00:10.000\n"
    "<v.host Peter Attia>I take naltrexone 3 milligrams myself.</v> <v Sean Mackey>Good.</v>\n\n"
    "00:00:21.000 --> 00:00:25.000\n"
    "Some go to 9 milligrams of naltrexone.\n\n"
    "00:00:50.000 --> 00:00:55.000\n"
    "And <c>we</c> stop at 13.5 milligrams of naltrexone.\n"
)


def test_webvtt_voices_say_who_starts_speaking_where() -> None:
    first, second = read_vtt(VOICES, source="voices.vtt", meta=META).segments
    starts = [(first.text[offset:].split()[0], name) for offset, name in first.voices]
    # A voice that changes inside a cue starts where its words do; the class (.host) is no name.
    assert starts == [("I", "Sean Mackey"), ("I", "Peter Attia"), ("Good.", "Sean Mackey")]
    assert first.voices[1][0] == first.text.index("I take")
    assert second.voices == ()  # a cue with no voice goes on with the one before


def test_webvtt_voices_give_each_claim_and_segment_its_speaker() -> None:
    extraction = extract(read_vtt(VOICES, source="voices.vtt", meta=META))
    speakers = {dose.value: dose.speaker for dose in extraction.dosages}
    assert speakers == {
        4.5: "Sean Mackey",
        3.0: "Peter Attia",
        9.0: "Sean Mackey",
        13.5: "Sean Mackey",
    }
    assert extraction.speakers == ["Sean Mackey", "Sean Mackey"]


def test_captions_without_voices_name_no_speaker() -> None:
    text = VOICES.replace("<v Sean Mackey>", "").replace("<v.host Peter Attia>", "")
    document = read_vtt(text, source="plain.vtt", meta=META)
    assert all(segment.voices == () for segment in document.segments)
    assert extract(document).speakers == [None, None]
