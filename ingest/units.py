"""Amounts and their units through pint: one canonical unit per dimension, durations in seconds."""

import re
from functools import cache

import pint

# Doses are reported in one unit per dimension, so that "1000 mcg" and "1 mg" compare equal.
CANONICAL_UNITS = {"[mass]": "mg", "[volume]": "mL", "[biological_activity]": "IU"}
DIMENSION_NAMES = {
    "[mass]": "a mass",
    "[volume]": "a volume",
    "[biological_activity]": "international units",
}
EXAMPLES = {"[mass]": "4 mg", "[volume]": "5 mL", "[biological_activity]": "2000 IU"}

DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


class UnitError(ValueError):
    """An amount whose unit is unknown or of the wrong dimension."""


@cache
def registry() -> "pint.UnitRegistry[float]":
    """The shared registry, built once: pint's definitions plus international units."""
    units: pint.UnitRegistry[float] = pint.UnitRegistry()
    # Vitamins and hormones are dosed by biological activity, which has no SI conversion.
    units.define("international_unit = [biological_activity] = IU = iu")
    return units


@cache
def dimension_of(unit: str) -> str | None:
    """The dimension key in CANONICAL_UNITS for a unit name, or None when it is not a dose unit."""
    try:
        dimensionality = registry().parse_units(unit).dimensionality
    except (pint.UndefinedUnitError, pint.DefinitionSyntaxError, AttributeError, ValueError):
        return None
    for key in CANONICAL_UNITS:
        if dimensionality == registry().get_dimensionality(key):
            return key
    return None


def to_canonical(value: float, unit: str) -> tuple[float, str]:
    """The amount in its dimension's canonical unit: (1000, "mcg") -> (1.0, "mg"), and a dose
    by body weight or surface in the same way: (0.3, "g/kg") -> (300.0, "mg/kg")."""
    amount, per, body = unit.partition("/")
    factor, canonical = _conversion(amount)
    return round(value * factor, 9), f"{canonical}{per}{body}"


@cache
def _conversion(unit: str) -> tuple[float, str]:
    """pint's factor from `unit` to its canonical unit, asked once per unit: a conversion
    through pint costs a fraction of a millisecond, and extraction makes many."""
    dimension = dimension_of(unit)
    if dimension is None:
        raise UnitError(f"{unit!r} is not a unit of mass, volume or international units")
    canonical = CANONICAL_UNITS[dimension]
    return float(registry().Quantity(1.0, unit).to(canonical).magnitude), canonical


def parse_amount(text: str, *, expected: str | None = None) -> tuple[float, str]:
    """Reads "4 mg", "4500 ug" or "0.01 g" into the canonical unit; UnitError says what is wrong."""
    try:
        quantity = registry().Quantity(text.strip())
    except (pint.UndefinedUnitError, pint.DefinitionSyntaxError, AttributeError, ValueError) as e:
        unknown = getattr(e, "unit_names", None) or [text.strip()]
        raise UnitError(f"unknown unit {unknown[0]!r} in {text!r}") from None
    if isinstance(quantity, (int, float)) or quantity.dimensionless:
        raise UnitError(f"{text!r} has no unit")
    unit = format(quantity.units)
    dimension = dimension_of(unit)
    if dimension is None or (expected is not None and dimension != expected):
        # A dose unit of the wrong kind is named ("a volume"), never as pint's "[length] ** 3".
        found = DIMENSION_NAMES.get(dimension or "") or "a " + format(quantity.dimensionality)
        wanted = DIMENSION_NAMES.get(expected or "", "a dose amount")
        raise UnitError(f"{text!r} is {found.replace('[', '').replace(']', '')}, not {wanted}")
    return to_canonical(float(quantity.magnitude), unit)


def duration_seconds(text: str) -> int | None:
    """Seconds in "9 minutes", "1 hour 5 minutes", "1h05m" or "1:02:03"; None when unreadable."""
    text = text.strip().lower()
    if clock := CLOCK.match(text):
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    parts = DURATION_PART.findall(text)
    if not parts:
        return None
    total = 0.0
    for amount, unit in parts:
        unit = {"h": "hour", "m": "minute", "min": "minute", "mins": "minute", "s": "second"}.get(
            unit, unit
        )
        try:
            quantity = registry().Quantity(float(amount), unit)
            total += float(quantity.to("second").magnitude)
        except (pint.UndefinedUnitError, pint.DimensionalityError):
            return None
    return round(total)
