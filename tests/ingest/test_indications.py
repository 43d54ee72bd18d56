import re

from ingest.indications import dose_purposes, find_indications
from ingest.records import Dosage, Indication, MatchedBy, Mention, Segment, Stance

DRUGS = {"metformin": "metformin", "Lyrica": "pregabalin", "Pregabalin": "pregabalin",
         "alcohol": "alcohol", "naltrexone": "naltrexone", "Naltrexone": "naltrexone",
         "Zoloft": "sertraline"}  # fmt: skip


def links(*paragraphs: str) -> list[tuple[int, str, str, Stance]]:
    """The indications in the paragraphs, each drug of DRUGS mentioned where it is spelt."""
    segments = [Segment(60 * i, text, i + 1) for i, text in enumerate(paragraphs)]
    mentions = [
        Mention(i, m.start(), m.end(), m.group(), DRUGS[m.group()], 1.0, MatchedBy.EXACT)
        for i, text in enumerate(paragraphs)
        for m in re.finditer(r"\b(?:" + "|".join(DRUGS) + r")\b", text)
    ]
    return [
        (found.segment, found.medication, found.condition, found.stance)
        for found in find_indications(segments, mentions)
    ]


def test_a_cue_between_drug_and_condition_links_them() -> None:
    assert links("Doctors have prescribed metformin for type 2 diabetes since the fifties.") == [
        (0, "metformin", "type 2 diabetes", Stance.GENERAL)
    ]


def test_a_condition_said_first_is_the_target_of_the_drug_after_it() -> None:
    assert links("For nerve pain after shingles, I usually reach for Lyrica.") == [
        (0, "pregabalin", "neuropathic pain", Stance.PRACTICE)
    ]
    assert links("Pregabalin is an old fibromyalgia drug.") == [
        (0, "pregabalin", "fibromyalgia", Stance.GENERAL)
    ]


def test_naming_both_without_a_cue_is_no_indication() -> None:
    assert links("My uncle takes metformin. His gout is a separate story.") == []


def test_a_contraindication_is_no_indication() -> None:
    assert links("I avoid metformin in anyone with kidney disease.") == []


def test_the_stance_of_the_sentence_and_the_strongest_source_win() -> None:
    assert links(
        "Would naltrexone work for fibromyalgia?",
        "A small trial tested naltrexone in fibromyalgia. It is not approved for fibromyalgia.",
    ) == [
        (0, "naltrexone", "fibromyalgia", Stance.HYPOTHETICAL),
        (1, "naltrexone", "fibromyalgia", Stance.STUDY),
    ]
    assert links("Zoloft doesn't really treat chronic pain.") == [
        (0, "sertraline", "chronic pain", Stance.NEGATED)
    ]


def test_a_pronoun_stands_for_the_one_drug_of_the_paragraph() -> None:
    assert links("Naltrexone is cheap.", "We use it for alcohol use disorder.") == [
        (1, "naltrexone", "alcohol use disorder", Stance.PRACTICE)
    ]


def test_the_substance_of_a_use_disorder_is_not_its_treatment() -> None:
    found = links("We use naltrexone to treat alcohol addiction, since alcohol feels flat on it.")
    assert found == [(0, "naltrexone", "alcohol use disorder", Stance.PRACTICE)]


def test_the_substance_of_a_use_disorder_does_not_hide_what_this_stands_for() -> None:
    found = links(
        "Naltrexone blocks opioid receptors. We use this in the treatment of alcohol addiction "
        "because it blocks the rewarding experiences of alcohol."
    )
    assert found == [(0, "naltrexone", "alcohol use disorder", Stance.PRACTICE)]


def purposes(dosages: list[Dosage], found: list[Indication]) -> list[str | None]:
    return [dosage.indication for dosage in dose_purposes(dosages, found)]


def indication(segment: int, medication: str, condition: str, stance: Stance) -> Indication:
    return Indication(segment, medication, condition, None, stance, "")


def dose(segment: int, medication: str, value: float) -> Dosage:
    return Dosage(segment, 0, 1, "", medication, value, "mg")


def test_a_dose_is_for_the_one_condition_its_paragraph_ties_its_drug_to() -> None:
    found = [
        indication(0, "naltrexone", "fibromyalgia", Stance.PRACTICE),
        indication(0, "metformin", "type 2 diabetes", Stance.GENERAL),
    ]
    doses = [dose(0, "naltrexone", 4.5), dose(0, "metformin", 500), dose(1, "naltrexone", 9)]
    assert purposes(doses, found) == ["fibromyalgia", "type 2 diabetes", None]


def test_two_conditions_for_one_drug_leave_its_dose_without_a_purpose() -> None:
    found = [
        indication(0, "naltrexone", "fibromyalgia", Stance.STUDY),
        indication(0, "naltrexone", "multiple sclerosis", Stance.STUDY),
    ]
    assert purposes([dose(0, "naltrexone", 4.5)], found) == [None]


def test_a_denied_link_gives_a_dose_no_purpose() -> None:
    found = [
        indication(0, "sertraline", "chronic pain", Stance.NEGATED),
        indication(1, "sertraline", "chronic pain", Stance.NEGATED),
        indication(1, "sertraline", "major depressive disorder", Stance.PRACTICE),
    ]
    doses = [dose(0, "sertraline", 50), dose(1, "sertraline", 100)]
    assert purposes(doses, found) == [None, "major depressive disorder"]
