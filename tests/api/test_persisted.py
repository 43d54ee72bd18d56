"""Automatic persisted queries over POST and GET, the bounded store in memory and in Redis,
and trusted documents in production: over HTTP, server-sent events and WebSockets."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.app import create_app
from api.persisted import Documents, RedisStore, Refused
from api.settings import Settings
from api.trusted import digest
from bench.serving import served
from tests.api.test_graphql import DOSING_ADVICE
from tests.api.test_subscriptions import SUBSCRIPTION

# What runs a document does not depend on the database: the app runs on SQLite only.
SQLITE = pytest.mark.parametrize("shared_engine", ["sqlite"], indirect=True)

MEDICATIONS = "{ medications { name } }"
LDN = {"name": "LDN"}


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(document)}}


def with_client(app: Starlette, steps: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    """`steps` run against the real ASGI app, all in one event loop."""

    async def run() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await steps(client)

    return asyncio.run(run())


def code(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    return str(error["extensions"]["code"])


@SQLITE
def test_a_miss_then_the_document_with_its_hash_then_the_hash_alone(
    shared_engine: Engine,
) -> None:
    app = create_app(shared_engine, settings=Settings())

    async def steps(client: httpx.AsyncClient) -> list[httpx.Response]:
        by_hash = {"extensions": persisted(DOSING_ADVICE), "variables": LDN}
        miss = await client.post("/graphql", json=by_hash)
        stored = await client.post("/graphql", json={**by_hash, "query": DOSING_ADVICE})
        hit = await client.post("/graphql", json=by_hash)
        return [miss, stored, hit]

    miss, stored, hit = with_client(app, steps)
    assert miss.status_code == 200 and code(miss) == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert "no-cache" in miss.headers["cache-control"]
    assert stored.json()["data"]["medication"]["name"] == "naltrexone"
    assert hit.json() == stored.json()


@SQLITE
def test_a_hash_alone_over_get_is_cached_with_an_etag(shared_engine: Engine) -> None:
    app = create_app(shared_engine, settings=Settings())
    params = {
        "extensions": json.dumps(persisted(DOSING_ADVICE)),
        "variables": json.dumps(LDN),
        "operationName": "DosingAdvice",
    }

    async def steps(client: httpx.AsyncClient) -> list[httpx.Response]:
        miss = await client.get("/graphql", params=params)
        await client.post(
            "/graphql",
            json={"query": DOSING_ADVICE, "variables": LDN, "extensions": persisted(DOSING_ADVICE)},
        )
        hit = await client.get("/graphql", params=params)
        again = await client.get(
            "/graphql", params=params, headers={"If-None-Match": hit.headers["etag"]}
        )
        return [miss, hit, again]

    miss, hit, again = with_client(app, steps)
    assert code(miss) == "PERSISTED_QUERY_NOT_FOUND" and "public" not in miss.headers.get(
        "cache-control", ""
    )
    assert hit.status_code == 200 and hit.json()["data"]["medication"]["name"] == "naltrexone"
    assert hit.headers["etag"] and "public" in hit.headers["cache-control"]
    assert again.status_code == 304 and again.content == b""


@SQLITE
def test_a_hash_that_is_not_the_querys_is_refused_and_nothing_is_stored(
    shared_engine: Engine,
) -> None:
    app = create_app(shared_engine, settings=Settings())
    wrong = persisted(MEDICATIONS)

    async def steps(client: httpx.AsyncClient) -> list[httpx.Response]:
        mismatch = await client.post(
            "/graphql", json={"query": DOSING_ADVICE, "variables": LDN, "extensions": wrong}
        )
        after = await client.post("/graphql", json={"extensions": wrong})
        return [mismatch, after]

    mismatch, after = with_client(app, steps)
    assert mismatch.status_code == 400 and code(mismatch) == "PERSISTED_QUERY_HASH_MISMATCH"
    message = mismatch.json()["errors"][0]["message"]
    assert digest(MEDICATIONS) in message and digest(DOSING_ADVICE) in message
    assert code(after) == "PERSISTED_QUERY_NOT_FOUND"


@SQLITE
@pytest.mark.parametrize(
    ("extension", "named"),
    [
        ({"version": 2, "sha256Hash": digest(MEDICATIONS)}, "version is 2"),
        ({"version": 1, "sha256Hash": "abc"}, "64 hex digits"),
        ("abc", "must be an object"),
    ],
)
def test_a_malformed_persisted_query_extension_is_named(
    shared_engine: Engine, extension: Any, named: str
) -> None:
    app = create_app(shared_engine, settings=Settings())
    body = {"query": MEDICATIONS, "extensions": {"persistedQuery": extension}}
    response = with_client(app, lambda client: client.post("/graphql", json=body))
    assert response.status_code == 400 and code(response) == "PERSISTED_QUERY_INVALID"
    assert named in response.json()["errors"][0]["message"]


@SQLITE
def test_the_store_keeps_the_documents_used_last(shared_engine: Engine) -> None:
    app = create_app(shared_engine, settings=Settings(persisted_queries_max=2))
    first, second, third = (
        f"{{ medications {{ {field} }} }}" for field in ("name", "id", "aliases")
    )

    async def steps(client: httpx.AsyncClient) -> dict[str, str]:
        for document in (first, second):
            await client.post(
                "/graphql", json={"query": document, "extensions": persisted(document)}
            )
        # The first is used again: the second is now the one used longest ago.
        await client.post("/graphql", json={"extensions": persisted(first)})
        await client.post("/graphql", json={"query": third, "extensions": persisted(third)})
        answers = {}
        for name, document in (("first", first), ("second", second), ("third", third)):
            answer = await client.post("/graphql", json={"extensions": persisted(document)})
            answers[name] = code(answer) if "errors" in answer.json() else "hit"
        return answers

    assert with_client(app, steps) == {
        "first": "hit",
        "second": "PERSISTED_QUERY_NOT_FOUND",
        "third": "hit",
    }


def trusted_listing(folder: Path, *documents: str) -> Path:
    listing = folder / "trusted.json"
    listing.write_text(json.dumps({digest(document): document for document in documents}))
    return listing


@SQLITE
def test_production_runs_a_trusted_document_by_its_hash_and_stores_nothing_new(
    shared_engine: Engine, tmp_path: Path
) -> None:
    listing = trusted_listing(tmp_path, DOSING_ADVICE)
    app = create_app(shared_engine, settings=Settings(production=True, trusted_documents=listing))

    async def steps(client: httpx.AsyncClient) -> list[httpx.Response]:
        trusted = await client.get(
            "/graphql",
            params={
                "extensions": json.dumps(persisted(DOSING_ADVICE)),
                "variables": json.dumps(LDN),
            },
        )
        unknown = await client.post("/graphql", json={"extensions": persisted(MEDICATIONS)})
        register = await client.post(
            "/graphql", json={"query": MEDICATIONS, "extensions": persisted(MEDICATIONS)}
        )
        plain = await client.post("/graphql", json={"query": MEDICATIONS})
        return [trusted, unknown, register, plain]

    trusted, unknown, register, plain = with_client(app, steps)
    assert (
        trusted.status_code == 200 and trusted.json()["data"]["medication"]["name"] == "naltrexone"
    )
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert register.status_code == 403 and code(register) == "QUERY_NOT_IN_SAFELIST"
    assert "CLAIMDEX_TRUSTED_DOCUMENTS" in register.json()["errors"][0]["message"]
    assert plain.status_code == 403 and code(plain) == "QUERY_NOT_IN_SAFELIST"


@SQLITE
def test_production_without_trusted_documents_refuses_to_store_new_ones(
    shared_engine: Engine,
) -> None:
    app = create_app(shared_engine, settings=Settings(production=True))

    async def steps(client: httpx.AsyncClient) -> list[httpx.Response]:
        by_hash = await client.post("/graphql", json={"extensions": persisted(MEDICATIONS)})
        register = await client.post(
            "/graphql", json={"query": MEDICATIONS, "extensions": persisted(MEDICATIONS)}
        )
        plain = await client.post("/graphql", json={"query": MEDICATIONS})
        return [by_hash, register, plain]

    by_hash, register, plain = with_client(app, steps)
    # Apollo's clients then send whole documents, which still run.
    assert code(by_hash) == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert register.status_code == 403 and code(register) == "PERSISTED_QUERY_REGISTRATION_REFUSED"
    assert "CLAIMDEX_ENV=production" in register.json()["errors"][0]["message"]
    assert plain.json()["data"]["medications"]


async def _subscribe_over_websocket(base: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The first message a graphql-transport-ws subscribe gets within a second, else None."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        try:
            return dict(json.loads(await asyncio.wait_for(socket.recv(), 1)))
        except TimeoutError:
            return None


def _subscribe_over_sse(base: str, body: dict[str, Any]) -> tuple[int, str, str]:
    """The status, media type and first line of a server-sent-events subscription."""
    headers = {"Accept": "text/event-stream"}
    with httpx.stream("POST", f"{base}/graphql", json=body, headers=headers, timeout=5) as answer:
        first = "" if answer.status_code == 200 else answer.read().decode()
        return answer.status_code, answer.headers["content-type"], first


def test_production_holds_subscriptions_to_the_trusted_documents(tmp_path: Path) -> None:
    listing = trusted_listing(tmp_path, SUBSCRIPTION)
    other = SUBSCRIPTION.replace('"LDN"', '"metformin"')
    environment = {"CLAIMDEX_ENV": "production", "CLAIMDEX_TRUSTED_DOCUMENTS": str(listing)}
    with served(tmp_path, environment=environment) as (_, base):
        refused = asyncio.run(_subscribe_over_websocket(base, {"query": other}))
        by_hash = asyncio.run(
            _subscribe_over_websocket(base, {"extensions": persisted(SUBSCRIPTION)})
        )
        whole = asyncio.run(_subscribe_over_websocket(base, {"query": SUBSCRIPTION}))
        sse_refused = _subscribe_over_sse(base, {"query": other})
        sse_by_hash = _subscribe_over_sse(base, {"extensions": persisted(SUBSCRIPTION)})
    assert refused is not None and refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    # Subscribed: nothing is ingested, so nothing comes, and no error either.
    assert by_hash is None and whole is None
    status, _, text = sse_refused
    assert status == 403 and "QUERY_NOT_IN_SAFELIST" in text
    status, media_type, _ = sse_by_hash
    assert status == 200 and media_type.startswith("text/event-stream")


def test_workers_share_the_store_through_redis_within_its_bound(
    redis_url: str, redis_prefix: str
) -> None:
    documents = [f"{{ medications {{ {field} }} }}" for field in ("name", "id", "aliases")]

    async def run() -> list[str | None]:
        one, two = (RedisStore(redis_url, 2, prefix=redis_prefix) for _ in range(2))
        workers = [Documents(trusted=None, production=False, store=s) for s in (one, two)]
        try:
            for document in documents:
                await workers[0].resolve(document, persisted(document))
            found = []
            for document in documents:
                try:
                    found.append(await workers[1].resolve(None, persisted(document)))
                except Refused as refused:
                    found.append(refused.code)
            return found
        finally:
            await one.close()
            await two.close()

    assert asyncio.run(run()) == ["PERSISTED_QUERY_NOT_FOUND", documents[1], documents[2]]


def test_a_worker_keeps_its_own_store_while_redis_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def run() -> str | None:
        store = RedisStore("redis://127.0.0.1:1/0", 10)
        worker = Documents(trusted=None, production=False, store=store)
        try:
            await worker.resolve(MEDICATIONS, persisted(MEDICATIONS))
            return await worker.resolve(None, persisted(MEDICATIONS))
        finally:
            await store.close()

    with caplog.at_level(logging.WARNING, logger="api.persisted"):
        assert asyncio.run(run()) == MEDICATIONS
    (warning,) = [record.getMessage() for record in caplog.records]
    assert "Redis did not answer" in warning
