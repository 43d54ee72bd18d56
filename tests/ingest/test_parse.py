from datetime import date
from pathlib import Path

import pytest

from ingest.parse import ParseError, parse_document
from tests.conftest import DOCUMENTS, GOLD, SEED


def parse(path: Path):  # type: ignore[no-untyped-def]
    return parse_document(path.read_text(), source=str(path))


def test_seed_header_summary_and_transcript() -> None:
    document = parse(SEED)
    assert document.meta.title.startswith("Low-Dose Naltrexone: Hype, Hope, or Homerun?")
    assert document.meta.channel == "Peter Attia MD"
    assert document.meta.upload_date == date(2025, 4, 25)
    assert document.meta.url == "https://www.youtube.com/watch?v=d0S7_H0UdjY"
    assert document.meta.duration_seconds == 540
    assert "Watch the full episode" in document.meta.description
    assert len(document.segments) == 12
    assert [s.seconds for s in document.segments[:3]] == [0, 82, 106]
    assert document.segments[-1].seconds == 558
    assert document.segments[2].text.startswith("And so what I mean by that")
    quotes = [item for item in document.summary if item.section == "Notable Quotes"]
    assert [item.seconds for item in quotes] == [143, 275]
    assert ("Take LDN two hours before bedtime", 350) in [
        (item.text, item.seconds) for item in document.summary
    ]


def test_short_timestamps_and_no_summary() -> None:
    short = parse(GOLD / "metformin-longevity.md")
    assert short.segments[1].seconds == 61  # "[1:01]"
    assert short.segments[-1].seconds > 600  # "[11:29]"-style minutes past ten
    assert parse(GOLD / "sleep-stack.md").summary == ()


def test_a_document_without_transcript_is_rejected_by_name() -> None:
    path = DOCUMENTS / "no-transcript.md"
    with pytest.raises(ParseError, match=r"no-transcript\.md: no '## Transcript' section"):
        parse(path)


def test_a_document_without_header_is_rejected_by_name() -> None:
    with pytest.raises(ParseError, match=r"no-header\.md: no header"):
        parse(DOCUMENTS / "no-header.md")


def test_time_going_backwards_names_the_line() -> None:
    text = SEED.read_text().replace("[00:01:46]", "[00:00:46]")
    with pytest.raises(ParseError, match=r"seed\.md: line \d+: timestamp \[00:00:46\] goes back"):
        parse_document(text, source="seed.md")
