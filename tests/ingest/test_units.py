"""ingest/units.py: amounts in one canonical unit per dimension, and durations in seconds."""

import pytest

from ingest.units import UnitError, dimension_of, duration_seconds, parse_amount, to_canonical


@pytest.mark.parametrize(
    ("unit", "dimension"),
    [("mg", "[mass]"), ("mcg", "[mass]"), ("mL", "[volume]"), ("IU", "[biological_activity]")],
)
def test_dose_units_have_a_dimension(unit: str, dimension: str) -> None:
    assert dimension_of(unit) == dimension


@pytest.mark.parametrize("unit", ["parsecs", "second", "percent", "kg/m"])
def test_other_units_are_no_dose_unit(unit: str) -> None:
    assert dimension_of(unit) is None


def test_amounts_convert_to_the_canonical_unit_per_body_weight_too() -> None:
    assert to_canonical(1000, "mcg") == (1.0, "mg")
    assert to_canonical(0.3, "g/kg") == (300.0, "mg/kg")
    assert to_canonical(2, "L") == (2000.0, "mL")
    with pytest.raises(UnitError, match="'parsecs' is not a unit of mass"):
        to_canonical(1, "parsecs")


def test_amounts_are_read_from_text() -> None:
    assert parse_amount("4500 ug") == (4.5, "mg")
    assert parse_amount(" 0.01 g ") == (10.0, "mg")
    assert parse_amount("2000 IU", expected="[biological_activity]") == (2000.0, "IU")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4 parsecs", "'4 parsecs' is a length, not a dose amount"),
        ("4", "'4' has no unit"),
        ("4 blorps", "unknown unit 'blorps' in '4 blorps'"),
        ("5 mL", "'5 mL' is a volume, not a mass"),
        ("3 m**2", "'3 m**2' is a length ** 2, not a dose amount"),
    ],
)
def test_an_unreadable_amount_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(UnitError) as raised:
        parse_amount(text, expected="[mass]" if "mL" in text else None)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("9 minutes", 540),
        ("1 hour 5 minutes", 3900),
        ("1h05m", 3900),
        ("1:02:03", 3723),
        ("02:03", 123),
        ("90 s", 90),
    ],
)
def test_durations_in_seconds(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 furlongs", "3 mg"])
def test_an_unreadable_duration_is_none(text: str) -> None:
    assert duration_seconds(text) is None
