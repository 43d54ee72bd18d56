"""The command line for people: medication, search, export, stats, and its README section."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED

CLAIMDEX = str(Path(sys.executable).parent / "claimdex")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(
        [CLAIMDEX, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    here = tmp_path_factory.mktemp("cli")
    assert run("ingest", str(SEED), cwd=here).returncode == 0
    yield here


def test_medication_shows_dosing_advice(folder: Path) -> None:
    result = run("medication", "LDN", cwd=folder)
    assert result.returncode == 0, result.stderr
    for dose, moment in [
        ("4.5 mg", "00:01:46"),
        ("9 mg", "00:03:44"),
        ("13.5 mg", "00:04:35"),
        ("50 mg", "00:00:00"),
    ]:
        assert re.search(rf"{re.escape(dose)}\b.*{moment}", result.stdout), dose
    assert "&t=106s" in result.stdout
    missing = run("medication", "potatoes", cwd=folder)
    assert missing.returncode == 1 and "potatoes" in missing.stderr


def test_search(folder: Path) -> None:
    result = run("search", "microglia", cwd=folder)
    assert result.returncode == 0 and "00:01:22" in result.stdout
    assert "matching moments" in result.stdout


@pytest.mark.parametrize("kind", ["csv", "ndjson", "json"])
def test_export(folder: Path, kind: str) -> None:
    result = run("export", "--format", kind, "--medication", "Vivitrol", cwd=folder)
    assert result.returncode == 0, result.stderr
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    elif kind == "ndjson":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        rows = json.loads(result.stdout)
    dosages = [row for row in rows if row["kind"] == "dosage"]
    assert len(dosages) == 8 and all(row["link"] for row in rows)
    assert {row["kind"] for row in rows} == {"dosage", "warning"}


def test_stats(folder: Path) -> None:
    result = run("stats", cwd=folder)
    assert result.returncode == 0 and "1 episodes, 12 segments" in result.stdout
    cells = [
        c.strip()
        for c in next(x for x in result.stdout.splitlines() if "naltrexone" in x).split("│")
    ]
    assert [c for c in cells if c][:8] == [
        "naltrexone",
        "1",
        cells[3],
        "8",
        "4.5",
        "6.75",
        "50",
        "mg",
    ]


def commands() -> list[tuple[str, str]]:
    """(command, first line of its help) as `claimdex --help` lists them."""
    listed = run("--help", cwd=ROOT).stdout
    found = re.findall(r"│ (\w+)\s+(.+?)\s*│", listed.split("Commands")[1])
    return [(name, text) for name, text in found]


def test_every_command_has_help_and_the_readme_matches_it() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    listed = commands()
    assert {name for name, _ in listed} >= {
        "ingest",
        "serve",
        "medication",
        "search",
        "export",
        "stats",
        "eval",
        "db",
    }
    for name, summary in listed:
        assert run(name, "--help", cwd=ROOT).returncode == 0
        line = next((x for x in section.splitlines() if x.startswith(f"claimdex {name}")), None)
        assert line is not None, f"the README's CLI section does not show `claimdex {name}`"
        assert summary.rstrip(".") in section, f"`claimdex {name}`: README lacks {summary!r}"
