"""Feeds in: `claimdex feed` syncing a feed and its transcripts served over real HTTP, and the
same managed over GraphQL and REST with the API token."""

import asyncio
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from api import feed_sync, writes
from api.app import create_app
from api.schema import HasToken
from api.settings import Settings
from db import feeds, models
from db.engine import transaction
from ingest import lexicon
from tests.conftest import cli, free_port

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Host>Welcome back. Today we talk about naltrexone.

00:00:06.000 --> 00:00:12.000
<v Guest>Most people start on 1.5 mg of naltrexone at night.
"""
SRT = """1
00:00:01,000 --> 00:00:05,000
Magnesium glycinate is the form we discuss.

2
00:00:05,000 --> 00:00:09,000
Many take 200 mg of magnesium before bed.
"""
JSON = """{"version": "1.0.0", "segments": [
 {"speaker": "Host", "startTime": 0.5, "endTime": 4.0, "body": "Let's talk about melatonin."},
 {"speaker": "Guest", "startTime": 4.0, "endTime": 9.5, "body": "I take 0.5 mg of melatonin."}
]}"""
HTML = """<!DOCTYPE html><html><body>
<cite>Host:</cite> <time>0:00</time> <p>Our topic is vitamin D.</p>
<cite>Guest:</cite> <time>0:07</time> <p>Adults often take 2000 IU of vitamin D daily.</p>
</body></html>"""


@dataclass
class Site:
    """Files served on 127.0.0.1, and every request's path, conditions and answer."""

    files: dict[str, bytes] = field(default_factory=dict)
    seen: list[tuple[str, bool, int]] = field(default_factory=list)  # path, conditional, status
    base: str = ""

    def statuses(self, path: str) -> list[int]:
        return [status for seen, _, status in self.seen if seen == path]


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = served.files.get(self.path)
            conditional = "If-None-Match" in self.headers
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"' if body is not None else ""
            status = (
                404 if body is None else 304 if self.headers.get("If-None-Match") == etag else 200
            )
            # Seen before it is answered: the client may read the answer and go on before this
            # thread would get back to it.
            served.seen.append((self.path, conditional, status))
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body) if body and status == 200 else 0))
            self.end_headers()
            if body is not None and status == 200:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()
    thread.join()


def item(number: int, path: str, kind: str, *, also: tuple[str, str] | None = None) -> str:
    extra = f'<podcast:transcript url="{also[0]}" type="{also[1]}"/>' if also else ""
    return f"""<item>
  <title>Episode {number}</title>
  <guid isPermaLink="false">episode-{number}</guid>
  <pubDate>Tue, 0{number} Apr 2025 10:00:00 GMT</pubDate>
  <link>https://example.org/episodes/{number}</link>
  <enclosure url="https://example.org/audio/{number}.mp3" type="audio/mpeg" length="1000"/>
  <itunes:duration>1:02:0{number}</itunes:duration>
  {extra}<podcast:transcript url="{path}" type="{kind}"/>
</item>"""


def rss(*items: str, title: str = "Health Talk") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>{title}</title><link>https://example.org/</link>
{"".join(items)}
</channel></rss>""".encode()


GOOD = (
    # A relative URL, and the WebVTT taken over the JSON offered first.
    item(1, "/t/1.vtt", "text/vtt", also=("/t/1-unused.json", "application/json")),
    item(2, "/t/2.srt", "application/x-subrip"),
    item(3, "/t/3.json", "application/json"),
    item(4, "/t/4.html", "text/html; charset=utf-8"),
)


def serve_good(site: Site) -> None:
    site.files |= {
        "/feed.xml": rss(*GOOD),
        "/t/1.vtt": VTT.encode(),
        "/t/1-unused.json": JSON.encode(),
        "/t/2.srt": SRT.encode(),
        "/t/3.json": JSON.encode(),
        "/t/4.html": HTML.encode(),
    }


def synced(sessions: sessionmaker[Session], names: lexicon.Lexicon) -> dict[str, feed_sync.Synced]:
    """One sync of every feed: each result by its item's title (the feed's location or title
    for the feed itself)."""
    with feed_sync.client() as client:
        results = feed_sync.sync(sessions=sessions, client=client, names=names)
        return {result.item or result.feed: result for result in results}


def remember(sessions: sessionmaker[Session], location: str) -> None:
    with transaction(sessions) as session:
        assert feeds.add_feed(session=session, location=location)


def first_sync(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> dict[str, feed_sync.Synced]:
    """The good feed served, remembered and synced once."""
    serve_good(site)
    remember(sessions, site.base + "/feed.xml")
    return synced(sessions, names)


def episodes(sessions: sessionmaker[Session]) -> dict[str, models.Episode]:
    with sessions() as session:
        return {row.title: row for row in session.scalars(select(models.Episode))}


def test_first_sync_ingests_every_good_item_with_its_metadata(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    results = first_sync(site, sessions, names)
    assert {title: r.outcome for title, r in results.items()} == {
        f"Episode {n}": "added" for n in (1, 2, 3, 4)
    }
    stored = episodes(sessions)
    assert set(stored) == {f"Episode {n}" for n in (1, 2, 3, 4)}
    first = stored["Episode 1"]
    assert first.url == "https://example.org/audio/1.mp3"  # the audio: deep links seek in it
    assert first.channel == "Health Talk"
    assert first.upload_date == date(2025, 4, 1)
    assert first.duration_seconds == 3721
    assert site.statuses("/t/1-unused.json") == []
    with sessions() as session:
        texts = {
            episode.title: " ".join(segment.text for segment in episode.segments)
            for episode in session.scalars(select(models.Episode))
        }
        mentioned = set(session.scalars(select(models.Medication.name)))
    assert "1.5 mg of naltrexone" in texts["Episode 1"] and "<v" not in texts["Episode 1"]
    assert "200 mg of magnesium" in texts["Episode 2"]
    assert "0.5 mg of melatonin" in texts["Episode 3"]
    assert (
        texts["Episode 4"]
        == "Our topic is vitamin D. Adults often take 2000 IU of vitamin D daily."
    )
    assert {"naltrexone", "melatonin"} <= mentioned
    with sessions() as session:
        [listed] = feeds.listed_feeds(session=session)
    assert (listed.title, listed.items) == ("Health Talk", 4) and listed.synced_at is not None


def test_a_second_sync_asks_only_whether_the_feed_changed(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    first_sync(site, sessions, names)
    site.seen.clear()
    results = synced(sessions, names)
    assert [(r.outcome, r.item) for r in results.values()] == [("unchanged", None)]
    assert site.seen == [("/feed.xml", True, 304)]


def test_an_added_item_is_ingested_and_the_others_are_not_fetched_again(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    first_sync(site, sessions, names)
    site.files["/feed.xml"] = rss(*GOOD, item(5, "/t/5.vtt", "text/vtt"))
    site.files["/t/5.vtt"] = VTT.replace("naltrexone", "metformin").encode()
    site.seen.clear()
    results = synced(sessions, names)
    assert results["Episode 5"].outcome == "added"
    assert {results[f"Episode {n}"].outcome for n in (1, 2, 3, 4)} == {"unchanged"}
    # The stored transcripts were asked for with their ETags, and none was sent again.
    for path in ("/t/1.vtt", "/t/2.srt", "/t/3.json", "/t/4.html"):
        assert [(p, c, s) for p, c, s in site.seen if p == path] == [(path, True, 304)]
    assert len(episodes(sessions)) == 5


def test_a_changed_transcript_replaces_its_episode(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    first_sync(site, sessions, names)
    before = episodes(sessions)["Episode 2"].id
    site.files["/feed.xml"] = rss(*GOOD, title="Health Talk Weekly")
    site.files["/t/2.srt"] = SRT.replace("200 mg", "400 mg").encode()
    results = synced(sessions, names)
    assert results["Episode 2"].outcome == "replaced"
    assert results["Episode 1"].outcome == "unchanged"
    with sessions() as session:
        episode = session.scalars(
            select(models.Episode).where(models.Episode.title == "Episode 2")
        ).one()
        text = " ".join(segment.text for segment in episode.segments)
        [feed] = feeds.all_feeds(session=session)
        items = feeds.stored_items(session=session, feed_id=feed.id)
    assert "400 mg of magnesium" in text and "200 mg" not in text
    assert items["episode-2"].episode_id == episode.id != before
    assert len(episodes(sessions)) == 4


def test_broken_items_are_reported_and_the_others_stored(
    site: Site,
    sessions: sessionmaker[Session],
    names: lexicon.Lexicon,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAIMDEX_FEED_MAX_BYTES", "5000")
    serve_good(site)
    site.files["/feed.xml"] = rss(
        *GOOD,
        item(5, "/t/missing.vtt", "text/vtt"),
        item(6, "/t/huge.vtt", "text/vtt"),
        item(7, "/t/7.pdf", "application/pdf"),
        item(8, "/t/8.vtt", "text/vtt"),
    )
    site.files["/t/huge.vtt"] = VTT.encode() * 100
    site.files["/t/8.vtt"] = b"not captions at all"
    remember(sessions, site.base + "/feed.xml")
    remember(sessions, site.base + "/broken.xml")
    site.files["/broken.xml"] = b"<html><body>This page moved.</body>"
    results = synced(sessions, names)
    outcomes = {title: r.outcome for title, r in results.items()}
    assert outcomes == {
        **{f"Episode {n}": "added" for n in (1, 2, 3, 4)},
        **{f"Episode {n}": "failed" for n in (5, 6, 7, 8)},
        site.base + "/broken.xml": "failed",
    }
    assert str(results["Episode 5"]) == (
        f"Health Talk: 'Episode 5': {site.base}/t/missing.vtt answered 404 Not Found"
    )
    assert "larger than 0.0 MB (CLAIMDEX_FEED_MAX_BYTES)" in str(results["Episode 6"])
    assert "(application/pdf); expected one of text/vtt" in str(results["Episode 7"])
    assert "not WebVTT" in str(results["Episode 8"])
    assert "not an RSS or Atom feed" in str(results[site.base + "/broken.xml"])
    assert set(episodes(sessions)) == {f"Episode {n}" for n in (1, 2, 3, 4)}

    # The feed is read whole again, so a mended item is stored on the next sync.
    site.files["/t/missing.vtt"] = VTT.replace("naltrexone", "metformin").encode()
    site.seen.clear()
    again = synced(sessions, names)
    assert again["Episode 5"].outcome == "added"
    assert again["Episode 1"].outcome == "unchanged"
    assert ("/feed.xml", False, 200) in site.seen


def test_podcast_chapters_and_items_without_transcripts_are_passed_over(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    bare = item(9, "/t/9.vtt", "text/vtt").replace(
        '<podcast:transcript url="/t/9.vtt" type="text/vtt"/>',
        '<podcast:chapters url="/t/9.chapters.json" type="application/json+chapters"/>',
    )
    serve_good(site)
    site.files["/feed.xml"] = rss(GOOD[0], bare)
    remember(sessions, site.base + "/feed.xml")
    results = synced(sessions, names)
    assert results["Episode 9"].outcome == "skipped"
    assert results["Episode 1"].outcome == "added"
    assert site.statuses("/t/9.chapters.json") == []


def test_the_feed_commands(site: Site, tmp_path: Path) -> None:
    serve_good(site)
    site.files["/feed.xml"] = rss(*GOOD, item(5, "/t/missing.vtt", "text/vtt"))
    url = site.base + "/feed.xml"
    assert cli("feed", "add", url, cwd=tmp_path).stdout == f"added {url}\n"
    assert "already remembered" in cli("feed", "add", url, cwd=tmp_path).stdout
    local = tmp_path / "local.xml"
    local.write_bytes(rss(item(6, f"{site.base}/t/3.json", "application/json"), title="Local"))
    assert cli("feed", "add", "local.xml", cwd=tmp_path).returncode == 0

    first = cli("feed", "sync", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("added       Health Talk: 'Episode 1': ")
    assert (
        f"failed      Health Talk: 'Episode 5': {site.base}/t/missing.vtt answered 404 Not Found"
        in lines
    )
    assert any(line.startswith("added       Local: 'Episode 6'") for line in lines)

    site.files["/feed.xml"] = rss(*GOOD)  # the broken item withdrawn
    second = cli("feed", "sync", cwd=tmp_path)
    assert second.returncode == 0, second.stdout
    assert "added" not in second.stdout
    third = cli("feed", "sync", cwd=tmp_path)
    assert third.returncode == 0
    assert "unchanged   Health Talk: not modified since the last sync" in third.stdout

    listed = cli("feed", "list", cwd=tmp_path).stdout.splitlines()
    assert listed[0].startswith(f"{url}  Health Talk, 4 items stored, synced ")
    assert listed[1].startswith(f"{local}  Local, 1 item stored, synced ")


def test_adding_a_missing_file_fails_naming_it(tmp_path: Path) -> None:
    result = cli("feed", "add", "nowhere.xml", cwd=tmp_path)
    assert result.returncode == 1
    assert "nowhere.xml: no such file" in result.stderr


def test_a_feed_no_server_answers_is_reported(
    sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> None:
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    remember(sessions, url)
    results = synced(sessions, names)
    assert [str(r) for r in results.values()][0].startswith(f"{url}: {url} cannot be fetched")
    assert [r.outcome for r in results.values()] == ["failed"]


def test_a_feed_read_over_http_cannot_make_the_sync_read_a_local_file(
    site: Site, sessions: sessionmaker[Session], names: lexicon.Lexicon, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.vtt"
    secret.write_text(VTT)
    site.files["/feed.xml"] = rss(item(1, secret.as_uri(), "text/vtt"))
    remember(sessions, site.base + "/feed.xml")
    result = synced(sessions, names)["Episode 1"]
    assert result.outcome == "failed" and "is not an http(s) URL" in result.detail
    assert episodes(sessions) == {}


# --- over GraphQL and REST --------------------------------------------------------------------

TOKEN = "feed-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FEEDS = "query ($after: String) { feeds(first: 1, after: $after) { totalCount "
FEEDS += "pageInfo { hasNextPage endCursor } nodes { url title itemsStored lastSynced } } }"
ADD = "mutation ($url: String!) { addFeed(url: $url) { added feed { url itemsStored } } }"
REMOVE = "mutation ($url: String!) { removeFeed(url: $url) }"
SYNC = "mutation { syncFeeds { feed item outcome detail episodeId } }"


def requests(app: Any, *sent: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    """The app's answers to each (method, path, options) in turn; options as httpx takes them,
    the API token sent unless they give headers of their own."""

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=120
        ) as client:
            return [
                await client.request(method, path, **({"headers": AUTH} | options))
                for method, path, options in sent
            ]

    return asyncio.run(send())


def graphql(query: str, **variables: Any) -> tuple[str, str, dict[str, Any]]:
    return "POST", "/graphql", {"json": {"query": query, "variables": variables}}


def feed_app(engine: Engine) -> Any:
    return create_app(engine, settings=Settings(api_tokens=(TOKEN,), rate_per_minute=0))


def test_feeds_are_added_listed_and_removed_over_rest_and_graphql(engine: Engine) -> None:
    one, two = "https://example.org/one.xml", "https://example.org/two.xml"
    answers = requests(
        feed_app(engine),
        ("POST", "/api/v1/feeds", {"json": {"url": one}}),
        ("POST", "/api/v1/feeds", {"json": {"url": one}}),
        graphql(ADD, url=two),
        ("GET", "/api/v1/feeds", {}),
        graphql(FEEDS),
    )
    added, again, over_graphql, listed, first_page = answers
    assert added.status_code == 201
    assert added.json()["data"] == {
        "added": True, "url": one, "title": None, "items_stored": 0, "last_synced": None
    }  # fmt: skip
    assert again.status_code == 200 and again.json()["data"]["added"] is False
    assert over_graphql.json() == {
        "data": {"addFeed": {"added": True, "feed": {"url": two, "itemsStored": 0}}}
    }
    assert [row["url"] for row in listed.json()["data"]] == [one, two]
    assert listed.headers["cache-control"] == "private, no-cache"  # never in a shared cache
    page = first_page.json()["data"]["feeds"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    assert page["nodes"] == [{"url": one, "title": None, "itemsStored": 0, "lastSynced": None}]
    cursor = page["pageInfo"]["endCursor"]
    answers = requests(
        feed_app(engine),
        graphql(FEEDS, after=cursor),
        graphql(REMOVE, url=two),
        graphql(REMOVE, url=two),
        ("DELETE", "/api/v1/feeds", {"params": {"url": one}}),
        ("DELETE", "/api/v1/feeds", {"params": {"url": one}}),
        ("GET", "/api/v1/feeds", {}),
    )
    second_page, removed, removed_again, deleted, deleted_again, empty = answers
    assert [node["url"] for node in second_page.json()["data"]["feeds"]["nodes"]] == [two]
    assert removed.json()["data"] == {"removeFeed": True}
    assert removed_again.json()["data"] == {"removeFeed": False}
    assert deleted.status_code == 204
    assert deleted_again.status_code == 404
    assert one in deleted_again.json()["error"]["message"]
    assert empty.json() == {"data": [], "total": 0, "next": None}


def test_two_clients_adding_one_feed_at_once_both_succeed(engine: Engine) -> None:
    url = "https://example.org/one.xml"
    sessions = sessionmaker(engine)
    second: list[bool] = []
    with transaction(sessions) as first:
        assert feeds.add_feed(session=first, location=url)
        # The second insert waits on the first transaction's row, which commits after it began.
        racer = threading.Thread(
            target=lambda: second.append(writes.add_feed(sessions=sessions, url=url)[0])
        )
        racer.start()
        racer.join(timeout=0.5)
    racer.join(timeout=30)
    assert second == [False]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.Feed)) == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-token"}])
def test_feeds_refuse_a_client_without_the_token(engine: Engine, headers: dict[str, str]) -> None:
    url = "https://example.org/feed.xml"
    refused = requests(
        feed_app(engine),
        ("POST", "/api/v1/feeds", {"json": {"url": url}, "headers": headers}),
        ("GET", "/api/v1/feeds", {"headers": headers}),
        ("DELETE", "/api/v1/feeds", {"params": {"url": url}, "headers": headers}),
        ("POST", "/api/v1/feeds/sync", {"headers": headers}),
        *[
            (method, path, options | {"headers": headers})
            for method, path, options in (
                graphql(ADD, url=url),
                graphql(REMOVE, url=url),
                graphql(SYNC),
                graphql(FEEDS),
            )
        ],
    )
    for answer in refused[:4]:
        assert answer.status_code == 401, answer.text
        assert "CLAIMDEX_API_TOKENS" in answer.json()["error"]["message"]
    for answer in refused[4:]:
        assert answer.json()["data"] is None
        assert answer.json()["errors"][0]["message"] == HasToken.message
    (listed,) = requests(feed_app(engine), ("GET", "/api/v1/feeds", {}))
    assert listed.json()["data"] == []  # nothing was added


@pytest.mark.parametrize(
    "url", ["/etc/passwd", "file:///etc/passwd", "ftp://example.org/feed.xml", "feed.xml", ""]
)
def test_only_an_http_url_is_taken_over_the_api(engine: Engine, url: str) -> None:
    rest, over_graphql, listed = requests(
        feed_app(engine),
        ("POST", "/api/v1/feeds", {"json": {"url": url}}),
        graphql(ADD, url=url),
        ("GET", "/api/v1/feeds", {}),
    )
    assert rest.status_code == 400
    message = rest.json()["error"]["message"]
    assert message.startswith(f"url: {url!r} is not an http(s) URL"), message
    assert over_graphql.json()["errors"][0]["message"] == message
    assert listed.json()["data"] == []


def test_a_feed_is_synced_over_the_api(site: Site, engine: Engine) -> None:
    """The sync runs `claimdex feed sync` in a child process against a feed served over HTTP:
    each item's result comes back, and the second sync finds nothing new."""
    serve_good(site)
    site.files["/feed.xml"] = rss(*GOOD, item(5, "/t/missing.vtt", "text/vtt"))
    app = feed_app(engine)
    added, first, second, listed, stored = requests(
        app,
        ("POST", "/api/v1/feeds", {"json": {"url": site.base + "/feed.xml"}}),
        ("POST", "/api/v1/feeds/sync", {}),
        graphql(SYNC),
        graphql(FEEDS),
        ("GET", "/api/v1/episodes", {"params": {"first": 10}}),
    )
    assert added.status_code == 201
    results = {row["item"]: row for row in first.json()["data"]}
    assert {item: row["outcome"] for item, row in results.items()} == {
        "Episode 1": "added",
        "Episode 2": "added",
        "Episode 3": "added",
        "Episode 4": "added",
        "Episode 5": "failed",
    }
    assert "404" in results["Episode 5"]["detail"]
    assert results["Episode 1"]["feed"] == "Health Talk"
    assert "dosage" in results["Episode 1"]["detail"]
    ids = {row["id"]: row["title"] for row in stored.json()["data"]}
    assert {ids[results[f"Episode {n}"]["episode_id"]] for n in (1, 2, 3, 4)} == {
        f"Episode {n}" for n in (1, 2, 3, 4)
    }
    # After a failed item the feed is read whole again: only the failed item is tried again.
    again = {row["item"]: row["outcome"] for row in second.json()["data"]["syncFeeds"]}
    assert again == {f"Episode {n}": "unchanged" for n in (1, 2, 3, 4)} | {"Episode 5": "failed"}
    (feed,) = listed.json()["data"]["feeds"]["nodes"]
    assert (feed["title"], feed["itemsStored"]) == ("Health Talk", 4) and feed["lastSynced"]
