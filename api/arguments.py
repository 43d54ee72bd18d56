"""Reading client arguments shared by GraphQL and REST: amounts with units, ids, names."""

import httpx
from sqlalchemy.orm import Session

from api.types.node import NodeIdError, from_global_id
from db import queries
from ingest.units import CANONICAL_UNITS, DIMENSION_NAMES, EXAMPLES, UnitError, parse_amount


class ArgumentError(ValueError):
    """A client argument that cannot be used; the message names the argument."""


EXPECTED = ", ".join(f"{DIMENSION_NAMES[d]} such as {EXAMPLES[d]!r}" for d in CANONICAL_UNITS)


def amount(name: str, text: str | None) -> tuple[float, str] | None:
    """An amount such as "4 mg" or "4500 ug" in its canonical unit; None when not given."""
    if text is None or not text.strip():
        return None
    try:
        return parse_amount(text)
    except UnitError as error:
        raise ArgumentError(f"{name}: {error}; expected {EXPECTED}") from None


def amount_range(
    low_text: str | None, high_text: str | None
) -> tuple[tuple[float, str] | None, tuple[float, str] | None]:
    low, high = amount("min", low_text), amount("max", high_text)
    if low is not None and high is not None and low[1] != high[1]:
        raise ArgumentError(
            f"max: {high_text!r} is in {high[1]} but min: {low_text!r} is in {low[1]}; "
            "give both in one kind of unit"
        )
    return low, high


def episode_id(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return from_global_id(value, kind="Episode")[1]
    except NodeIdError as error:
        raise ArgumentError(f"{name}: {error}") from None


def medication_id(*, session: Session, name: str | None) -> int | None:
    """The id of the medication `name` resolves to; -1 (matches nothing) when unknown."""
    if name is None:
        return None
    medication = queries.medication_named(session=session, name=name)
    return medication.id if medication is not None else -1


def condition_id(*, session: Session, name: str | None) -> int | None:
    """The id of the condition `name` names; -1 (matches nothing) when unknown."""
    if name is None:
        return None
    condition = queries.condition_named(session=session, name=name)
    return condition.id if condition is not None else -1


def feed_url(name: str, value: str) -> str:
    """A feed's http(s) URL, stripped. Nothing else: a server must not read its own files on
    a client's say-so, so a path or file: URL is refused (`claimdex feed add FILE` takes one on
    the server's own command line)."""
    given = value.strip()
    try:
        url = httpx.URL(given)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ArgumentError(
            f"{name}: {value!r} is not an http(s) URL; give the feed's address, such as "
            "https://example.org/podcast/feed.xml"
        )
    return given
