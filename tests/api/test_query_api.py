"""The query API of issue 4: filters with units, search, stats, node, pages and batching."""

import re
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db import search as db_search
from db.engine import transaction
from db.ingestion import ingest_text
from db.store import content_hash, save_episode
from ingest.extract import extract
from ingest.lexicon import Lexicon
from ingest.parse import parse_document
from ingest.records import Extraction
from tests.conftest import SEED, post_graphql, send_graphql


@pytest.fixture
def app(shared_engine: Engine) -> Starlette:
    return create_app(shared_engine)


def values(app: Starlette, arguments: str) -> list[float]:
    data = post_graphql(app, f"{{ dosages({arguments}, first: 100) {{ nodes {{ value }} }} }}")
    return sorted(node["value"] for node in data["dosages"]["nodes"])


def test_dosages_between_amounts_in_any_unit(app: Starlette) -> None:
    assert values(app, 'medication: "LDN", min: "5 mg", max: "20 mg"') == [9.0, 13.5]
    assert 4.5 in values(app, 'medication: "LDN", min: "4500 ug"')
    assert values(app, 'medication: "LDN", max: "0.01 g"') == [4.5, 4.5, 4.5, 4.5, 9.0]


@pytest.mark.parametrize("amount", ["4 parsecs", "4 potatoes", "4"])
def test_an_amount_that_is_no_dose_is_an_error_naming_the_argument(
    app: Starlette, amount: str
) -> None:
    body = send_graphql(app, f'{{ dosages(medication: "LDN", min: "{amount}") {{ totalCount }} }}')
    message = body["errors"][0]["message"]
    assert message.startswith("min: ") and "expected a mass such as '4 mg'" in message


def test_first_is_capped(app: Starlette) -> None:
    body = send_graphql(app, "{ episodes(first: 101) { totalCount } }")
    assert "first: 101 is out of range" in body["errors"][0]["message"]


def test_search_ranks_the_segment_that_says_it_first(app: Starlette) -> None:
    query = """{ search(query: "microglia") { totalCount
        edges { cursor node { snippet score source { seconds timestamp url episode { title } } } }
    } }"""
    hits = post_graphql(app, query)["search"]["edges"]
    first = hits[0]["node"]
    assert first["source"]["timestamp"] == "00:01:22"
    # The marked word is "microglia" (summary) or the transcript's own "microgia".
    assert re.search(r"<mark>microg\w*</mark>", first["snippet"], re.IGNORECASE)
    assert first["source"]["url"].endswith("&t=82s")
    assert [h["node"]["score"] for h in hits] == sorted(
        (h["node"]["score"] for h in hits), reverse=True
    )


def test_search_counts_its_hits_only_when_asked(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = post_graphql(app, '{ search(query: "pain") { totalCount } }')
    spread = post_graphql(
        app,
        '{ search(query: "pain") { ...Total } } '
        "fragment Total on SearchHitConnection { totalCount }",
    )
    assert spread == inline and inline["search"]["totalCount"] > 1

    # Counting reads every match; a page that does not show the total never pays for it.
    def refused(**_: Any) -> int:
        raise AssertionError("counted without being asked")

    monkeypatch.setattr(db_search, "count_segments", refused)
    nodes = post_graphql(app, '{ search(query: "pain", first: 2) { nodes { score } } }')
    assert len(nodes["search"]["nodes"]) == 2


def test_medication_stats(app: Starlette) -> None:
    query = """{ medicationStats(first: 100) { totalCount nodes {
        medication { name } episodes mentions dosages unit minDose medianDose maxDose } } }"""
    stats = post_graphql(app, query)["medicationStats"]
    naltrexone = next(n for n in stats["nodes"] if n["medication"]["name"] == "naltrexone")
    assert naltrexone["episodes"] == 1 and naltrexone["dosages"] == 8
    assert (naltrexone["unit"], naltrexone["minDose"], naltrexone["maxDose"]) == ("mg", 4.5, 50.0)
    assert naltrexone["medianDose"] == 6.75  # 4.5 x4, 9, 13.5, 50 x2
    assert stats["totalCount"] == len(stats["nodes"])


def test_episode_filters_and_node(app: Starlette) -> None:
    query = (
        """{ episodes(medication: "Ambien", orderBy: NEWEST) { totalCount nodes { id title } } }"""
    )
    found = post_graphql(app, query)["episodes"]
    assert found["totalCount"] == 1 and "Sleep" in found["nodes"][0]["title"]
    node = post_graphql(
        app, f'{{ node(id: "{found["nodes"][0]["id"]}") {{ id ... on Episode {{ title }} }} }}'
    )
    assert node["node"]["title"] == found["nodes"][0]["title"]
    dated = post_graphql(
        app,
        '{ episodes(publishedAfter: "2025-04-25", publishedBefore: "2025-04-25") '
        "{ nodes { channel } } }",
    )
    assert [n["channel"] for n in dated["episodes"]["nodes"]] == ["Peter Attia MD"]
    searched = post_graphql(app, '{ episodes(search: "microglia") { totalCount } }')
    assert searched["episodes"]["totalCount"] == 1


def tiny(number: int) -> str:
    return SEED.read_text().replace(
        "https://www.youtube.com/watch?v=d0S7_H0UdjY",
        f"https://www.youtube.com/watch?v=ep{number:09d}",
    )


def save_copy(sessions: sessionmaker[Session], extraction: Extraction, number: int) -> None:
    """Stores `extraction` again as the episode numbered `number`."""
    with transaction(sessions) as session:
        save_episode(
            session=session,
            extraction=extraction,
            key=f"copy-{number}",
            digest=content_hash(str(number)),
        )


def test_pages_yield_each_episode_once_while_episodes_are_added(
    fresh_sessions: sessionmaker[Session], engine: Engine, names: Lexicon
) -> None:
    extraction = extract(parse_document(tiny(0), source="tiny.md"), names=names)
    for number in range(250):
        # The extraction is the same for every copy; only the episode's key differs.
        save_copy(fresh_sessions, extraction, number)
    app = create_app(engine)
    seen: list[str] = []
    after = None
    added = 250
    while True:
        cursor = f', after: "{after}"' if after else ""
        page = post_graphql(
            app,
            f"{{ episodes(first: 100{cursor}) {{ totalCount edges {{ cursor node {{ id }} }} "
            "pageInfo { hasNextPage endCursor } } }",
        )["episodes"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        # Episodes arrive between page requests; they sort after every page already read.
        save_copy(fresh_sessions, extraction, added)
        added += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) >= 250


def count_statements(engine: Engine, run: Any) -> int:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


NESTED = """{ episodes(first: 100) { totalCount nodes { title
    segments { seconds text url }
    dosages { value unit source { timestamp url episode { title } } }
    warnings { kind text source { timestamp } }
    quotes { text source { seconds } } } } }"""


def test_statements_depend_on_the_query_not_the_rows(
    engine: Engine, fresh_sessions: sessionmaker[Session], names: Lexicon
) -> None:
    app = create_app(engine)
    ingest_text(sessions=fresh_sessions, text=tiny(0), source="tiny-0.md", names=names)
    one = count_statements(engine, lambda: post_graphql(app, NESTED))
    for number in range(1, 50):
        ingest_text(
            sessions=fresh_sessions, text=tiny(number), source=f"tiny-{number}.md", names=names
        )
    data: dict[str, Any] = {}
    fifty = count_statements(engine, lambda: data.update(post_graphql(app, NESTED)))
    assert data["episodes"]["totalCount"] == 50
    assert sum(len(n["dosages"]) for n in data["episodes"]["nodes"]) >= 50 * 8
    assert fifty == one, f"{one} statements for 1 episode, {fifty} for 50"


CLAIM_LISTS = ["mentions", "dosages", "warnings"]


def claim_texts(app: Starlette, kind: str, arguments: str = "") -> list[tuple[str, str]]:
    query = f'{{ medication(name: "LDN") {{ {kind}{arguments} {{ text cursor }} }} }}'
    return [
        (claim["text"], claim["cursor"]) for claim in post_graphql(app, query)["medication"][kind]
    ]


@pytest.mark.parametrize("kind", CLAIM_LISTS)
def test_a_medications_claims_page_by_cursor_in_transcript_order(app: Starlette, kind: str) -> None:
    whole = claim_texts(app, kind)
    assert len(whole) > 3
    pages: list[tuple[str, str]] = []
    after = ""
    while True:
        page = claim_texts(app, kind, f"(first: 2{after})")
        assert len(page) <= 2
        pages += page
        if len(page) < 2:
            break
        after = f', after: "{page[-1][1]}"'
    assert pages == whole


@pytest.mark.parametrize("kind", CLAIM_LISTS)
def test_a_page_of_claims_for_each_medication_of_a_batch(
    shared_engine: Engine, app: Starlette, kind: str
) -> None:
    # Every claim of every medication may be the whole corpus: over the default cost limit.
    generous = create_app(shared_engine, settings=Settings(max_cost=10_000_000))
    everything = post_graphql(generous, f"{{ medications {{ name {kind} {{ text }} }} }}")
    paged = post_graphql(app, f"{{ medications {{ name {kind}(first: 1) {{ text }} }} }}")
    for whole, page in zip(everything["medications"], paged["medications"], strict=True):
        assert page[kind] == whole[kind][:1]


def test_a_dosage_cursor_continues_the_top_level_list_too(app: Starlette) -> None:
    nested = claim_texts(app, "dosages", "(first: 2)")
    after = nested[-1][1]
    query = f'{{ dosages(medication: "LDN", first: 2, after: "{after}") {{ nodes {{ text }} }} }}'
    top = post_graphql(app, query)["dosages"]["nodes"]
    assert [node["text"] for node in top] == [text for text, _ in claim_texts(app, "dosages")[2:4]]


@pytest.mark.parametrize("after", ["nonsense", "WyJlcGlzb2RlIiwxXQ"])  # the second: an episode's
def test_a_cursor_from_another_list_is_an_error_naming_it(app: Starlette, after: str) -> None:
    body = send_graphql(
        app, f'{{ medication(name: "LDN") {{ dosages(after: "{after}") {{ text }} }} }}'
    )
    assert body["errors"][0]["message"].startswith(f"after: {after!r} is not a cursor")
