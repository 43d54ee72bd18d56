"""Reads off the event loop and within the statement time limit, for GraphQL and REST alike."""

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.settings import Settings
from db import queries
from db.ingestion import ingest_file
from ingest import lexicon
from tests.conftest import SEED

HELD_AT_MOST = 10.0  # seconds: a failing test ends instead of hanging


@pytest.fixture
def seed_only(
    fresh_sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> sessionmaker[Session]:
    ingest_file(sessions=fresh_sessions, path=SEED, names=names)
    return fresh_sessions


def test_a_read_held_in_the_database_holds_up_no_other_request(
    engine: Engine, seed_only: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, released, left = threading.Event(), threading.Event(), threading.Event()
    medications = queries.medications

    def held(*, session: Session) -> Any:
        session.execute(text("SELECT 1"))
        entered.set()
        released.wait(HELD_AT_MOST)
        left.set()
        return medications(session=session)

    monkeypatch.setattr(queries, "medications", held)
    app = create_app(engine)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            slow = asyncio.create_task(
                client.post("/graphql", json={"query": "{ medications { name } }"})
            )
            deadline = time.monotonic() + HELD_AT_MOST
            while not entered.is_set():
                assert time.monotonic() < deadline, "the held read never started"
                await asyncio.sleep(0.01)
            answers = await asyncio.gather(
                client.post("/graphql", json={"query": "{ __typename }"}),
                client.post("/graphql", json={"query": '{ medication(name: "LDN") { name } }'}),
                client.get("/api/v1/medications/LDN"),
            )
            assert not left.is_set(), "the other requests were answered only after the held one"
            released.set()
            assert (await slow).json()["data"]["medications"]
        typename, small, rest = answers
        assert typename.json() == {"data": {"__typename": "Query"}}
        assert small.json() == {"data": {"medication": {"name": "naltrexone"}}}
        assert rest.status_code == 200 and rest.json()["data"]["name"] == "naltrexone"

    try:
        asyncio.run(scenario())
    finally:
        released.set()


def _endless(session: Session) -> None:
    """A statement that runs far past any time limit (minutes), on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_sleep(120)"))
    else:
        session.execute(
            text(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1e10)"
                " SELECT count(*) FROM c"
            )
        )


def test_a_runaway_query_ends_with_a_clear_error_and_the_next_read_works(
    engine: Engine, seed_only: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    medications, stats_page = queries.medications, queries.medication_stats_page
    runaway = {"on": True}

    def slow_medications(*, session: Session) -> Any:
        if runaway["on"]:
            _endless(session)
        return medications(session=session)

    def slow_stats(*, session: Session, **arguments: Any) -> Any:
        if runaway["on"]:
            _endless(session)
        return stats_page(session=session, **arguments)

    monkeypatch.setattr(queries, "medications", slow_medications)
    monkeypatch.setattr(queries, "medication_stats_page", slow_stats)
    app = create_app(engine, settings=Settings(statement_timeout_ms=200))

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            graphql = await client.post("/graphql", json={"query": "{ medications { name } }"})
            rest = await client.get("/api/v1/medications")
            return graphql, rest

    graphql, rest = asyncio.run(ask())
    message = graphql.json()["errors"][0]["message"]
    assert "time limit of 200 ms" in message and "CLAIMDEX_STATEMENT_TIMEOUT_MS" in message
    assert rest.status_code == 503
    assert rest.json()["error"]["code"] == "timeout"
    assert "CLAIMDEX_STATEMENT_TIMEOUT_MS" in rest.json()["error"]["message"]

    runaway["on"] = False
    graphql, rest = asyncio.run(ask())
    assert "errors" not in graphql.json() and graphql.json()["data"]["medications"]
    assert rest.status_code == 200 and rest.json()["data"]
