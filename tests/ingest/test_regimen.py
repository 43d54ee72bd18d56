"""The role of a dose in its regimen, from the words around it."""

import pytest

from ingest.records import Regimen, Stance
from ingest.regimen import regimen_at


def role(sentence: str, amount: str, stance: Stance = Stance.PRACTICE) -> Regimen | None:
    start = sentence.index(amount)
    return regimen_at(sentence, start, start + len(amount), stance)


@pytest.mark.parametrize(
    ("sentence", "amount", "expected"),
    [
        ("We usually start people at 2 mg at bedtime.", "2 mg", Regimen.STARTING),
        ("I start them on 12.5 milligrams and see.", "12.5 milligrams", Regimen.STARTING),
        ("The loading dose is 20 grams for a week.", "20 grams", Regimen.STARTING),
        ("Give 1 mg to start, with food.", "1 mg", Regimen.STARTING),
        ("Then we go up to 40 mg if it's tolerated.", "40 mg", Regimen.TITRATION),
        ("After two weeks I bump the dose up to 8 mg.", "8 mg", Regimen.TITRATION),
        ("Next month we taper down to 10 milligrams.", "10 milligrams", Regimen.TITRATION),
        ("If that's not working, 3 mg.", "3 mg", Regimen.TITRATION),
        ("Never take more than, no more than 4 grams a day.", "4 grams", Regimen.MAXIMUM),
        ("The maximum dose is 300 mg.", "300 mg", Regimen.MAXIMUM),
        ("Most people end up at 20 milligrams.", "20 milligrams", Regimen.STANDARD),
        ("For maintenance it's 1 gram.", "1 gram", Regimen.STANDARD),
        ("Keep going at 100 mg for maintenance.", "100 mg", Regimen.STANDARD),
    ],
)
def test_the_words_before_or_after_a_dose_give_its_role(
    sentence: str, amount: str, expected: Regimen
) -> None:
    assert role(sentence, amount) is expected


def test_a_dose_after_the_starting_one_is_a_step() -> None:
    sentence = "I start at 5 mg, and if they sleep fine, sometimes 10 mg."
    assert role(sentence, "5 mg") is Regimen.STARTING
    assert role(sentence, "10 mg") is Regimen.TITRATION


def test_words_attached_to_a_dose_outweigh_those_before_it() -> None:
    sentence = "Then we go up to 50 mg, which is where most people stay."
    assert role(sentence, "50 mg") is Regimen.STANDARD
    assert role("20 mg is my usual starting dose.", "20 mg") is Regimen.STARTING


def test_a_phase_that_another_dose_follows_is_where_people_start() -> None:
    sentence = "I'll give 50,000 IU weekly for about two months and then recheck the level."
    assert role(sentence, "50,000 IU") is Regimen.STARTING
    # The last step of a taper is no start.
    assert role("We do 5 mg for a week and then stop.", "5 mg") is Regimen.STANDARD


def test_a_study_dose_is_the_studys_and_a_product_strength_has_no_role() -> None:
    assert role("The trial gave 2 grams.", "2 grams", Stance.STUDY) is Regimen.STUDY
    assert role("It comes in 10 mg tablets.", "10 mg") is None
    assert role("It is compounded at 1.5 and sold as is.", "1.5") is None


@pytest.mark.parametrize("stance", [Stance.PERSONAL, Stance.ANECDOTE, Stance.NEGATED])
def test_a_dose_with_no_cue_has_a_role_only_as_advice_practice_or_fact(stance: Stance) -> None:
    assert role("I take 5 grams every morning.", "5 grams", stance) is None
    assert role("She took 5 grams to start.", "5 grams", stance) is Regimen.STARTING
    assert role("It's 5 grams a day.", "5 grams", Stance.GENERAL) is Regimen.STANDARD
