"""ingest/grounding.py: quotes to the segment that says them, summary lines to their evidence."""

from ingest.grounding import Evidence, comparable, ground, strip_quotes, support
from ingest.records import Segment

SEGMENTS = [
    Segment(0, "Welcome back to the show, everyone.", 1),
    Segment(60, "In some patients, Peter, this drug's been", 3),
    Segment(90, "magical, like magical. I start at one and a half milligrams.", 5),
]


def test_text_is_compared_without_case_punctuation_or_quotes() -> None:
    assert comparable("  It's   “Magical”,  like MAGICAL! ") == "it s magical like magical"
    assert strip_quotes(" “this drug's been magical” ") == "this drug's been magical"


def test_a_quote_belongs_to_the_segment_where_it_starts() -> None:
    index, score = ground("this drug's been magical, like magical", SEGMENTS)
    assert index == 1 and score >= 80
    assert ground("I start at one and a half milligrams", SEGMENTS)[0] == 2


def test_words_never_said_are_not_grounded() -> None:
    index, score = ground("Metformin extends lifespan in every trial", SEGMENTS)
    assert index is None and score < 80
    assert ground("", SEGMENTS) == (None, 0.0)
    assert ground("magical", []) == (None, 0.0)


def test_evidence_keeps_rare_words_drugs_and_doses() -> None:
    evidence = Evidence.of("The naltrexone dose is small", ["naltrexone"], [(4.5, "mg")])
    assert "naltr" in evidence.stems and "the" not in evidence.stems
    assert evidence.drugs == {"naltrexone"} and evidence.doses == {(4.5, "mg")}
    assert Evidence.of("the and of", []).empty


def test_a_drug_or_dose_counts_as_two_words() -> None:
    claim = Evidence(frozenset({"dream"}), frozenset({"naltrexone"}), frozenset())
    only_drug = Evidence(frozenset(), frozenset({"naltrexone"}), frozenset())
    assert claim.support(only_drug) == 2 / 3
    assert Evidence(frozenset(), frozenset(), frozenset()).support(only_drug) == 0.0


def test_the_claimed_segment_wins_a_tie_and_weak_support_is_none() -> None:
    claim = Evidence(frozenset({"dream", "vivid"}), frozenset(), frozenset())
    same = Evidence(frozenset({"dream", "vivid"}), frozenset(), frozenset())
    half = Evidence(frozenset({"dream"}), frozenset(), frozenset())
    assert support(claim, [same, same], [10, 20], claimed=20) == (1, 1.0)
    assert support(claim, [same, same], [10, 20], claimed=None) == (0, 1.0)
    assert support(claim, [half], [10], claimed=None) == (0, 0.5)
    assert support(
        claim, [Evidence(frozenset({"sleep"}), frozenset(), frozenset())], [10], None
    ) == (
        None,
        0.0,
    )
