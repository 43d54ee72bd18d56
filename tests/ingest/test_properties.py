"""Property tests: the timestamp, number-word and dose readers never crash and keep their
promises on any input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.doses import find_amounts
from ingest.extract import extract
from ingest.lexicon import Lexicon
from ingest.parse import ParseError, parse_document
from ingest.records import Document, EpisodeMeta, Segment
from ingest.timestamps import TimestampError, format_timestamp, parse_timestamp

NUMBER_WORDS = ["one", "two", "four", "and", "a", "half", "hundred", "point", "five", "tenths"]
UNITS = ["mg", "milligrams", "mcg", "grams", "IU", "mL", "units", "dollars", "%", "kg", "per"]


@given(st.integers(min_value=0, max_value=99 * 3600 + 59 * 60 + 59))
def test_timestamps_round_trip(seconds: int) -> None:
    assert parse_timestamp(format_timestamp(seconds)) == seconds


@given(st.text(max_size=20))
def test_timestamps_read_or_refuse(text: str) -> None:
    try:
        seconds = parse_timestamp(text)
    except TimestampError:
        return
    assert seconds >= 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(NUMBER_WORDS + UNITS),
            st.integers(min_value=-10, max_value=100_000).map(str),
            st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda f: f"{f:.2f}"),
            st.text(alphabet="abcdefgh ,.-$/", max_size=6),
        ),
        max_size=12,
    )
)
def test_amounts_are_positive_and_inside_the_text(words: list[str]) -> None:
    text = " ".join(words)
    for amount in find_amounts(text):
        assert amount.value >= 0
        assert text[amount.start : amount.end] == amount.text
        if amount.max_value is not None:
            assert amount.max_value > amount.value
        if amount.unit is not None:
            assert amount.unit.split("/")[0] in {"mg", "mL", "IU"}


@settings(max_examples=200)
@given(st.text(max_size=400))
def test_any_text_parses_or_is_refused_with_its_name(text: str) -> None:
    try:
        document = parse_document(text, source="fuzzed.md")
    except ParseError as error:
        assert str(error).startswith("fuzzed.md")
        return
    assert document.segments
    assert all(
        a.seconds <= b.seconds
        for a, b in zip(document.segments, document.segments[1:], strict=False)
    )


# Words that steer extraction: drug names (one that carries a per-kilogram dose), units, body
# weight, clock and time words, lists and ranges.
SPEECH = [
    "caffeine", "melatonin", "testosterone", "LDN", "alpha-GPC", "of", "it", "take", "at",
    "per", "kilogram", "kilo", "body", "weight", "milligrams", "mg", "micrograms", "grams", "IU",
    "units", "mL", "to", "To", "two", "or", ",", ".", "minutes", "a.m.", "zero", "a", "tenth",
    "half", "and", "between", "every", "day", "$", "%", "then", "go", "up",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(SPEECH + NUMBER_WORDS),
                st.integers(min_value=0, max_value=100_000).map(str),
                st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda f: f"{f:g}"),
                st.text(max_size=8),
            ),
            max_size=40,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_extraction_never_raises_nor_drops_a_claim(
    names: Lexicon, paragraphs: list[list[str]]
) -> None:
    segments = tuple(
        Segment(80 * index, " ".join(words), index + 1) for index, words in enumerate(paragraphs)
    )
    document = Document(EpisodeMeta("Any talk", None, None, None, None), (), segments)
    extraction = extract(document, names=names)
    # The guard that keeps one bad claim from losing an episode must never be needed.
    assert extraction.dropped == 0
    for dosage in extraction.dosages:
        assert dosage.value > 0
        assert dosage.unit.split("/")[0] in {"mg", "mL", "IU"}
