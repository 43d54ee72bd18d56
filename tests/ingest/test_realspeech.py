"""Real caption transcripts (../shared/realspeech): every one ingests, with no claim dropped,
and the hand labels are well formed. Their scores are floored by `make eval`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.documents import read
from ingest.evaluation import LABEL_UNITS, SEALED_MARK
from ingest.extract import extract
from ingest.lexicon import Lexicon
from tests.conftest import ROOT

TRANSCRIPTS = ROOT.parent / "shared" / "realspeech" / "huberman-dev"
LABELS = ROOT / "tests" / "gold-real"
CLAIMDEX = str(Path(sys.executable).parent / "claimdex")


def transcripts() -> list[Path]:
    if not TRANSCRIPTS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{TRANSCRIPTS} is missing; CI runs with ../shared beside the clone")
        pytest.skip(f"the real transcripts are not at {TRANSCRIPTS}")
    return sorted(TRANSCRIPTS.glob("*.md"))


def test_every_real_transcript_extracts_with_nothing_dropped(names: Lexicon) -> None:
    found = transcripts()
    assert len(found) == 14
    for path in found:
        extraction = extract(read(path.read_text(encoding="utf-8"), source=path.name), names=names)
        assert extraction.dropped == 0, path.name
        assert extraction.mentions and extraction.dosages, path.name


def test_claimdex_ingests_every_real_transcript(tmp_path: Path) -> None:
    transcripts()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [CLAIMDEX, "ingest", str(TRANSCRIPTS)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("added") == 14


def test_labels_split_ten_to_develop_and_four_sealed() -> None:
    dev, sealed = (
        sorted((LABELS / "dev").glob("*.json")),
        sorted((LABELS / "sealed").glob("*.json")),
    )
    assert (len(dev), len(sealed)) == (10, 4)
    assert (LABELS / "sealed" / SEALED_MARK).exists() and not (
        LABELS / "dev" / SEALED_MARK
    ).exists()
    assert not {p.name for p in dev} & {p.name for p in sealed}
    for path in dev + sealed:
        labels = json.loads(path.read_text(encoding="utf-8"))
        assert labels["file"] == path.stem + ".md"
        for dose in labels["doses"]:
            assert dose["unit"] in LABEL_UNITS, (path.name, dose)
            low = dose.get("value", dose.get("low"))
            assert low is not None and low > 0, (path.name, dose)
            assert dose.get("high") is None or dose["high"] > low, (path.name, dose)
        assert all(mention["name"] for mention in labels["mentions"])
