"""Schema-driven fuzzing of both APIs with schemathesis: no 5xx, no answer outside the schema."""

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from db import migrate
from db.engine import make_engine, session_factory
from db.ingestion import ingest_file
from ingest import lexicon
from tests.conftest import SEED

# schemathesis needs the app when the module is collected, before any fixture runs: the
# folder is made here and removed when the test process ends. Building the app touches no
# database, so collecting stays quick; the database is filled before the first fuzzed request.
FOLDER = Path(tempfile.mkdtemp(prefix="claimdex-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
ENGINE = make_engine(f"sqlite:///{FOLDER / 'fuzz.db'}")
# No rate limit: the fuzzer sends hundreds of requests in a few seconds.
APP = create_app(ENGINE, settings=Settings(rate_per_minute=0))


@pytest.fixture(scope="module", autouse=True)
def seeded_once(names: lexicon.Lexicon) -> None:
    migrate.upgrade(ENGINE)
    ingest_file(sessions=session_factory(ENGINE), path=SEED, names=names)


rest = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
graphql = schemathesis.graphql.from_asgi("/graphql", APP)
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@rest.parametrize()
@BOUNDED
def test_rest_answers_within_its_schema(case: schemathesis.Case[Any]) -> None:
    # Every check but one: a cursor is any string to the schema but only ours to the server,
    # so schema-valid requests may rightly be refused (with a 400 the schema declares).
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


@graphql.parametrize()
@BOUNDED
def test_graphql_never_fails_on_the_server(case: schemathesis.Case[Any]) -> None:
    # A GraphQL error (a page too large, an unknown name) is the client's answer, not the
    # server failing: what must never happen is a 5xx or a body that is not a GraphQL result.
    response = case.call()
    assert response.status_code < 500, response.text
    assert response.headers["content-type"][0].startswith("application/json")
    body = response.json()
    assert "data" in body or "errors" in body
    assert "Traceback" not in response.text
