"""Keyset pagination: opaque cursors that stay valid while rows are added.

Hand-written rather than sqlakeyset: that library pages one select at a time, while
db/claims.py pages every medication of a DataLoader batch in one statement (row_number() per
medication), and search pages hits that the full-text module ranks in its own dialect-specific
SQL. Its bookmarks would also replace the cursors clients hold, which name their list.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100


class PageError(ValueError):
    """A page request that cannot be served: a bad cursor or size."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    total: int


def encode_cursor(kind: str, *key: Any) -> str:
    """An opaque cursor for the row whose sort key is `key` in a list of `kind`."""
    raw = json.dumps([kind, *key], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> list[Any] | None:
    """The sort key in `cursor`, or None for the first page; PageError names a bad cursor."""
    if cursor is None:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(raw, list) and raw and raw[0] == kind:
            return raw[1:]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise PageError(f"after: {cursor!r} is not a cursor from this list of {kind}s")


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise PageError(f"first: {size} is out of range; ask for 0 to {MAX_PAGE} items a page")
    return size
