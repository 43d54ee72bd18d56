"""GraphQL over HTTP: the response media type a client asks for, the status and shape of a
request error under each, and graphql-http's audits against a live server."""

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.app import create_app
from api.media import GRAPHQL_RESPONSE, JSON, response_media_type
from tests.conftest import ROOT, serving

AUDIT = ROOT / "tests" / "audit"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/html", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"*/*, {GRAPHQL_RESPONSE};q=0.8", JSON),
        (f"{GRAPHQL_RESPONSE};q=0", JSON),
        (f"{GRAPHQL_RESPONSE};q=high", JSON),
    ],
)
def test_the_newer_media_type_when_named_at_least_as_highly(
    accept: str | None, media_type: str
) -> None:
    assert response_media_type(accept) == media_type


def post(app: Starlette, accept: str, body: dict[str, Any]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json=body, headers={"Accept": accept})

    return asyncio.run(send())


REQUEST_ERRORS = {
    "parse": {"query": "{ medication(name: "},
    "validation": {"query": "{ medicatons { name } }"},
    "variable coercion": {
        "query": "query ($name: String!) { medication(name: $name) { name } }",
        "variables": {"name": 4.5},
    },
}


@pytest.fixture
def app(engine: Engine) -> Starlette:
    return create_app(engine)


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
def test_a_request_error_is_400_without_data(app: Starlette, body: dict[str, Any]) -> None:
    response = post(app, GRAPHQL_RESPONSE, body)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert "Accept" in response.headers["vary"]
    answer = response.json()
    assert "data" not in answer and answer["errors"][0]["message"]


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
def test_a_json_client_still_gets_200_and_null_data(app: Starlette, body: dict[str, Any]) -> None:
    response = post(app, "application/json", body)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    answer = response.json()
    assert answer["data"] is None and answer["errors"][0]["message"]


def test_an_error_while_executing_keeps_its_data_and_200(app: Starlette) -> None:
    response = post(app, GRAPHQL_RESPONSE, {"query": "{ episodes(first: -1) { totalCount } }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    answer = response.json()
    assert answer["data"] is None and answer["errors"][0]["path"] == ["episodes"]


def test_an_answer_in_the_newer_media_type(app: Starlette) -> None:
    response = post(app, GRAPHQL_RESPONSE, {"query": "{ medications { name } }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"medications": []}}


def node_or_reason() -> str | None:
    if shutil.which("node") and shutil.which("npm"):
        return None
    reason = "no Node.js and npm installed (Debian: apt-get install nodejs npm)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI installs them in .ci/run")
    return reason


@pytest.fixture(scope="session")
def audit_suite() -> Path:
    """tests/audit with its pinned packages installed, again only when the lockfile changed."""
    reason = node_or_reason()
    if reason:
        pytest.skip(reason)
    installed = AUDIT / "node_modules" / ".package-lock.json"
    lockfile = AUDIT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lockfile.stat().st_mtime:
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=AUDIT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    return AUDIT


def test_every_graphql_over_http_audit_passes(audit_suite: Path, tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        done = subprocess.run(
            ["node", "audit.mjs", base + "/graphql"],
            cwd=audit_suite,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) > 50  # the suite ran, not an empty list
    failed = [result for result in results if result["status"] != "ok"]
    assert not failed, json.dumps(failed, indent=2)
