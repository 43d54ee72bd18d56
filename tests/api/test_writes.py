"""Writes: a bounded number of ingest children, each reaped, the result read from the primary."""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from api import writes
from api.app import create_app
from api.settings import Settings
from db import migrate
from db.engine import make_engine
from tests.conftest import SEED

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INGEST = "mutation ($m: String!) { ingestEpisode(markdown: $m) { outcome episode { title } } }"
SLOW = (sys.executable, "-c", "import time; time.sleep(600)")


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[asyncio.subprocess.Process]]:
    """Every ingest child started during the test, as it starts."""
    started: list[asyncio.subprocess.Process] = []
    spawn = asyncio.create_subprocess_exec

    async def recorded(*command: Any, **options: Any) -> asyncio.subprocess.Process:
        process = await spawn(*command, **options)
        started.append(process)
        return process

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recorded)
    yield started


async def first_child(
    started: list[asyncio.subprocess.Process], request: asyncio.Task[Any]
) -> None:
    """Returns once `request` has started its child."""
    while not started:
        assert not request.done(), request.result()
        await asyncio.sleep(0.01)


def test_a_write_past_the_slots_is_told_to_retry(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    children: list[asyncio.subprocess.Process],
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'claimdex.db'}")
    migrate.upgrade(engine)
    app = create_app(engine, settings=Settings(api_tokens=(TOKEN,), max_ingests=1))
    monkeypatch.setattr(writes, "INGEST_COMMAND", SLOW)

    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            holding = asyncio.create_task(
                client.post("/api/v1/episodes", content="# One", headers=AUTH)
            )
            await first_child(children, holding)
            # Children from here on end at once (and print nothing): only the cap holds them.
            monkeypatch.setattr(writes, "INGEST_COMMAND", (sys.executable, "-c", "pass"))
            rest = await client.post("/api/v1/episodes", content="# Two", headers=AUTH)
            body = {"query": INGEST, "variables": {"m": "# Three"}}
            graphql = await client.post("/graphql", json=body, headers=AUTH)
            # The client goes away: its request is cancelled, its child killed and reaped.
            holding.cancel()
            with pytest.raises(asyncio.CancelledError):
                await holding
            after = await client.post("/api/v1/episodes", content="# Four", headers=AUTH)
        return rest, graphql, after

    rest, graphql, after = asyncio.run(scenario())
    assert rest.status_code == 503 and rest.headers["retry-after"] == "5"
    assert rest.json()["error"]["code"] == "busy"
    assert "CLAIMDEX_MAX_INGESTS" in rest.json()["error"]["message"]
    assert graphql.json()["data"] is None
    assert "ingest slots are busy" in graphql.json()["errors"][0]["message"]
    assert children[0].returncode is not None  # waited for: no zombie
    # The slot is free again: this write runs (its child prints nothing) instead of a 503.
    assert after.status_code == 400 and "ingestion failed" in after.json()["error"]["message"]
    assert len(children) == 2
    engine.dispose()


def test_a_timed_out_child_is_killed_and_reaped(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    children: list[asyncio.subprocess.Process],
) -> None:
    monkeypatch.setattr(writes, "INGEST_COMMAND", SLOW)
    ingests = writes.Ingests(database_url="sqlite://", slots=1, timeout=0.2)
    with pytest.raises(writes.WriteError, match="longer than 0.2 s"):
        asyncio.run(ingests.ingest("# One"))
    assert children[0].returncode is not None
    assert ingests.running == 0


def test_a_write_is_read_back_from_the_primary(engine: Engine, tmp_path: Path) -> None:
    """With reads on a replica that has nothing yet, both APIs still answer the episode."""
    replica = make_engine(f"sqlite:///{tmp_path / 'replica.db'}")
    migrate.upgrade(replica)
    app = create_app(engine, read_engine=replica, settings=Settings(api_tokens=(TOKEN,)))

    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            rest = await client.post("/api/v1/episodes", content=SEED.read_text(), headers=AUTH)
            body = {"query": INGEST, "variables": {"m": SEED.read_text()}}
            graphql = await client.post("/graphql", json=body, headers=AUTH)
            listed = await client.get("/api/v1/episodes")
        return rest, graphql, listed

    rest, graphql, listed = asyncio.run(scenario())
    title = "Low-Dose Naltrexone: Hype, Hope, or Homerun?"
    assert rest.status_code == 201 and rest.json()["data"]["title"].startswith(title)
    answer = graphql.json()["data"]["ingestEpisode"]
    assert answer["outcome"] == "unchanged" and answer["episode"]["title"].startswith(title)
    assert listed.json()["data"] == []  # reads do go to the replica, which lags
    replica.dispose()
