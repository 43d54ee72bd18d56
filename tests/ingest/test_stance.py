"""Stance: how a claim was said, from the words of its sentence."""

import re

import pytest

from ingest.records import Stance
from ingest.stance import stance, stance_after, stance_at


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("You should take it with food.", Stance.RECOMMENDATION),
        ("We tell them to take it at night.", Stance.RECOMMENDATION),
        ("I'll usually start people at 25 mg.", Stance.PRACTICE),
        ("In my clinic most people end up on 50 mg.", Stance.PRACTICE),
        ("I personally just take five grams in my coffee.", Stance.PERSONAL),
        ("I had a patient who was on 100 mg for years.", Stance.ANECDOTE),
        ("In the trial they gave 4.5 mg every night.", Stance.STUDY),
        ("The pill comes in 50 and 100 mg.", Stance.GENERAL),
        ("Metformin doesn't really help with weight here.", Stance.NEGATED),
        ("Could it help with Alzheimer's?", Stance.HYPOTHETICAL),
    ],
)
def test_a_sentence_says_how_a_claim_was_made(sentence: str, expected: Stance) -> None:
    assert stance(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # One's own use, in any tense, outranks the study talk around it.
        ("I will often take 300 milligrams of Alpha GPC before a workout.", Stance.PERSONAL),
        ("It's been explored. Again, I've been using the 900 milligrams.", Stance.PERSONAL),
        ("I don't go past about 200 milligrams of caffeine.", Stance.PERSONAL),
        ("I find that 300 milligrams is enough for me.", Stance.PERSONAL),
        # Research said in a podcast's words.
        ("There's a whole literature on ingesting one to three grams of EPA.", Stance.STUDY),
        ("Eating 4 or 5 grams of sodium is associated with lower risk.", Stance.STUDY),
        ("It's been explored at 80 milligrams per day.", Stance.STUDY),
        ("People who took two grams seem to do better.", Stance.STUDY),
        ("In the rat, the safe dose was 300 milligrams a day.", Stance.STUDY),
        # Advice passed on, and advice for most people.
        ("The recommendation he made was 8 to 12 grams of salt a day.", Stance.GENERAL),
        ("He recommended 8 to 12 grams of salt a day.", Stance.RECOMMENDATION),
        ("Most people do quite well to ingest 100 to 200 milligrams.", Stance.RECOMMENDATION),
        ("One way to prevent it is to take 600 milligrams of garlic.", Stance.RECOMMENDATION),
        # An option offered to the listener is advice; a bare "you can" is not (see below).
        ("You can also try 200 milligrams before training.", Stance.RECOMMENDATION),
        ("You could just take a one gram capsule with the meal.", Stance.RECOMMENDATION),
        # Putting up a post or a link is no clinician's practice; putting a patient on a drug is.
        ("I put up a post about three to five grams a day.", Stance.GENERAL),
        ("I'd like to compare it to a three milligram tablet.", Stance.GENERAL),
        ("We put patients on 100 milligrams a week.", Stance.PRACTICE),
    ],
)
def test_how_podcast_speech_says_it(sentence: str, expected: Stance) -> None:
    assert stance(sentence) is expected


def test_a_limit_is_advice_not_a_denial() -> None:
    assert stance("Don't go above 10 mg a day.") is Stance.RECOMMENDATION


def test_a_study_goes_on_into_the_next_sentence_that_says_nothing_of_its_own() -> None:
    text = (
        "Most of the small trials used 250 mg. A few went up to a gram a day. It is sold in 500 mg."
    )
    assert stance_at(text, text.index("a gram")) is Stance.STUDY
    assert stance_at(text, text.index("500 mg")) is Stance.GENERAL


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # An instruction after a condition, and what the clinician says to every patient.
        (
            "If you're dehydrated, say with a stomach bug, stop it until you eat again.",
            Stance.RECOMMENDATION,
        ),
        ("First thing I'll say is take a real dose.", Stance.RECOMMENDATION),
        # A clinician uses a drug on patients; "you can" is possibility, not advice.
        ("It's one I still use a lot in people who sleep badly.", Stance.PRACTICE),
        ("It can do double duty, you can take it for an attack or for prevention.", Stance.GENERAL),
        # Someone in general is not one person's story.
        ("If a woman is pregnant, the statin is stopped.", Stance.GENERAL),
    ],
)
def test_cues_that_mislead(sentence: str, expected: Stance) -> None:
    assert stance_at(sentence, len(sentence) - 5) is expected


def test_a_story_goes_on_while_the_clinician_acts_in_it() -> None:
    text = "I had a patient after a stroke. I started him on 4.5. Then I go up to nine."
    assert stance_at(text, text.index("nine")) is Stance.ANECDOTE


def test_in_a_long_run_of_speech_only_the_words_near_the_claim_count() -> None:
    text = (
        "we had a trial of it years back and the data showed nothing much and people "
        "stopped asking about it and so these days when somebody new comes in with the "
        "usual complaints and the usual history and the usual worries the dose is 50 mg"
    )
    assert stance_at(text, text.index("50 mg")) is Stance.GENERAL


def test_a_claim_reads_on_from_the_paragraph_before() -> None:
    # Captions cut paragraphs by the clock: the study that opens the sentence is in the last.
    before = "people who are not used to it can struggle and there's actually data going up as"
    text = "high as 10 milligrams per kilogram of body weight"
    assert stance_at(text, 8) is Stance.GENERAL
    assert stance_after(before, text, 8) is Stance.STUDY
    assert stance_after("", text, 8) is Stance.GENERAL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The answer to a request for advice is the advice.
        ("What dose do you recommend to your patients? Anywhere from 300 to 600 mg a day.",
         Stance.RECOMMENDATION),
        ("Would you suggest it every day? 300 mg a day, yes.", Stance.RECOMMENDATION),
        # Not to a question of fact.
        ("How much is in a cup? About 100 mg.", Stance.GENERAL),
        ("The recommendation is 400 milligrams a day.", Stance.RECOMMENDATION),
    ],
)  # fmt: skip
def test_advice_asked_for_and_given(text: str, expected: Stance) -> None:
    last_number = [found.start() for found in re.finditer(r"\d+", text)][-1]
    assert stance_at(text, last_number) is expected
