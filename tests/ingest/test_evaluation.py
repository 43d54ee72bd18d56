import os
from pathlib import Path

import pytest

from ingest.evaluation import Score, compare, evaluate_gold, score_ade, shortfalls, totals
from ingest.lexicon import Lexicon
from tests.conftest import ROOT, gold_documents, gold_path

ADE = ROOT.parent / "shared" / "benchmarks" / "ade-corpus-v2" / "DRUG-DOSE.rel"


def test_scores_count_each_claim_once() -> None:
    score = compare([("a", 1), ("a", 1), ("b", 2)], [("a", 1), ("c", 3)])
    assert (score.true_positives, score.predicted, score.expected) == (1, 3, 2)
    assert score.precision == pytest.approx(1 / 3) and score.recall == 0.5
    assert Score(0, 0, 0).f1 == 1.0  # nothing to find and nothing found is perfect


def test_the_gold_set_holds_every_floor(names: Lexicon) -> None:
    labels = [
        (gold.name, gold_path(gold).read_text(encoding="utf-8"), gold.labels)
        for gold in gold_documents()
    ]
    assert len(labels) >= 5
    summed = totals(evaluate_gold(labels, names))
    assert shortfalls(summed) == []
    assert summed["quotes"].expected >= 5


def test_a_floor_below_is_named() -> None:
    summed = {kind: Score(1, 1, 1) for kind in ("mentions", "dosages", "quotes")}
    summed["warnings"] = Score(1, 1, 4)
    assert shortfalls(summed) == ["warnings recall 0.250 < 0.9"]


def test_ade_numeric_pairs(names: Lexicon) -> None:
    if not ADE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ADE} is missing; CI runs with the shared benchmarks beside the clone")
        pytest.skip(f"the ADE corpus is not at {ADE}")
    scores = score_ade(ADE.read_text(encoding="utf-8").splitlines(), names)
    assert scores.numeric_pairs.expected == 134
    assert scores.numeric_pairs.recall >= 0.85
    assert scores.drugs.recall >= 0.85


def test_ade_scoring_finds_spans_by_text(names: Lexicon) -> None:
    line = "1|She took metformin 500 mg twice daily.|500 mg|0|0|metformin|0|0"
    scores = score_ade([line], names)
    assert scores.attributed_pairs.recall == 1.0 and scores.drugs.recall == 1.0
    missing = "2|A 40-year-old man.|40 mg|0|0|aspirin|0|0"
    assert score_ade([missing], names).drugs.expected == 0


def test_eval_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [str(Path(sys.executable).parent / "claimdex"), "eval", "--ade", str(tmp_path / "x.rel")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ldn-mackey-attia" in result.stdout and "precision" in result.stdout
    assert "is absent; skipping the ADE evaluation" in result.stdout
