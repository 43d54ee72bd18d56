"""Claims read for the API: plain rows with where they were said, a page at a time.

A medication common across thousands of episodes has tens of thousands of claims, and an
ORM object with its segment and episode costs about 70 µs to build; a plain row from one
joined statement costs a few. Each row carries the claim's own columns and `seconds`,
`segment_text`, `episode_id`, `episode_title` and `episode_url`; a dosage or indication also
carries its condition's `condition_name` and `condition_code` (null for a dose said for none).

Lists run in episode and transcript order, which is the order of (segment_id, id): an
episode's segments are stored in transcript order, and a replaced episode is stored anew.
That order is also what the (medication_id, segment_id) indexes hold, so a page of a
common medication's claims reads only that page.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, func, select, tuple_, union
from sqlalchemy.orm import Session

from db import models
from db.pages import PageError, decode_cursor, encode_cursor, page_size

Claim = TypeVar("Claim", models.Mention, models.Dosage, models.Warning, models.Indication)
R = TypeVar("R")

COLUMNS: dict[type[models.Base], tuple[str, ...]] = {
    models.Mention: ("text", "confidence", "matched_by"),
    models.Dosage: (
        "text", "value", "max_value", "unit", "frequency", "per_day", "stance", "speaker",
        "sponsored", "condition_id", "regimen",
    ),
    models.Warning: ("text", "kind", "stance", "speaker", "sponsored"),
    models.Indication: ("text", "condition_id", "stance", "speaker", "sponsored"),
}  # fmt: skip


@cache
def said(model: type[Claim]) -> Select[Any]:
    """The claims of `model` with the segment and episode where each was said. Built once per
    model (about 120 µs a time): a Select is immutable, each caller's where() makes a copy."""
    query = (
        select(
            model.id,
            model.medication_id,
            model.episode_id,
            model.segment_id,
            *(getattr(model, name) for name in COLUMNS[model]),
            models.Segment.seconds,
            models.Segment.text.label("segment_text"),
            models.Episode.title.label("episode_title"),
            models.Episode.url.label("episode_url"),
        )
        .join(models.Segment, models.Segment.id == model.segment_id)
        .join(models.Episode, models.Episode.id == model.episode_id)
    )
    if "condition_id" not in COLUMNS[model]:
        return query
    return query.add_columns(
        models.Condition.name.label("condition_name"),
        models.Condition.code.label("condition_code"),
    ).outerjoin(models.Condition, models.Condition.id == model.__table__.c.condition_id)


def _kind(model: type[models.Base]) -> str:
    return str(model.__tablename__)[:-1]


def cursor(model: type[Claim], row: Row[Any]) -> str:
    """The cursor that continues a list of `model` claims after `row`."""
    return cursor_at(model, row.segment_id, row.id)


def cursor_at(model: type[models.Base], segment_id: int, claim_id: int) -> str:
    """The cursor that continues a list of `model` claims after the claim `claim_id`."""
    return encode_cursor(_kind(model), segment_id, claim_id)


def after_cursor(model: type[Claim], after: str | None) -> ColumnElement[bool] | None:
    """The condition that keeps the claims past the cursor `after`, or None for all."""
    start = cursor_start(model, after)
    if start is None:
        return None
    return tuple_(model.segment_id, model.id) > tuple_(*start)


def cursor_start(model: type[Claim], after: str | None) -> tuple[int, int] | None:
    """The (segment_id, id) that the cursor `after` points at, or None for no cursor;
    PageError when it is not a cursor of this kind of claim."""
    start = decode_cursor(_kind(model), after)
    if start is None:
        return None
    if len(start) != 2 or not all(isinstance(part, int) for part in start):
        raise PageError(f"after: {after!r} is not a cursor from this list of {_kind(model)}s")
    return start[0], start[1]


def claims_about(
    *,
    session: Session,
    model: type[Claim],
    medication_ids: Sequence[int],
    first: int | None = None,
    after: str | None = None,
    most: int | None = None,
) -> dict[int, list[Row[Any]]]:
    """Each medication's claims of `model`, in episode and transcript order: with `first` a
    page of at most that many per medication, without it at most `most` (None: all), and
    with `after` those past its cursor."""
    return _pages(session, model, "medication_id", medication_ids, first, after, most)


def indications_of(
    *,
    session: Session,
    condition_ids: Sequence[int],
    first: int | None = None,
    after: str | None = None,
    most: int | None = None,
) -> dict[int, list[Row[Any]]]:
    """Each condition's indications, as `claims_about` gives a medication's claims."""
    return _pages(session, models.Indication, "condition_id", condition_ids, first, after, most)


def _pages(
    session: Session,
    model: type[Claim],
    key: str,
    ids: Sequence[int],
    first: int | None,
    after: str | None,
    most: int | None,
) -> dict[int, list[Row[Any]]]:
    """The claims of `model` whose column `key` holds one of `ids`, grouped by it, a page of
    each (see claims_about)."""
    column = getattr(model, key)
    query = said(model).where(column.in_(ids))
    past = after_cursor(model, after)
    if past is not None:
        query = query.where(past)
    order = (model.segment_id, model.id)
    size = page_size(first) if first is not None else most
    if size is not None:
        if len(ids) == 1:
            query = query.order_by(*order).limit(size)
        else:
            # A page for each key of a batch: rank within each, keep the first `size`.
            rank = func.row_number().over(partition_by=column, order_by=order)
            ranked = query.add_columns(rank.label("rank")).subquery()
            query = (
                select(ranked)
                .where(ranked.c.rank <= size)
                .order_by(ranked.c.segment_id, ranked.c.id)
            )
            return grouped(session.execute(query).all(), key)
    return grouped(session.execute(query.order_by(*order)).all(), key)


def claims_in(
    *, session: Session, model: type[Claim], episode_ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    """Each episode's claims of `model`, in transcript order."""
    query = said(model).where(model.episode_id.in_(episode_ids))
    return grouped(session.execute(query.order_by(model.segment_id, model.id)).all(), "episode_id")


@dataclass(frozen=True, slots=True)
class Committed:
    """An episode just stored: the hash of the text it was stored from, and the medications
    its dosages and warnings are about."""

    episode_id: int
    digest: str
    medication_ids: tuple[int, ...]


def committed(*, session: Session, episode_id: int) -> Committed | None:
    """What ingesting the episode added, to announce to subscribers; None if it is gone."""
    digest = session.scalar(
        select(models.Episode.content_hash).where(models.Episode.id == episode_id)
    )
    if digest is None:
        return None
    about = union(
        select(models.Dosage.medication_id).where(models.Dosage.episode_id == episode_id),
        select(models.Warning.medication_id).where(models.Warning.episode_id == episode_id),
    ).subquery()
    found = session.scalars(select(about.c.medication_id).order_by(about.c.medication_id))
    return Committed(episode_id, digest, tuple(found))


ANNOUNCED: tuple[type[models.Dosage] | type[models.Warning], ...] = (
    models.Dosage,
    models.Warning,
)


def claims_committed(
    *, session: Session, episode_id: int, digest: str, medication_ids: Sequence[int]
) -> dict[int, list[tuple[type[models.Base], Row[Any]]]]:
    """Each medication's dosages and warnings in the episode, in transcript order, with the
    model of each; none when the episode is no longer the one stored from `digest` (replaced
    since, or another database's episode of that id)."""
    stored = select(models.Episode.id).where(
        models.Episode.id == episode_id, models.Episode.content_hash == digest
    )
    found: dict[int, list[tuple[type[models.Base], Row[Any]]]] = defaultdict(list)
    rows = [
        (model, row)
        for model in ANNOUNCED
        for row in session.execute(
            said(model).where(model.episode_id.in_(stored), model.medication_id.in_(medication_ids))
        )
    ]
    for model, row in sorted(rows, key=lambda pair: (pair[1].segment_id, pair[1].id)):
        found[row.medication_id].append((model, row))
    return found


def grouped(rows: Iterable[R], key: str) -> dict[int, list[R]]:
    """Rows by the id in their attribute `key`, order kept: one query answers a whole batch."""
    found: dict[int, list[R]] = defaultdict(list)
    for row in rows:
        found[getattr(row, key)].append(row)
    return found
