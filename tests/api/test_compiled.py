"""Compiled documents answer byte for byte as the general path does, on each database: every
trusted document, with variables that page, miss, misspell and go past the limits."""

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from sqlalchemy import Engine, event, select
from starlette.applications import Starlette

from api.app import DOSING_ADVICE, create_app
from api.compiled import FRONT_ENDS, NotCompiled, Plans, compile_operation, plans_for
from api.settings import Settings
from api.trusted import TrustedDocuments, digest
from bench.run import HEADLINE, WHOLE
from bench.serving import QUERY
from db import models
from db.engine import session_factory
from db.ingestion import ingest_file
from ingest import lexicon
from ingest.text import normalise
from tests.conftest import ACROSS, SEED, SPEAKERS

# Every field the compiler writes, through a fragment on an interface, an inline fragment,
# aliases and a field asked twice, with the page and cursor as variables.
PAGES = """query Pages($name: String!, $first: Int, $after: String, $warningsAfter: String) {
  __typename
  drug: medication(name: $name) {
    __typename id name aliases
    dosages(first: $first, after: $after) {
      __typename cursor value maxValue unit frequency perDay regimen indication {
        __typename id name code } ...said
      source { seconds }
    }
    mentions(first: $first) { text confidence matchedBy cursor source { text } }
    warnings(first: $first, after: $warningsAfter) { ... on Warning { kind } ...said cursor }
  }
}
fragment said on Claim {
  text stance speaker sponsored
  source { __typename seconds timestamp url text episode { __typename id title url } }
  ... on Dosage { amount: value }
}
query Named { medication(name: "LDN") { name } }
query Other { episodes(first: 1) { totalCount } }
"""
# The whole lists, paged by nothing: CLAIMDEX_MAX_LIST bounds them.
WHOLE_LISTS = """query Whole($name: String!) {
  medication(name: $name) { name dosages { value text } warnings { kind } mentions { text } }
}"""

ODD_FLOATS = [
    70.00000000000001,
    4.0,
    1e-05,
    1e16,
    0.1 + 0.2,
    123456789.125,
    -0.0,
    2.5e-310,
    1.0149365725783677e102,
    1.2508188647871849e247,
]
ODD_TEXT = 'caf\u00e9 \u2028 "quoted" back\\slash \x01 tab\t end'


def fill(engine: Engine, names: lexicon.Lexicon) -> None:
    """The seed, the episodes that disagree and the one with speakers and a sponsor read; a
    medication whose dosages hold awkward floats and text, and one with no claims at all."""
    sessions = session_factory(engine)
    for path in [SEED, *ACROSS, SPEAKERS]:
        ingest_file(sessions=sessions, path=path, names=names)
    with sessions.begin() as session:
        segment = session.scalars(select(models.Segment).order_by(models.Segment.id)).first()
        assert segment is not None
        for name in ("oddolol", "emptiol"):
            medication = models.Medication(name=name)
            session.add(medication)
            session.flush()
            session.add(models.Alias(key=normalise(name), name=name, medication_id=medication.id))
        odd = session.scalars(
            select(models.Medication).where(models.Medication.name == "oddolol")
        ).one()
        for number, value in enumerate(ODD_FLOATS):
            where = {"episode_id": segment.episode_id, "segment_id": segment.id}
            session.add(
                models.Dosage(
                    **where, medication_id=odd.id, text=f"{ODD_TEXT} {number}", value=value,
                    unit="mg", max_value=value * 3 if number % 2 else None, per_day=value / 3,
                )
            )  # fmt: skip
            session.add(
                models.Mention(
                    **where, medication_id=odd.id, text=ODD_TEXT, start=0, end=1,
                    confidence=value / 7, matched_by="EXACT",
                )
            )  # fmt: skip


@pytest.fixture
def database(engine: Engine, names: lexicon.Lexicon) -> Engine:
    fill(engine, names)
    return engine


class Counted:
    """The statements an engine runs to read, time limits left out."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Reads alone: on PostgreSQL each read also sets its time limit.
        self.count += "set_config" not in statement


def post(app: Starlette, body: dict[str, Any]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json=body)

    return asyncio.run(send())


def listing(folder: Path, *documents: str) -> Path:
    path = folder / "trusted.json"
    path.write_text(json.dumps({digest(text): text for text in documents}))
    return path


def both_ways(
    engine: Engine, folder: Path, **settings: Any
) -> Iterator[tuple[Starlette, Starlette]]:
    front_ends = TrustedDocuments.load(FRONT_ENDS).documents.values()
    trusted = listing(folder, PAGES, WHOLE_LISTS, *front_ends)
    made = {
        compiled: create_app(
            engine,
            settings=Settings(
                rate_per_minute=0,
                trusted_documents=trusted,
                compiled_documents=compiled,
                **settings,
            ),
        )
        for compiled in (True, False)
    }
    yield made[True], made[False]


def same_bytes(
    engine: Engine, compiled: Starlette, general: Starlette, body: dict[str, Any]
) -> tuple[Any, int]:
    """The answer, when both apps give the same bytes and status; and the statements the
    compiled one ran."""
    counted = Counted(engine)
    fast = post(compiled, body)
    statements = counted.count
    slow = post(general, body)
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content), body
    assert fast.headers.get("etag") == slow.headers.get("etag")
    event.remove(engine, "before_cursor_execute", counted._seen)
    return fast.json(), statements


def front_end_operations() -> list[tuple[str, str | None]]:
    found = []
    for document in TrustedDocuments.load(FRONT_ENDS).documents.values():
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode):
                found.append((document, definition.name.value if definition.name else None))
    return found


NAMES = ["LDN", "naltrexone", "Vivitrol", "magnesium", "oddolol", "emptiol", "naltrxone", "parsecs"]


def test_every_front_end_document_answers_the_same_both_ways(
    database: Engine, tmp_path: Path
) -> None:
    compiled, general = next(both_ways(database, tmp_path))
    ran: dict[str, int] = {}
    for document, operation in front_end_operations():
        variables: list[dict[str, Any]] = [{"name": name} for name in NAMES]
        if operation in ("Quotes",):
            variables = [{"first": 1}, {"first": 100}]
        if operation in ("Search",):
            variables = [{"query": "naltrexone"}, {"query": "nothing matches this"}]
        for given in variables:
            body = {"query": document, "variables": given, "operationName": operation}
            answer, statements = same_bytes(database, compiled, general, body)
            assert "errors" not in answer, answer
            ran[f"{operation} {given}"] = statements
    # A name an alias spells exactly runs one statement; a misspelling or an unknown name
    # goes the general way (it looks further, or answers null).
    headline = next(d for d, o in front_end_operations() if "mentions(first: 20)" in d)
    body = {"query": headline, "variables": {"name": "LDN"}}
    assert same_bytes(database, compiled, general, body)[1] == 1
    body = {"query": headline, "variables": {"name": "naltrxone"}}
    answer, statements = same_bytes(database, compiled, general, body)
    assert statements > 1 and answer["data"]["medication"]["name"] == "naltrexone"
    body = {"query": headline, "variables": {"name": "emptiol"}}
    answer, statements = same_bytes(database, compiled, general, body)
    assert statements == 1
    assert answer["data"]["medication"] == {
        "name": "emptiol", "aliases": ["emptiol"], "mentions": [], "dosages": [], "warnings": []
    }  # fmt: skip


def test_pages_cursors_and_odd_values_answer_the_same_both_ways(
    database: Engine, tmp_path: Path
) -> None:
    compiled, general = next(both_ways(database, tmp_path))
    for name in ["LDN", "oddolol", "emptiol", "magnesium"]:
        after: str | None = None
        pages = 0
        while True:
            given = {"name": name, "first": 2, "after": after}
            answer, statements = same_bytes(
                database, compiled, general, {"query": PAGES, "variables": given}
            )
            assert statements == 1, given
            dosages = answer["data"]["drug"]["dosages"]
            pages += 1
            if not dosages or pages > 30:
                break
            after = dosages[-1]["cursor"]
        assert pages > 1 or name == "emptiol"
    odd = same_bytes(
        database, compiled, general,
        {"query": PAGES, "variables": {"name": "oddolol", "first": 100}},
    )[0]["data"]["drug"]  # fmt: skip
    assert [d["value"] for d in odd["dosages"]] == ODD_FLOATS
    assert odd["dosages"][0]["text"].startswith(ODD_TEXT)
    # The general path answers whatever would be an error or a null, byte for byte.
    mention = post(compiled, {"query": PAGES, "variables": {"name": "LDN", "first": 1}}).json()
    wrong_list = mention["data"]["drug"]["mentions"][0]["cursor"]
    for given in [
        {"name": "LDN", "first": 101},
        {"name": "LDN", "first": -1},
        {"name": "LDN", "first": 2, "after": "not-a-cursor"},
        {"name": "LDN", "first": 2, "after": wrong_list},
        {"name": "LDN", "first": 2, "warningsAfter": "WyJ3YXJuaW5nIiwxXQ"},
        {"name": "parsecs", "first": 2},
        {"name": "", "first": 2},
        {"name": "LDN", "first": 0},
        {"name": "LDN"},
    ]:
        same_bytes(database, compiled, general, {"query": PAGES, "variables": given})
    # The other operations of the document: one compiled, one not.
    for operation in ("Named", "Other"):
        body = {"query": PAGES, "operationName": operation}
        statements = same_bytes(database, compiled, general, body)[1]
        assert (statements == 1) == (operation == "Named")


def test_a_list_over_the_limit_is_refused_the_same_both_ways(
    database: Engine, tmp_path: Path
) -> None:
    compiled, general = next(both_ways(database, tmp_path, max_list=len(ODD_FLOATS)))
    for name in ["LDN", "emptiol", "oddolol"]:
        body = {"query": WHOLE_LISTS, "variables": {"name": name}}
        answer, statements = same_bytes(database, compiled, general, body)
        if name == "LDN":
            assert "CLAIMDEX_MAX_LIST" in answer["errors"][0]["message"]
        else:
            assert statements == 1 and "errors" not in answer


def test_without_a_trusted_list_the_front_ends_documents_alone_are_compiled(
    database: Engine,
) -> None:
    app = create_app(database, settings=Settings(rate_per_minute=0))
    headline = next(d for d, o in front_end_operations() if "mentions(first: 20)" in d)
    for document, compiled in [(headline, True), (WHOLE_LISTS, False), (headline + " ", False)]:
        counted = Counted(database)
        answer = post(app, {"query": document, "variables": {"name": "LDN"}}).json()
        assert answer["data"]["medication"]["name"] == "naltrexone"
        assert (counted.count == 1) == compiled
        event.remove(database, "before_cursor_execute", counted._seen)


def test_what_compiles_and_what_does_not() -> None:
    plans = plans_for(None)
    skipped = {name: reason for (_, name), reason in plans.skipped.items()}
    # The web page's DosingAdvice asks for figures computed across episodes.
    assert skipped == {
        "DosingAdvice": "Medication.acrossEpisodes",
        "Quotes": "root fields other than one medication(name:)",
        "Search": "root fields other than one medication(name:)",
    }
    assert len(plans.plans) == 3  # GraphiQL's query, the headline page and whole answer
    for document, reason in [
        ('{ medication(name: "x") { name @include(if: true) } }', "a directive"),
        ('{ medication(name: "x") { dosages { perDay source { segments } } } }', "Source"),
        ("mutation { deleteEpisode(id: 1) }", "a mutation"),
    ]:
        operation = parse(document).definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        with pytest.raises(NotCompiled, match=reason):
            compile_operation(operation, {})
    anonymous = Plans()
    anonymous.add('{ medication(name: "LDN") { name } }')
    assert list(anonymous.plans.values())[0].keys() == {None}


def test_the_front_ends_documents_are_those_they_send() -> None:
    """trusted-documents.json holds the web page's queries, GraphiQL's first query and the
    headline query the benchmarks send, each as its sender writes it."""
    listed = set(TrustedDocuments.load(FRONT_ENDS).documents.values())
    script = (Path(__file__).resolve().parents[2] / "api" / "static" / "app.js").read_text()
    page = re.findall(r"^const (?:ADVICE|QUOTES|SEARCH) = `(.*?)`;", script, re.S | re.M)
    assert len(page) == 3
    assert listed == {*page, DOSING_ADVICE, HEADLINE, WHOLE, QUERY}
