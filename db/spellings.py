"""Near spellings through an index, for medication names and search words.

Each alias and search term is stored under deletion keys (SymSpell's): itself, and every string
made by deleting one of its characters. Two words one edit apart (an insertion, deletion,
substitution or transposition) share a key, so a misspelt word finds them with `key IN (...)`
over its own keys, and only those few are scored in Python. The rows a lookup reads follow the
length of the word, never the number of words stored.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models

# Search widens a word only to terms sharing its first two letters, so terms are keyed by
# deletions after those two: fewer rows, and every candidate found already shares them.
TERM_PREFIX = 2
# Longest stored alias key and search term (the key columns' widths): a word more than one
# character longer is more than one edit from any of them.
LONGEST_ALIAS = 256
LONGEST_TERM = 64


def keys(word: str, *, kept: int = 0) -> set[str]:
    """`word` and every string made by deleting one of its characters after the first `kept`."""
    return {word} | {word[:at] + word[at + 1 :] for at in range(kept, len(word))}


def alias_rows(aliases: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    """The alias_spellings rows of (alias id, alias key) pairs."""
    return [{"key": key, "alias_id": alias_id} for alias_id, word in aliases for key in keys(word)]


def term_rows(terms: Iterable[str]) -> list[dict[str, Any]]:
    """The term_spellings rows of search terms."""
    return [{"key": key, "term": term} for term in terms for key in keys(term, kept=TERM_PREFIX)]


def near_aliases(*, session: Session, key: str) -> Sequence[tuple[str, int]]:
    """(alias key, medication id) of the aliases sharing a deletion key with `key`, in the
    order they were stored."""
    if len(key) > LONGEST_ALIAS + 1:
        return []
    spelt = select(models.AliasSpelling.alias_id).where(
        models.AliasSpelling.key.in_(sorted(keys(key)))
    )
    found = session.execute(
        select(models.Alias.key, models.Alias.medication_id)
        .where(models.Alias.id.in_(spelt))
        .order_by(models.Alias.id)
    )
    return [(alias, medication_id) for alias, medication_id in found]


def near_terms(*, session: Session, word: str) -> Sequence[str]:
    """The search terms sharing a deletion key (and so their first two letters) with `word`,
    in order."""
    if len(word) > LONGEST_TERM + 1:
        return []
    return session.scalars(
        select(models.TermSpelling.term)
        .where(models.TermSpelling.key.in_(sorted(keys(word, kept=TERM_PREFIX))))
        .distinct()
        .order_by(models.TermSpelling.term)
    ).all()
