import pytest

from ingest.doses import find_amounts


def measured(text: str) -> list[tuple[float, float | None, str | None, str | None]]:
    return [
        (a.value, a.max_value, a.unit, a.frequency)
        for a in find_amounts(text)
        if a.unit is not None
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I give it in four and a half milligrams.", [(4.5, None, "mg", None)]),
        ("at 4 and a half milligrams onetenth of the dose", [(4.5, None, "mg", None)]),
        ("three tenths of a milligram", [(0.3, None, "mg", None)]),
        ("half a milligram of melatonin", [(0.5, None, "mg", None)]),
        ("a gram of NMN a day", [(1000.0, None, "mg", "daily")]),
        ("one point five milligrams", [(1.5, None, "mg", None)]),
        ("5 to 6 milligrams once a week", [(5.0, 6.0, "mg", "weekly")]),
        ("two hundred to four hundred milligrams", [(200.0, 400.0, "mg", None)]),
        ("1,500 to 2,000 mg a day", [(1500.0, 2000.0, "mg", "daily")]),
        ("2,000 international units", [(2000.0, None, "IU", None)]),
        ("5,000 IU daily", [(5000.0, None, "IU", "daily")]),
        ("1000 mcg of B12", [(1.0, None, "mg", None)]),
        ("2 g", [(2000.0, None, "mg", None)]),
        ("1 mL of the liquid", [(1.0, None, "mL", None)]),
        ("0.3 grams per kilogram", [(300.0, None, "mg/kg", None)]),
        ("500 milligrams twice a day", [(500.0, None, "mg", "twice daily")]),
        ("6 mg every other week", [(6.0, None, "mg", "every other week")]),
        ("4.5mg", [(4.5, None, "mg", None)]),
    ],
)
def test_amounts_in_digits_and_words(text: str, expected: list[tuple[object, ...]]) -> None:
    assert measured(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It usually runs about $30 a month.",
        "I see 20 30% of people get vivid dreams",
        "fifty to a hundred dollars",
        "KSM-66 is the extract",
        "type 2 diabetes",
        "a 65-year-old woman",
        "ApoB under 60 milligrams per deciliter",
        "20 milligrams per mL oral concentrate",
        "at 10x the dose",
        "it's easy to take two capsules",
    ],
)
def test_money_percentages_codes_ages_and_concentrations_are_not_doses(text: str) -> None:
    assert measured(text) == []
    assert [a for a in find_amounts(text) if a.carriable] == []


def test_bare_numbers_after_dose_verbs_may_carry_a_unit() -> None:
    bare = [a.value for a in find_amounts("So I go to nine. Why not 10?") if a.carriable]
    assert bare == [9.0]
    assert [a.value for a in find_amounts("and sometimes fifty.") if a.carriable] == [50.0]


def test_after_a_week_is_not_a_frequency() -> None:
    assert measured("25 milligrams, and if that's not doing it after a week") == [
        (25.0, None, "mg", None)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A list sharing one unit is one dose per value.
        (
            "100, 200, 300 or 400 milligrams",
            [(100.0, None), (200.0, None), (300.0, None), (400.0, None)],
        ),
        ("two or three grams", [(2000.0, None), (3000.0, None)]),
        # A suspended hyphen: "1- or 2-gram doses", "a 5- to 10-milligram dose".
        ("multiple 1- or 2-gram doses", [(1000.0, None), (2000.0, None)]),
        ("a 5- to 10-milligram dose", [(5.0, 10.0)]),
        # Ranges: a capital "To", "two" written for "to", a unit on both ends, "between".
        ("anywhere from 100 To 200 milligrams", [(100.0, 200.0)]),
        ("one two three milligrams", [(1.0, 3.0)]),
        ("100 milligrams to 200 milligrams", [(100.0, 200.0)]),
        ("between 100 and 200 milligrams", [(100.0, 200.0)]),
        ("twenty two milligrams", [(22.0, None)]),
        # The upper end's hundred or thousand scales a spoken lower end, not a written one.
        ("two to five hundred milligrams", [(200.0, 500.0)]),
        ("three to four thousand IU", [(3000.0, 4000.0)]),
        ("2 to 500 milligrams", [(2.0, 500.0)]),
        # Two numbers one apart, said straight after each other, are a range.
        ("five six grams a day", [(5000.0, 6000.0)]),
        ("three four hundred milligrams", [(300.0, 400.0)]),
        # Fractions of a unit.
        ("a tenth of a milligram", [(0.1, None)]),
        # A dose per a body weight is a dose per kilogram.
        ("30 milligrams per 70 kilograms", [(round(30 / 70, 9), None)]),
        # Zero is never a dose.
        ("the right dose for you is zero milligrams", []),
    ],
)
def test_lists_ranges_fractions_and_zero(
    text: str, expected: list[tuple[float, float | None]]
) -> None:
    assert [(value, top) for value, top, _, _ in measured(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "take it at 7 and then again at 3",  # clock times
        "wait about 30 and then take it",  # a span of time
        "I take three or four weeks off",  # a count of something named after
    ],
)
def test_times_spans_and_counts_never_carry_a_unit(text: str) -> None:
    assert not [amount for amount in find_amounts(text) if amount.carriable]
