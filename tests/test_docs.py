"""The README's examples, run against a real `claimdex serve` holding the seed."""

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import BIN, ROOT, SEED, serving, user_environment

README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    env = user_environment()
    subprocess.run([BIN / "claimdex", "ingest", SEED], cwd=folder, env=env, check=True)
    with serving(folder) as base:
        yield base


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
