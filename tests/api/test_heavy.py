"""Large answers built in a worker process (api/heavy.py): the same answer, errors of the same
kind, what counts as large, and a worker that dies replaced."""

import asyncio
import os
import signal
import time
from typing import Any

import httpx
import pytest
from graphql import parse
from prometheus_client import REGISTRY
from sqlalchemy import Engine, make_url

from api import limits
from api.app import create_app
from api.heavy import Heavy, Offloaded, Request, _error
from api.schema import is_client_error, schema
from api.settings import Settings
from db.engine import in_memory
from tests.conftest import running

EPISODES = """query Episodes($n: Int) {
  episodes(first: $n) { nodes { title segments { seconds text url } } }
}"""
WHOLE = '{ medication(name: "LDN") { name aliases dosages { value unit source { url } } } }'
# Asked of both apps, with every query counted as heavy by one of them.
QUERIES: list[tuple[str, dict[str, Any] | None]] = [
    (EPISODES, {"n": 3}),
    (WHOLE, None),
    ('{ search(query: "naltrexone", first: 5) { nodes { snippet source { url } } } }', None),
    ('{ medication(name: "no such drug at all") { name aliases } }', None),
    # A client's error raised in the worker: a list longer than CLAIMDEX_MAX_LIST.
    ("{ medications { name dosages { value } } }", None),
    # A bad variable, refused before anything runs.
    (EPISODES, {"n": "three"}),
]


def offloaded() -> float:
    return REGISTRY.get_sample_value("claimdex_graphql_offloaded_total") or 0.0


def answers(
    engine: Engine, settings: Settings, queries: list[tuple[str, dict[str, Any] | None]]
) -> list[Any]:
    """The JSON bodies of an app over `engine` to `queries`, asked in order while it runs."""
    app = create_app(engine, settings=settings)

    async def send() -> list[Any]:
        async with running([app]):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return [
                    (await client.post("/graphql", json={"query": q, "variables": v})).json()
                    for q, v in queries
                ]

    return asyncio.run(send())


def test_an_answer_from_a_worker_is_the_answer_from_the_server(shared_engine: Engine) -> None:
    common = {"rate_per_minute": 0, "max_list": 20}
    here = answers(shared_engine, Settings(heavy_workers=0, **common), QUERIES)
    before = offloaded()
    away = answers(shared_engine, Settings(heavy_workers=1, heavy_values=1, **common), QUERIES)
    assert away == here
    # Every query but the one refused before execution went to the worker.
    assert offloaded() - before == len(QUERIES) - 1
    assert here[0]["data"]["episodes"]["nodes"][0]["segments"]
    assert here[2]["data"]["search"]["nodes"]
    assert here[2]["data"]["search"]["nodes"]
    assert "more than 20 items (CLAIMDEX_MAX_LIST)" in here[4]["errors"][0]["message"]


def test_only_large_answers_go_to_a_worker(shared_engine: Engine) -> None:
    before = offloaded()
    settings = Settings(heavy_workers=1, heavy_values=2000, rate_per_minute=0)
    found = answers(shared_engine, settings, [(EPISODES, {"n": 2}), (EPISODES, {"n": 100})])
    assert all(body["data"]["episodes"]["nodes"] for body in found)
    assert offloaded() - before == 1  # a hundred episodes' segments, not two


def test_each_operation_of_a_batch_goes_as_itself(shared_engine: Engine) -> None:
    settings = Settings(heavy_workers=1, heavy_values=1, rate_per_minute=0)
    app = create_app(shared_engine, settings=settings)
    batch = [{"query": EPISODES, "variables": {"n": n}} for n in (1, 2, 3)]

    async def send() -> Any:
        async with running([app]):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return (await client.post("/graphql", json=batch)).json()

    found = asyncio.run(send())
    assert [len(body["data"]["episodes"]["nodes"]) for body in found] == [1, 2, 3]


def values(document: str, variables: dict[str, Any] | None = None) -> int:
    parsed = parse(document)
    operation = parsed.definitions[0]
    fragments = {
        definition.name.value: definition
        for definition in parsed.definitions[1:]
        if hasattr(definition, "type_condition")
    }
    found = limits.Operation(schema._schema, fragments, variables or {})
    return limits.values(found, operation, limits.LIST_ITEMS)  # type: ignore[arg-type]


def test_the_count_of_values_follows_pages_lists_and_fields() -> None:
    # 100 episodes and their titles, 10 segments each counted with their 3 fields.
    assert values(EPISODES, {"n": 100}) == 100 + 100 + 1000 + 3000
    assert values(EPISODES, {"n": 2}) == 2 + 2 + 20 + 60
    assert values(EPISODES) == values(EPISODES, {"n": 100})  # unknown: the largest page
    # Fragments count where they are spread.
    spread = (
        "query { episodes(first: 4) { nodes { ...Parts } } } "
        "fragment Parts on Episode { title segments { text } }"
    )
    assert values(spread) == 4 + 4 + 40 + 40
    assert values("{ __typename }") == 0


def test_a_worker_error_keeps_whose_fault_it_was() -> None:
    found = {"message": "boom", "path": ["episodes"], "extensions": None}
    theirs = _error(found | {"client": True, "locations": [{"line": 1, "column": 3}]})
    assert is_client_error(theirs)
    assert theirs.formatted["locations"] == [{"line": 1, "column": 3}]
    ours = _error(found | {"client": False, "locations": []})
    assert isinstance(ours.original_error, Offloaded)
    assert not is_client_error(ours)


def test_a_worker_that_died_is_replaced(shared_engine: Engine) -> None:
    url = shared_engine.url.render_as_string(hide_password=False)
    heavy = Heavy(Settings(heavy_workers=1), url)
    request = Request(EPISODES, {"n": 1}, "Episodes", authorized=False)
    try:
        first = asyncio.run(heavy.answer(request))
        assert first.data is not None
        pool = heavy._pool
        assert pool is not None
        for pid in list(pool._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not pool._broken and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        again = asyncio.run(heavy.answer(request))
        assert again.data == first.data
    finally:
        heavy.close()


@pytest.mark.parametrize(
    ("url", "memory"),
    [
        ("sqlite://", True),
        ("sqlite:///file:claims?mode=memory&uri=true", True),
        ("sqlite:///claims.db", False),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", False),
    ],
)
def test_a_database_in_memory_keeps_answers_in_process(url: str, memory: bool) -> None:
    assert in_memory(make_url(url)) is memory
