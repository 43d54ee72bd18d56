import re

import pytest

from ingest.conditions import Vocabulary, _pattern, official_name, vocabulary
from ingest.text import normalise
from tests.conftest import ROOT


def names_in(text: str, **options: object) -> list[tuple[str, str]]:
    return [(m.text, m.name) for m in vocabulary().find(text, **options)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("said", "name", "code"),
    [
        ("high blood pressure", "hypertension", "I10"),
        ("long COVID", "post COVID-19 condition", "U09.9"),
        ("brain fog", "brain fog", "R41.840"),
        ("low T", "male hypogonadism", "E29.1"),
        ("opioid addiction", "opioid use disorder", "F11.20"),
        ("Alzheimer's", "alzheimer's disease", "G30.9"),
        ("complex regional pain syndrome", "complex regional pain syndrome", "G90.5"),
        ("depression", "major depressive disorder", "F32.A"),
        ("neuroinflammation", "neuroinflammation", None),
    ],
)
def test_lay_terms_have_a_canonical_name_and_code(said: str, name: str, code: str | None) -> None:
    names = vocabulary()
    assert names.canonical(said) == name
    assert names.codes[name] == code


def test_every_code_is_in_the_icd_10_cm_code_set() -> None:
    codes = {code for code in vocabulary().codes.values() if code is not None}
    assert len(codes) > 150
    assert [code for code in sorted(codes) if official_name(code) is None] == []
    assert official_name("G35") == "Multiple sclerosis"
    assert official_name("X99.999") is None


def test_the_longest_term_wins_and_plurals_count() -> None:
    text = "She had type 2 diabetes, two migraines a week and lower back pain."
    assert names_in(text) == [
        ("type 2 diabetes", "type 2 diabetes"),
        ("migraines", "migraine"),
        ("lower back pain", "low back pain"),
    ]


def test_words_inside_other_words_are_not_conditions() -> None:
    assert names_in("The painting was in a gallery in Paris.") == []


def test_an_abbreviation_needs_the_condition_or_its_context_nearby() -> None:
    assert names_in("The response came back in 40 MS.") == []
    relapses = "Relapses of MS dropped in the treated group."
    assert names_in(relapses) == [("MS", "multiple sclerosis")]
    nearby = "He was diagnosed with multiple sclerosis last year."
    assert names_in("His MS is stable.", around=nearby) == [("MS", "multiple sclerosis")]
    assert names_in("she went to the ED last night") == []


def test_a_condition_inside_a_medication_name_is_not_a_condition() -> None:
    text = "He took Migraine Relief Max again."
    assert names_in(text, medications=[(8, 25)]) == []
    assert names_in(text) == [("Migraine", "migraine")]


def test_a_shared_head_word_names_both_conditions() -> None:
    found = names_in("approved for nicotine and opioid addiction")
    assert ("nicotine", "nicotine dependence") in found
    assert ("opioid addiction", "opioid use disorder") in found


def test_a_vocabulary_from_entries() -> None:
    names = Vocabulary(
        {"gout": {"code": "M10.9", "source": "ICD-10-CM", "terms": ["gouty arthritis"]}}
    )
    assert [m.name for m in names.find("Gouty arthritis and gout.")] == ["gout", "gout"]
    assert names.canonical("something else") is None


def test_terms_are_found_as_one_alternation_of_every_term_would_find_them() -> None:
    """Terms are tried only where a word starts with their first two letters: the same
    matches, at the same places, as one pattern of every term tried everywhere."""
    names = vocabulary()
    spoken = sorted({*names.terms, *map(normalise, names.short)}, key=len, reverse=True)
    every = re.compile(r"(?<!\w)(?:" + "|".join(map(_pattern, spoken)) + r")(?!\w)", re.IGNORECASE)
    texts = [
        line
        for path in sorted((ROOT / "tests" / "gold").glob("*.md"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    texts += ["A-fib and a fib, Crohns and Crohn's disease; migraines, long-COVID.", "MS"]
    found = 0
    for text in texts:
        expected = [(m.start(), m.end()) for m in every.finditer(text)]
        assert [(m.start(), m.end()) for m in names._matches(text)] == expected, text
        found += len(expected)
    assert found > 50
