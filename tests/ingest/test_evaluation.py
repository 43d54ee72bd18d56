import os
from pathlib import Path

import pytest

from ingest.evaluation import (
    AdeScores,
    Score,
    ade_shortfalls,
    compare,
    evaluate_gold,
    gold_labels,
    indication_shortfalls,
    meaning_shortfalls,
    real_shortfalls,
    score_ade,
    score_indications,
    score_meaning,
    score_real,
    score_regimen,
    shortfalls,
    totals,
)
from ingest.lexicon import Lexicon
from ingest.records import (
    Document,
    Dosage,
    EpisodeMeta,
    Extraction,
    Indication,
    MatchedBy,
    Mention,
    Regimen,
    Segment,
    Stance,
)
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


def test_the_ade_floor_is_named() -> None:
    def scores(found: int) -> AdeScores:
        pairs = Score(found, found, 100)
        return AdeScores(Score(90, 90, 100), pairs, pairs, pairs, reachable=100)

    assert ade_shortfalls(scores(85)) == []
    assert ade_shortfalls(scores(84)) == ["ADE numeric pair recall below 0.85"]


def test_the_ade_ceiling_counts_a_drug_and_its_abbreviation_as_one(names: Lexicon) -> None:
    sentence = "Hypersensitivity after paclitaxel and carboplatin (CBDCA) 60 mg/m2 weekly."
    lines = [
        f"1|{sentence}|60 mg/m2|0|0|{drug}|0|0" for drug in ("carboplatin", "CBDCA", "paclitaxel")
    ]
    scores = score_ade(lines, names)
    # One dose given to carboplatin meets both of its pairs; paclitaxel's cannot be met too.
    assert (scores.reachable, scores.attributed_pairs.expected) == (2, 3)


def test_gold_labels_find_documents_beside_them_or_in_the_seeds() -> None:
    labels = gold_labels(ROOT / "tests" / "gold", ROOT / "seeds")
    assert [name for name, _, _ in labels] == [gold_path(gold).name for gold in gold_documents()]
    seed = {name: text for name, text, _ in labels}["ldn-mackey-attia.md"]
    assert seed == (ROOT / "seeds" / "ldn-mackey-attia.md").read_text(encoding="utf-8")


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


def real_extraction(
    dosages: list[tuple[int, str, float]], mentions: list[tuple[int, str]]
) -> Extraction:

    segments = tuple(Segment(80 * index, "words", index + 1) for index in range(4))
    extraction = Extraction(Document(EpisodeMeta("t", None, None, None, None), (), segments))
    extraction.dosages = [Dosage(s, 0, 1, "x", name, value, "mg") for s, name, value in dosages]
    extraction.mentions = [
        Mention(s, 0, 1, "x", name, 1.0, MatchedBy.EXACT) for s, name in mentions
    ]
    return extraction


def test_real_scoring_matches_doses_a_paragraph_apart_and_counts_wrong_drugs(
    names: Lexicon,
) -> None:
    labels = {
        "file": "t.md",
        "mentions": [{"at": "00:00:00", "name": "caffeine"}, {"at": "00:01:20", "name": "LDN"}],
        "doses": [
            {"at": "00:00:00", "name": "caffeine", "value": 0.1, "unit": "g"},
            {"at": "00:02:40", "name": "naltrexone", "value": 4.5, "unit": "mg"},
            {"at": "00:04:00", "name": "melatonin", "low": 1, "high": 3, "unit": "mg"},
        ],
    }
    extraction = real_extraction(
        # 100 mg one paragraph late still matches; 4.5 mg goes to the wrong drug; 3 mg is
        # not the 1-3 mg range.
        [(1, "caffeine", 100.0), (2, "caffeine", 4.5), (3, "melatonin", 3.0)],
        [(0, "caffeine"), (1, "naltrexone"), (2, "caffeine")],
    )
    result = score_real("t", extraction, labels, names)
    assert (result.doses.true_positives, result.doses.predicted, result.doses.expected) == (1, 3, 3)
    assert result.wrong_drug == 1
    assert (result.mentions.true_positives, result.mentions.predicted) == (2, 3)
    assert result.missed_doses == ("00:02:40 naltrexone 4.5 mg", "00:04:00 melatonin 1-3 mg")
    # Where labels give a stance, each dose found pairs it with the extracted one.
    assert result.stances == ()
    labels["doses"][0]["stance"] = "PERSONAL"
    result = score_real("t", extraction, labels, names)
    assert result.stances == (("PERSONAL", "GENERAL"),)
    assert result.wrong_stances == ("00:00:00 caffeine 100 mg: GENERAL, not PERSONAL",)
    crashed = score_real("t", None, labels, names, crashed="ValueError: x")
    assert crashed.crashed and crashed.doses.expected == 3 and crashed.doses.predicted == 0
    assert real_shortfalls([crashed])[-1] == "1 transcripts crashed extraction"


@pytest.mark.parametrize(
    ("option", "folder"),
    [
        ("--real", "gold-real/sealed"),
        ("--meaning", "gold-real/meaning/sealed"),
        ("--stance", "gold-meaning/sealed"),
        ("--regimen", "gold-meaning/sealed"),
        ("--indications", "gold-meaning/sealed"),
    ],
)
def test_a_sealed_set_never_shows_its_errors(tmp_path: Path, option: str, folder: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "claimdex"),
            "eval",
            option,
            str(ROOT / "tests" / folder),
            "--transcripts",
            str(tmp_path),
            "--errors",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 1
    assert "is sealed" in result.stderr and "missed" not in result.stdout


def test_meaning_scores_sponsor_paragraphs_and_each_speaker_turn() -> None:
    texts = [
        "HOST NAME: Welcome. Our first sponsor is Acme.",
        "Go to acme.com/show for a trial. GUEST NAME: Thanks for having me.",
        "HOST NAME: Let's talk sleep. GUEST NAME: Gladly.",
    ]
    document = Document(
        meta=EpisodeMeta("t", "The Show", None, None, None),
        summary=(),
        segments=tuple(Segment(seconds=80 * i, text=text, line=i) for i, text in enumerate(texts)),
    )
    labels = {
        "sponsor_segments": ["00:00:00", "00:02:40"],
        "speakers": [
            {"at": "00:01:20", "turns": [
                {"speaker": "Host Name", "starts": "Go to acme.com"},
                {"speaker": "Guest Name", "starts": "Thanks for having"},
            ]},
        ],
    }  # fmt: skip
    result = score_meaning("t", document, labels)
    assert (result.sponsors.true_positives, result.sponsors.predicted) == (1, 2)
    assert result.missed_sponsors == ("00:02:40",) and result.false_sponsors == ("00:01:20",)
    assert result.speakers == Score(2, 2, 2)
    assert meaning_shortfalls([result]) == ["sponsors f1 0.500 < 0.9"]


def test_indications_match_by_paragraph_drug_and_condition_in_any_spelling(
    names: Lexicon,
) -> None:
    document = Document(
        meta=EpisodeMeta("t", None, None, None, None),
        summary=(),
        segments=(Segment(0, "a", 1), Segment(90, "b", 2)),
    )
    extraction = Extraction(document=document)
    extraction.indications = [
        Indication(0, "naltrexone", "complex regional pain syndrome", "G90.5", Stance.STUDY, "a"),
        Indication(1, "metformin", "type 2 diabetes", "E11.9", Stance.GENERAL, "b"),
    ]
    labels = {
        "indications": [
            # The lexicon's alias and the vocabulary's abbreviation name the same claim.
            {"seconds": 0, "medication": "LDN", "condition": "CRPS", "icd10": "G90.5",
             "stance": "STUDY", "said": "a"},
            {"seconds": 90, "medication": "metformin", "condition": "prediabetes",
             "icd10": "R73.03", "stance": "PRACTICE", "said": "b"},
        ]
    }  # fmt: skip
    result = score_indications("t", extraction, labels, names)
    assert result.score == Score(1, 2, 2)
    assert result.missed == ("00:01:30 metformin for prediabetes: 'b'",)
    assert result.false == ("00:01:30 metformin for type 2 diabetes: 'b'",)
    assert indication_shortfalls(result.score) == [
        "indication precision 0.500 < 0.85",
        "indication recall 0.500 < 0.8",
    ]


def test_what_each_dose_is_for_is_scored_on_every_condition_a_label_gives(
    names: Lexicon,
) -> None:
    document = Document(
        meta=EpisodeMeta("t", None, None, None, None), summary=(), segments=(Segment(0, "a", 1),)
    )
    extraction = Extraction(document=document)
    extraction.dosages = [
        Dosage(0, 0, 1, "50 mg", "naltrexone", 50.0, "mg", indication="opioid use disorder"),
        Dosage(0, 5, 6, "4.5 mg", "naltrexone", 4.5, "mg", indication="fibromyalgia"),
        Dosage(0, 9, 9, "9 mg", "naltrexone", 9.0, "mg"),
    ]
    labels = {
        "indications": [],
        "dosages": [
            # Split on "; ", each condition in any spelling the vocabulary knows.
            {"seconds": 0, "medication": "LDN", "value": 50,
             "indication": "opioid addiction; alcohol use disorder"},
            {"seconds": 0, "medication": "naltrexone", "value": 4.5, "indication": None},
            {"seconds": 0, "medication": "naltrexone", "value": 9, "indication": None},
        ],
    }  # fmt: skip
    assert score_indications("t", extraction, labels, names).purposes == Score(1, 2, 2)


def test_regimens_pair_each_labelled_dose_found_with_none_as_a_class(names: Lexicon) -> None:
    document = Document(
        meta=EpisodeMeta("t", None, None, None, None), summary=(), segments=(Segment(60, "a", 1),)
    )
    extraction = Extraction(document=document)
    extraction.dosages = [
        Dosage(0, 0, 1, "25 mg", "trazodone", 25.0, "mg", regimen=Regimen.STARTING),
        Dosage(0, 5, 6, "50 mg", "trazodone", 50.0, "mg"),
    ]
    labels = {
        "dosages": [
            {"seconds": 60, "medication": "Desyrel", "value": 25, "regimen": "STARTING"},
            {"seconds": 60, "medication": "trazodone", "value": 50, "regimen": "TITRATION"},
            {"seconds": 60, "medication": "trazodone", "value": 100, "regimen": "MAXIMUM"},
        ],
        "warnings": [],
    }
    result = score_regimen("t", extraction, labels, names)
    # The 100 mg dose was not found: only found doses are paired.
    assert result.pairs == (("STARTING", "STARTING"), ("TITRATION", "NONE"))
    assert result.wrong == ("00:01:00 dose trazodone 50: NONE, not TITRATION",)
