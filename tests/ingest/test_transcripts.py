"""The Podcasting 2.0 transcript formats, JSON and HTML, read into transcript segments."""

import pytest

from ingest.captions import EpisodeMeta
from ingest.feeds import read_feed
from ingest.parse import ParseError
from ingest.transcripts import read_podcast_html, read_podcast_json

META = EpisodeMeta(title="Episode", channel=None, upload_date=None, url=None, duration_seconds=None)


def test_json_segments_become_cues_merged_at_sentence_ends() -> None:
    text = """{"version": "1.0.0", "segments": [
      {"speaker": "A", "startTime": 0.5, "endTime": 12.0, "body": "Start low"},
      {"speaker": "A", "startTime": 12.0, "endTime": 21.0, "body": "at 1.5 mg."},
      {"speaker": "B", "startTime": 75.25, "endTime": 80, "body": "Then  go up."}
    ]}"""
    document = read_podcast_json(text, source="t.json", meta=META)
    assert [(s.seconds, s.text, s.line) for s in document.segments] == [
        (0, "Start low at 1.5 mg.", 1),
        (75, "Then go up.", 3),
    ]
    assert document.meta.title == "Episode"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", 'expected a JSON object with a "segments" list'),
        ('{"segments": [{"startTime": 1}]}', 'segment 1 has no "body" text'),
        ('{"segments": [{"body": "x", "startTime": -1}]}', '"startTime" -1; it must be 0'),
        ('{"segments": [{"body": "x", "startTime": "0:01"}]}', 'no "startTime" number'),
        ('{"segments": [{"body": "x", "startTime": 1e999}]}', "it must be 0 or more"),
        ('{"segments": []}', "no captions"),
    ],
)
def test_unreadable_json_says_why(text: str, problem: str) -> None:
    with pytest.raises(ParseError, match="t.json") as raised:
        read_podcast_json(text, source="t.json", meta=META)
    assert problem in str(raised.value)


def test_html_paragraphs_start_at_the_time_before_them() -> None:
    text = """<cite>Host:</cite><time>0:00</time><p>Hello &amp; welcome.</p>
    <cite>Guest:</cite><time>1:02:03.5</time><p>Take it <b>at night</b>.</p>"""
    document = read_podcast_html(text, source="t.html", meta=META)
    assert [(s.seconds, s.text) for s in document.segments] == [
        (0, "Hello & welcome."),
        (3723, "Take it at night."),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<p>No time.</p>", "has no <time> before it"),
        ("<time>soon</time><p>x</p>", "<time>soon</time> is not a time"),
        ("<html><body>Moved</body></html>", "no transcript paragraphs"),
    ],
)
def test_unreadable_html_says_why(text: str, problem: str) -> None:
    with pytest.raises(ParseError) as raised:
        read_podcast_html(text, source="t.html", meta=META)
    assert problem in str(raised.value)


def test_a_feed_that_is_not_well_formed_still_gives_its_transcript() -> None:
    # An unescaped & makes the XML ill-formed; feedparser reads it all the same.
    feed = read_feed(
        b"""<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
        <title>Q & A</title><item><title>One</title><guid>1</guid>
        <podcast:transcript url="one.srt" type="application/x-subrip"/></item>
        </channel></rss>""",
        source="https://example.org/feeds/main.xml",
    )
    [item] = feed.items
    assert item.best_transcript() is not None
    assert item.best_transcript() == item.transcripts[0]
    assert item.transcripts[0].url == "https://example.org/feeds/one.srt"
