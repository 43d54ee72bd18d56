"""The command line for people: medication, search, export, stats, and its README section."""

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED, cli


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    here = tmp_path_factory.mktemp("cli")
    assert cli("ingest", str(SEED), cwd=here).returncode == 0
    yield here


def test_medication_shows_dosing_advice(folder: Path) -> None:
    result = cli("medication", "LDN", cwd=folder)
    assert result.returncode == 0, result.stderr
    for dose, moment in [
        ("4.5 mg", "00:01:46"),
        ("9 mg", "00:03:44"),
        ("13.5 mg", "00:04:35"),
        ("50 mg", "00:00:00"),
    ]:
        assert re.search(rf"{re.escape(dose)}\b.*{moment}", result.stdout), dose
    assert "&t=106s" in result.stdout
    missing = cli("medication", "potatoes", cwd=folder)
    assert missing.returncode == 1 and "potatoes" in missing.stderr


def test_search(folder: Path) -> None:
    result = cli("search", "microglia", cwd=folder)
    assert result.returncode == 0 and "00:01:22" in result.stdout
    assert "matching moments" in result.stdout


@pytest.mark.parametrize("kind", ["csv", "ndjson", "json"])
def test_export(folder: Path, kind: str) -> None:
    result = cli("export", "--format", kind, "--medication", "Vivitrol", cwd=folder)
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
    result = cli("stats", cwd=folder)
    assert result.returncode == 0 and "1 episode, 12 segments" in result.stdout
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


# A deep link into the seed's video, whole: nothing cut, folded or ellipsized.
LINK = re.compile(r"https://www\.youtube\.com/watch\?v=d0S7_H0UdjY&t=\d+s")


@pytest.mark.parametrize(
    ("args", "wanted"),
    [(("medication", "LDN"), "&t=106s"), (("search", "microglia"), "&t=82s")],
)
def test_links_stay_whole_in_80_columns(folder: Path, args: tuple[str, ...], wanted: str) -> None:
    result = cli(*args, cwd=folder, columns=80)
    assert result.returncode == 0, result.stderr
    links = [line for line in result.stdout.splitlines() if "http" in line]
    assert links and any(line.endswith(wanted) for line in links)
    for line in links:
        assert LINK.fullmatch(line.split(" ", 1)[1]), line
    table = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= 80 for line in table)


def test_a_count_of_one_is_singular(folder: Path) -> None:
    result = cli("search", "structural support", cwd=folder)
    assert result.stdout.splitlines()[-1] == "1 matching moment"
    assert "2 matching moments" in cli("search", "microglia", cwd=folder).stdout


def test_medication_and_stats_count_the_same_aliases(folder: Path) -> None:
    stats = cli("stats", cwd=folder).stdout
    total = int(re.search(r"(\d+) aliases", stats)[1])  # type: ignore[index]
    counted = 0
    for name in ("naltrexone", "alcohol"):
        shown = cli("medication", name, cwd=folder).stdout.splitlines()[1]
        found = re.fullmatch(r"(\d+) aliases: (.+?)(?:; heard as (.+))?", shown)
        assert found is not None, shown
        names = found[2].split(", ") + (found[3].split(", ") if found[3] else [])
        assert int(found[1]) == len(names) and name in names
        counted += len(names)
    assert counted == total > 0


def test_a_known_drug_no_episode_mentions_is_told_apart_from_an_unknown_name(
    folder: Path,
) -> None:
    known = cli("medication", "Coumadin", cwd=folder)
    assert known.returncode == 1
    assert known.stderr.strip() == (
        "no episode in this index mentions warfarin, so it holds no claims about it"
        " ('Coumadin' is a name of warfarin)"
    )
    unknown = cli("export", "--medication", "potatoes", cwd=folder)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "no medication is known by the name 'potatoes'"


def commands() -> list[tuple[str, str]]:
    """(command, first line of its help) as `claimdex --help` lists them."""
    listed = cli("--help", cwd=ROOT).stdout
    found = re.findall(r"│ ([\w-]+)\s+(.+?)\s*│", listed.split("Commands")[1])
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
        assert cli(name, "--help", cwd=ROOT).returncode == 0
        line = next((x for x in section.splitlines() if x.startswith(f"claimdex {name}")), None)
        assert line is not None, f"the README's CLI section does not show `claimdex {name}`"
        assert summary.rstrip(".") in section, f"`claimdex {name}`: README lacks {summary!r}"
