"""Hostile queries, production mode, protected writes, trusted documents, request limits."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from api.trusted import digest
from db import queries
from tests.api.test_graphql import DOSING_ADVICE
from tests.conftest import SEED, get, gold_documents, post_graphql, send_graphql

TOKEN = "s3cret-token-for-tests"


def request(app: Starlette, method: str, path: str, **options: Any) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **options)

    return asyncio.run(send())


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return queries.counts(session=session)


@pytest.fixture
def app(shared_engine: Engine) -> Starlette:
    return create_app(shared_engine, settings=Settings(api_tokens=(TOKEN,)))


@pytest.fixture
def writable(engine: Engine, fresh_seeded: sessionmaker[Session]) -> Starlette:
    """The same app on a database of the test's own, for the tests that write or try to."""
    return create_app(engine, settings=Settings(api_tokens=(TOKEN,)))


def error_of(app: Starlette, query: str) -> str:
    body = send_graphql(app, query)
    assert body.get("data") is None, body
    return str(body["errors"][0]["message"])


def test_the_headline_query_passes_every_limit(app: Starlette) -> None:
    assert post_graphql(app, DOSING_ADVICE, {"name": "LDN"})["medication"]["name"] == "naltrexone"


EPISODE_LISTS = "source { episode { segments { text } quotes { text } summary { text } } }"

REFUSED = [
    pytest.param(
        # Eleven levels: medication dosages source episode quotes source episode summary
        # source episode segments.
        '{ medication(name: "LDN") { dosages { source { episode { quotes { source { episode '
        "{ summary { source { episode { segments { text } } } } } } } } } } } }",
        "exceeds maximum operation depth",
        id="depth-over-ten",
    ),
    pytest.param(
        "{ " + " ".join(f"a{i}: medications {{ name }}" for i in range(16)) + " }",
        "aliases",
        id="sixteen-aliases",
    ),
    pytest.param(
        "{ medications { " + " ".join(["name"] * 3000) + " } }",
        "token",
        id="three-thousand-tokens",
    ),
    pytest.param(
        "{ episodes(first: 1000) { totalCount } }",
        "first: 1000 is out of range",
        id="a-thousand-a-page",
    ),
    pytest.param(
        "{ episodes(first: 100) { nodes { dosages { source { episode { segments { text } "
        "quotes { text } dosages { value } warnings { text } } } } } } }",
        "CLAIMDEX_MAX_COST",
        id="cost-bomb",
    ),
    pytest.param(
        "{ "
        + " ".join(
            f"a{i}: medications {{ dosages {{ value }} mentions {{ text }} warnings {{ text }} }}"
            for i in range(15)
        )
        + " }",
        "CLAIMDEX_MAX_COST",
        id="fifteen-aliased-whole-corpus-lists",
    ),
    pytest.param(
        # Lists under an interface's fields count: two claims a pair, a hundred pairs a page.
        '{ medication(name: "LDN") { '
        + " ".join(
            f"{alias}: disagreements(first: 100) "
            f"{{ a {{ {EPISODE_LISTS} }} b {{ {EPISODE_LISTS} }} }}"
            for alias in ("x", "y")
        )
        + " } }",
        "CLAIMDEX_MAX_COST",
        id="lists-under-an-interface",
    ),
    pytest.param(
        # And so do those in a fragment on one type of it: "... on Medication" under node.
        "{ "
        + " ".join(
            f'n{i}: node(id: "TWVkaWNhdGlvbjox") {{ ... on Medication {{ dosages(first: 100) '
            "{ source { episode { segments { text } } } } } }"
            for i in range(10)
        )
        + " }",
        "CLAIMDEX_MAX_COST",
        id="lists-in-a-fragment-on-a-type",
    ),
    pytest.param(
        # A named fragment's lists count wherever it is spread.
        "{ episodes(first: 100) { nodes { ...Claims } } } "
        "fragment Claims on Episode { dosages { source { episode { segments { text } } } } }",
        "CLAIMDEX_MAX_COST",
        id="lists-in-a-named-fragment",
    ),
]


@pytest.mark.parametrize(("query", "reason"), REFUSED)
def test_a_query_over_a_limit_is_refused_naming_it(app: Starlette, query: str, reason: str) -> None:
    assert reason.lower() in error_of(app, query).lower()


def test_an_unpaged_list_counts_as_the_longest_list_answered_whole(
    app: Starlette, shared_engine: Engine
) -> None:
    # Three claim lists of one medication: 3 x 1,000 passes; with CLAIMDEX_MAX_LIST at
    # 5,000 the same document may return 15,000 items, over the cost limit.
    assert post_graphql(app, DOSING_ADVICE, {"name": "LDN"})["medication"]["dosages"]
    long_lists = create_app(shared_engine, settings=Settings(max_list=5000))
    assert "CLAIMDEX_MAX_COST" in error_of(
        long_lists,
        '{ medication(name: "LDN") { dosages { value } mentions { text } warnings { text } } }',
    )
    paged = '{ medication(name: "LDN") { dosages(first: 5) { value } mentions(first: 5) { text } }'
    assert post_graphql(long_lists, paged + " }")["medication"]["dosages"]


def test_a_list_longer_than_max_list_is_refused_with_the_way_to_page(
    app: Starlette, shared_engine: Engine
) -> None:
    short = create_app(shared_engine, settings=Settings(max_list=3))
    body = send_graphql(short, '{ medication(name: "LDN") { name dosages { value } } }')
    message = body["errors"][0]["message"]
    assert "dosages of a medication: more than 3 items (CLAIMDEX_MAX_LIST)" in message
    assert "first and after" in message
    paged = post_graphql(short, '{ medication(name: "LDN") { dosages(first: 3) { value } } }')
    assert len(paged["medication"]["dosages"]) == 3
    message = send_graphql(short, "{ medications { name } }")["errors"][0]["message"]
    assert "medications: more than 3 items" in message and "medicationStats" in message
    whole = create_app(shared_engine, settings=Settings(max_list=8))
    dosages = post_graphql(whole, '{ medication(name: "LDN") { dosages { value } } }')
    assert len(dosages["medication"]["dosages"]) == 8  # the seed's, exactly the limit


def test_five_hundred_duplicate_fields_are_refused(app: Starlette, shared_engine: Engine) -> None:
    query = "{ medications { " + " ".join(["name"] * 500) + " } }"
    # The token limit would refuse this first; the duplicate rule must hold on its own.
    wide = create_app(shared_engine, settings=Settings(max_tokens=100_000))
    assert "CLAIMDEX_MAX_DUPLICATE_FIELDS" in error_of(wide, query)


def test_piled_up_directives_are_refused(app: Starlette) -> None:
    fields = ["name", "aliases", "id", "mentions { text", "confidence }", "dosages { value",
              "unit", "text }", "warnings { text", "kind }"]  # fmt: skip
    directive = "@include(if: true)"
    body = " ".join(
        f"{field.split()[0]} {directive} {' '.join(field.split()[1:])}" for field in fields
    )
    query = f'{{ medication(name: "LDN") {directive} {{ {body} }} }}'
    assert "CLAIMDEX_MAX_DIRECTIVES" in error_of(app, query)


def test_batches_are_limited(app: Starlette) -> None:
    batch = [{"query": "{ medications { name } }"}] * 6
    assert request(app, "POST", "/graphql", json=batch).status_code == 400
    small = request(app, "POST", "/graphql", json=batch[:2])
    assert small.status_code == 200 and len(small.json()) == 2


def test_mutations_never_over_get(app: Starlette) -> None:
    response = request(
        app, "GET", "/graphql", params={"query": 'mutation { deleteEpisode(id: "RXBpc29kZTox") }'}
    )
    assert response.status_code in (400, 405)
    assert counts_unchanged(app)


def counts_unchanged(app: Starlette) -> bool:
    total: int = post_graphql(app, "{ episodes { totalCount } }")["episodes"]["totalCount"]
    return total == len(gold_documents())


def test_only_json_is_accepted_over_post(app: Starlette) -> None:
    response = request(
        app,
        "POST",
        "/graphql",
        content="query={medications{name}}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


@pytest.fixture
def production(shared_engine: Engine) -> Starlette:
    return create_app(
        shared_engine, settings=Settings(production=True, introspection=False, graphiql=False)
    )


def test_production_refuses_introspection(production: Starlette) -> None:
    assert "introspection" in error_of(production, "{ __schema { types { name } } }").lower()


def test_production_hides_suggestions_and_graphiql(production: Starlette) -> None:
    body = send_graphql(production, "{ medicatons { name } }")
    assert "Did you mean" not in json.dumps(body)
    page = get(production, "/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()


def test_production_masks_server_errors(
    production: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError(f"could not open {SEED} at line 3")

    monkeypatch.setattr(queries, "medications", broken)
    body = send_graphql(production, "{ medications { name } }")
    text = json.dumps(body)
    assert body["errors"][0]["message"].startswith("Internal error")
    assert "Traceback" not in text and str(SEED.parent) not in text and ".py" not in text
    # A client's own mistake is still explained.
    assert "min:" in error_of(production, '{ dosages(min: "4 parsecs") { totalCount } }')


def test_writes_need_a_token(writable: Starlette, fresh_seeded: sessionmaker[Session]) -> None:
    before = counts(fresh_seeded)
    mutation = 'mutation { deleteEpisode(id: "RXBpc29kZTox") }'
    assert "token is required" in error_of(writable, mutation)
    body = {"query": 'mutation ($m: String!) { ingestEpisode(markdown: $m) { outcome } }',
            "variables": {"m": SEED.read_text()}}  # fmt: skip
    wrong = request(
        writable, "POST", "/graphql", json=body, headers={"Authorization": "Bearer nope"}
    )
    assert "token is required" in wrong.json()["errors"][0]["message"]
    rest = request(writable, "DELETE", "/api/v1/episodes/RXBpc29kZTox")
    assert rest.status_code == 401 and rest.json()["error"]["code"] == "unauthorized"
    posted = request(writable, "POST", "/api/v1/episodes", content=SEED.read_text())
    assert posted.status_code == 401
    assert counts(fresh_seeded) == before


def test_writes_with_a_token(writable: Starlette) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    listing = post_graphql(writable, "{ episodes(first: 100) { nodes { id channel } } }")
    seed = next(n for n in listing["episodes"]["nodes"] if n["channel"] == "Peter Attia MD")
    deleted = request(
        writable, "POST", "/graphql", headers=auth,
        json={"query": f'mutation {{ deleteEpisode(id: "{seed["id"]}") }}'},
    )  # fmt: skip
    assert deleted.json()["data"] == {"deleteEpisode": True}
    assert post_graphql(writable, DOSING_ADVICE, {"name": "LDN"})["medication"]["dosages"] == []
    body = {
        "query": "mutation ($m: String!) "
        "{ ingestEpisode(markdown: $m) { outcome episode { title } } }",
        "variables": {"m": SEED.read_text()},
    }
    added = request(writable, "POST", "/graphql", json=body, headers=auth).json()
    assert added["data"]["ingestEpisode"]["outcome"] == "added", added
    again = request(writable, "POST", "/api/v1/episodes", content=SEED.read_text(), headers=auth)
    assert again.status_code == 200 and again.json()["data"]["outcome"] == "unchanged"
    broken = request(writable, "POST", "/api/v1/episodes", content="# Title only", headers=auth)
    assert broken.status_code == 400 and "upload.md" in broken.json()["error"]["message"]
    gone = request(
        writable, "DELETE", f"/api/v1/episodes/{again.json()['data']['id']}", headers=auth
    )
    assert gone.status_code == 204


def test_trusted_documents_only(shared_engine: Engine, tmp_path: Path) -> None:
    allowed = "{ medications { name } }"
    listing = tmp_path / "trusted.json"
    listing.write_text(json.dumps({digest(allowed): allowed}))
    app = create_app(shared_engine, settings=Settings(trusted_documents=listing))
    assert post_graphql(app, allowed)["medications"]
    by_hash = request(
        app, "POST", "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(allowed)}}},
    )  # fmt: skip
    assert by_hash.status_code == 200 and by_hash.json()["data"]["medications"]
    other = request(app, "POST", "/graphql", json={"query": "{ episodes { totalCount } }"})
    assert other.status_code == 403 and "trusted" in other.text


def test_bodies_over_the_cap_are_refused(shared_engine: Engine) -> None:
    app = create_app(shared_engine, settings=Settings(max_body_bytes=1000))
    response = request(
        app, "POST", "/graphql", json={"query": "{ medications { name } }" + " " * 2000}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_a_client_over_the_rate_is_told_when_to_retry(shared_engine: Engine) -> None:
    app = create_app(shared_engine, settings=Settings(rate_per_minute=3))

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.get("/api/v1/medications") for _ in range(5)]

    statuses = asyncio.run(burst())
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    assert statuses[3].status_code == 429 and int(statuses[3].headers["retry-after"]) >= 1
