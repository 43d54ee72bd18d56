"""The README's examples, run against a real `claimdex serve` holding the seed."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SEED

BIN = Path(sys.executable).parent
README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    subprocess.run([BIN / "claimdex", "ingest", SEED], cwd=folder, env=env, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [BIN / "claimdex", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/api/v1/medications")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def local(text: str, base: str) -> str:
    return text.replace("http://127.0.0.1:8000", base)


def test_readme_curl_examples(server: str) -> None:
    curl = shutil.which("curl")
    assert curl is not None, "curl is needed to run the README's examples"
    commands = [line for block in blocks("sh") for line in block.splitlines()]
    examples = [line for line in commands if line.startswith("curl ")]
    assert len(examples) >= 2
    for example in examples:
        result = subprocess.run(
            ["bash", "-c", local(example, server)], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert "naltrexone" in result.stdout
        if "format=csv" in example:
            header, *rows = result.stdout.splitlines()
            assert "timestamp" in header and len(rows) == 8


def test_readme_python_example_pulls_every_dosage_as_csv(server: str) -> None:
    (script,) = blocks("python")
    assert len(script.strip().splitlines()) <= 12
    result = subprocess.run(
        [sys.executable, "-c", local(script, server)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.startswith("kind,medication,value") and len(rows) == 8
