"""`claimdex serve` as a real uvicorn process, answering the headline query over HTTP."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.test_graphql import DOSING_ADVICE
from tests.conftest import SEED

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_dosing_advice(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    ingested = subprocess.run(
        [str(BIN / "claimdex"), "ingest", str(SEED)], cwd=tmp_path, env=env, capture_output=True
    )
    assert ingested.returncode == 0, ingested.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "claimdex"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(
                    url, json={"query": DOSING_ADVICE, "variables": {"name": "LDN"}}
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        medication = response.json()["data"]["medication"]
        assert medication["name"] == "naltrexone"
        assert 4.5 in {d["value"] for d in medication["dosages"]}
        page = httpx.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=10)
