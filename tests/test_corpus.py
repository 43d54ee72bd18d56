"""The synthetic benchmark corpus: deterministic, streamed, and in the seed's shape."""

import re
from pathlib import Path

import pytest

from bench.corpus import generate, main, write
from ingest.parse import parse_document
from ingest.timestamps import TIMESTAMP, to_seconds

HEADER_LINES = (
    re.compile(r"^# \S.*$", re.M),
    re.compile(r"^\*\*Channel:\*\* \S.*$", re.M),
    re.compile(r"^\*\*Upload Date:\*\* (2019|202[0-6])-\d\d-\d\d$", re.M),
    re.compile(r"^\*\*URL:\*\* https://www\.youtube\.com/watch\?v=[\w-]{11}$", re.M),
    re.compile(r"^\*\*Duration:\*\* \d+ (minutes|hours?)( \d+ minutes)?$", re.M),
)
SEGMENT = re.compile(r"^(?P<stamp>\[[\d:]+\]) (?P<text>\S.*)$", re.S)
QUOTE = re.compile(r'^"(?P<text>[^"]+)" \[[\d:]+\]$', re.M)


@pytest.fixture(scope="module")
def episodes() -> list[tuple[str, str]]:
    return list(generate(20, seed=0))


def transcript(markdown: str) -> list[tuple[int, str]]:
    """(seconds, text) of each transcript paragraph."""
    body = markdown.split("\n## Transcript\n", 1)[1]
    paragraphs = [paragraph for paragraph in body.split("\n\n") if paragraph.strip()]
    segments = []
    for paragraph in paragraphs:
        match = SEGMENT.match(paragraph.strip())
        assert match is not None, paragraph[:80]
        stamp = TIMESTAMP.fullmatch(match["stamp"])
        assert stamp is not None, paragraph[:80]
        segments.append((to_seconds(stamp), match["text"]))
    return segments


def test_same_count_and_seed_give_identical_bytes(tmp_path: Path) -> None:
    first = write(5, tmp_path / "a", seed=7)
    second = write(5, tmp_path / "b", seed=7)
    assert [path.name for path in first] == [f"{i:06d}.md" for i in range(5)]
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    assert [path.read_text("utf-8") for path in first] == [text for _, text in generate(5, seed=7)]


def test_a_different_seed_gives_a_different_corpus() -> None:
    assert list(generate(5, seed=0)) != list(generate(5, seed=1))


def test_an_episode_does_not_depend_on_the_corpus_size(
    episodes: list[tuple[str, str]],
) -> None:
    assert list(generate(5, seed=0)) == episodes[:5]


def test_every_episode_has_the_seed_shape(episodes: list[tuple[str, str]]) -> None:
    for name, markdown in episodes:
        for line in HEADER_LINES:
            assert line.search(markdown), (name, line.pattern)
        assert "\n## Description\n" in markdown
        assert "\n## Transcript\n" in markdown
        segments = transcript(markdown)
        assert 20 <= len(segments) <= 300, name
        times = [seconds for seconds, _ in segments]
        assert times == sorted(set(times)), name
        assert all(40 <= len(text.split()) <= 120 for _, text in segments), name


def test_the_project_parser_reads_every_episode(episodes: list[tuple[str, str]]) -> None:
    for name, markdown in episodes:
        document = parse_document(markdown, source=name)
        assert 20 <= len(document.segments) <= 300
        assert document.meta.duration_seconds is not None
        assert document.meta.duration_seconds >= document.segments[-1].seconds


def test_video_ids_are_unique() -> None:
    urls = [re.search(r"watch\?v=(\S+)", text) for _, text in generate(200, seed=3)]
    ids = [url.group(1) for url in urls if url is not None]
    assert len(ids) == len(set(ids)) == 200


def test_notable_quotes_are_copied_from_the_transcript(
    episodes: list[tuple[str, str]],
) -> None:
    summaries = 0
    for _, markdown in episodes:
        if "\n## AI Summary\n" not in markdown:
            continue
        summaries += 1
        summary, body = markdown.split("\n## AI Summary\n", 1)[1].split("\n## Transcript\n")
        quotes = QUOTE.findall(summary.split("**Notable Quotes**:", 1)[1])
        assert 1 <= len(quotes) <= 2
        assert all(quote in body for quote in quotes)
    assert summaries > 0


def test_the_mean_segment_count_is_about_one_hundred() -> None:
    counts = [len(transcript(markdown)) for _, markdown in generate(50, seed=0)]
    assert 60 <= sum(counts) / len(counts) <= 140


def test_the_command_line_writes_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["3", str(tmp_path), "--seed", "2"]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{i:06d}.md" for i in range(3)]
    assert "wrote 3 episodes" in capsys.readouterr().out
