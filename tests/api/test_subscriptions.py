"""`claimsAdded` against a real `claimdex serve`: a live subscriber hears the claims an ingest
commits, whether the server ran it (SQLite, in-process) or another process did (Redis pub/sub,
PostgreSQL LISTEN/NOTIFY)."""

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import Engine

from bench.serving import served
from tests.conftest import SEED, cli

SUBSCRIPTION = """subscription {
  claimsAdded(medication: "LDN") {
    __typename
    ... on Dosage { value unit text source { episode { title } } }
    ... on Warning { kind text source { episode { title } } }
  }
}"""
STORED = """{ medication(name: "naltrexone") {
  dosages { __typename value unit text } warnings { __typename kind text } } }"""
TOKEN = "subscription-test-token"


def unique_seed(folder: Path) -> Path:
    """The seed with a line of its own: no other test's episode has its content hash, so no
    other test's notice on a shared Redis or PostgreSQL can pass for its own."""
    path = folder / "ldn.md"
    text = SEED.read_text().replace("## Description\n", f"## Description\n\nRun {uuid.uuid4()}.\n")
    path.write_text(text)
    return path


async def over_websocket(base: str, query: str) -> AsyncIterator[dict[str, Any]]:
    """Each payload a graphql-transport-ws subscription gets; {} first, once subscribed."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        yield {}
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "error":
                yield {"errors": message["payload"]}
                return
            assert message["type"] == "next", message
            yield message["payload"]


async def over_sse(base: str, query: str) -> AsyncIterator[dict[str, Any]]:
    """Each payload a server-sent-events subscription gets; {} first, once the stream opens."""
    headers = {"Accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("POST", base + "/graphql", json={"query": query}, headers=headers) as answer,
    ):
        assert answer.headers["content-type"].startswith("text/event-stream")
        yield {}
        async for line in answer.aiter_lines():
            if line.startswith("data: ") and line != "data: ":
                yield json.loads(line.removeprefix("data: "))


TRANSPORTS = {"websocket": over_websocket, "sse": over_sse}


def heard_while(base: str, transport: str, ingest: Any) -> tuple[list[Any], list[Any]]:
    """The claims a subscriber over `transport` hears while `ingest()` runs, and the claims
    about the medication stored after it: the subscriber waits for as many as are stored,
    then a second more, in which nothing else may come."""

    async def run() -> tuple[list[Any], list[Any]]:
        heard: list[dict[str, Any]] = []
        stream = TRANSPORTS[transport](base, SUBSCRIPTION)
        assert await anext(stream) == {}
        # The server registers the subscription as it reads the message; give it a moment.
        await asyncio.sleep(0.5)
        try:
            await asyncio.to_thread(ingest)
            stored = await asyncio.to_thread(stored_claims, base)
            assert stored
            while len(heard) < len(stored):
                payload = await asyncio.wait_for(anext(stream), 60)
                assert "errors" not in payload, payload
                heard.append(payload["data"]["claimsAdded"])
            with pytest.raises(TimeoutError):
                extra = await asyncio.wait_for(anext(stream), 1.0)
                heard.append(extra)
        finally:
            await stream.aclose()
        return heard, stored

    return asyncio.run(run())


def stored_claims(base: str) -> list[dict[str, Any]]:
    data = httpx.post(base + "/graphql", json={"query": STORED}).json()["data"]["medication"]
    return data["dosages"] + data["warnings"]


def said(claims: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((claim["__typename"], claim["text"]) for claim in claims)


def test_a_subscriber_hears_an_episode_written_over_http_on_sqlite(tmp_path: Path) -> None:
    """SQLite without Redis: the server hands what it wrote to its own subscribers."""
    document = unique_seed(tmp_path)
    environment = {"CLAIMDEX_API_TOKENS": TOKEN}
    with served(tmp_path, environment=environment) as (_, base):

        def ingest() -> None:
            answer = httpx.post(
                base + "/graphql",
                json={
                    "query": "mutation($m: String!) { ingestEpisode(markdown: $m) { outcome } }",
                    "variables": {"m": document.read_text()},
                },
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            ).json()
            assert answer["data"]["ingestEpisode"]["outcome"] == "added", answer

        heard, stored = heard_while(base, "websocket", ingest)
    assert said(heard) == said(stored)
    assert {claim["source"]["episode"]["title"] for claim in heard} == {
        "Low-Dose Naltrexone: Hype, Hope, or Homerun? | Sean Mackey, M.D., Ph.D."
    }


@pytest.mark.parametrize("transport", ["websocket", "sse"])
def test_a_subscriber_hears_claimdex_ingest_in_another_process(
    engine: Engine,
    transport: str,
    tmp_path: Path,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite through Redis pub/sub; PostgreSQL through LISTEN/NOTIFY (no Redis set)."""
    database = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        monkeypatch.setenv("CLAIMDEX_REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("CLAIMDEX_REDIS_URL", raising=False)
    document = unique_seed(tmp_path)
    with served(tmp_path, database=database) as (_, base):

        def ingest() -> None:
            done = cli("ingest", str(document), cwd=tmp_path, database=database)
            assert done.returncode == 0, done.stderr
            # Stored already, so not announced again.
            again = cli("ingest", str(document), cwd=tmp_path, database=database)
            assert again.stdout.startswith("unchanged"), again.stdout

        heard, stored = heard_while(base, transport, ingest)
    assert said(heard) == said(stored)


def test_subscribers_past_the_limit_are_refused_with_the_setting_named(tmp_path: Path) -> None:
    async def run(base: str) -> dict[str, Any]:
        first = over_websocket(base, SUBSCRIPTION)
        assert await anext(first) == {}
        await asyncio.sleep(0.5)
        second = over_websocket(base, SUBSCRIPTION)
        assert await anext(second) == {}
        refused = await asyncio.wait_for(anext(second), 10)
        await first.aclose()
        await second.aclose()
        return refused

    with served(tmp_path, environment={"CLAIMDEX_MAX_SUBSCRIBERS": "1"}) as (_, base):
        refused = asyncio.run(run(base))
    (error,) = refused["errors"]
    assert "CLAIMDEX_MAX_SUBSCRIBERS" in error["message"], refused


def test_an_idle_websocket_is_closed_and_one_with_a_subscription_is_kept(tmp_path: Path) -> None:
    async def run(base: str) -> tuple[int | None, str]:
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as idle:
            await idle.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await idle.recv())["type"] == "connection_ack"
            listening = over_websocket(base, SUBSCRIPTION)
            assert await anext(listening) == {}
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(idle.recv(), 10)
            # The subscriber, quiet as long, is still open: waiting on it times out rather than
            # ending with the socket closed.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(anext(listening), 1.5)
            await listening.aclose()
        return closed.value.rcvd.code if closed.value.rcvd else None, (
            closed.value.rcvd.reason if closed.value.rcvd else ""
        )

    environment = {"CLAIMDEX_SUBSCRIPTION_IDLE_SECONDS": "1"}
    with served(tmp_path, environment=environment) as (_, base):
        code, reason = asyncio.run(run(base))
    assert code == 4408
    assert "CLAIMDEX_SUBSCRIPTION_IDLE_SECONDS" in reason


def test_opening_websockets_spends_the_rate_limit(tmp_path: Path) -> None:
    async def run(base: str) -> list[str]:
        url = base.replace("http://", "ws://") + "/graphql"
        outcomes = []
        for _ in range(4):
            try:
                async with websockets.connect(url, subprotocols=["graphql-transport-ws"]):
                    outcomes.append("opened")
            except websockets.InvalidStatus as refused:
                outcomes.append(str(refused.response.status_code))
        return outcomes

    # Starting the server spends some of the budget on its health check.
    with served(tmp_path, environment={"CLAIMDEX_RATE_LIMIT": "3"}) as (_, base):
        outcomes = asyncio.run(run(base))
    assert outcomes[0] == "opened"
    refused = outcomes.index("403")
    assert outcomes[refused:] == ["403"] * (len(outcomes) - refused)
