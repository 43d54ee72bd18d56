"""`claimdex serve` as a real uvicorn process, answering the headline query over HTTP."""

import subprocess
from pathlib import Path

import httpx

from tests.api.test_graphql import DOSING_ADVICE
from tests.conftest import BIN, SEED, serving, user_environment


def test_serve_answers_dosing_advice(tmp_path: Path) -> None:
    ingested = subprocess.run(
        [str(BIN / "claimdex"), "ingest", str(SEED)],
        cwd=tmp_path,
        env=user_environment(),
        capture_output=True,
    )
    assert ingested.returncode == 0, ingested.stderr
    with serving(tmp_path) as base:
        url = base + "/graphql"
        response = httpx.post(url, json={"query": DOSING_ADVICE, "variables": {"name": "LDN"}})
        assert response.status_code == 200
        medication = response.json()["data"]["medication"]
        assert medication["name"] == "naltrexone"
        assert 4.5 in {d["value"] for d in medication["dosages"]}
        page = httpx.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
