"""A medication and pages of its claims in one statement whose answer the database builds as
JSON: the read behind the API's compiled documents (api/compiled.py).

The database nests the lists (SQLite's json_group_array, PostgreSQL's json_agg); each item is
a JSON array of the columns asked for, in that order, with its sort key first so that the
order never rests on how an aggregate walks its rows. Floats travel as text that reads back
to the same double (SQLite's own JSON keeps 15 digits; PostgreSQL's writes 4.0 as 4), and
booleans as the database has them (SQLite: 0 or 1).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic

import orjson
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    func,
    null,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from db import claims, models
from db.pages import page_size
from ingest.text import normalise

# What a claim's item may hold besides its sort key (segment_id, id).
SAID = {
    "seconds": models.Segment.seconds,
    "segment_text": models.Segment.text,
    "episode_id": models.Episode.id,
    "episode_title": models.Episode.title,
    "episode_url": models.Episode.url,
}
# Claim columns held as floats.
FLOATS = frozenset({"confidence", "value", "max_value", "per_day"})
# The SQL function that writes a float on SQLite (see _as_text).
FLOAT_TEXT = "claimdex_float_text"
CONDITION = {"condition_name": models.Condition.name, "condition_code": models.Condition.code}


@dataclass(frozen=True)
class ClaimList(Generic[claims.Claim]):
    """A list of a medication's claims of `model`: with `first` a page (`after` the cursor it
    follows), without it every claim up to `most`, and one more to tell that there are more.
    Each item holds segment_id, id and then `columns` (claims.COLUMNS of the model, SAID, and
    for a dosage CONDITION)."""

    model: type[claims.Claim]
    columns: tuple[str, ...]
    first: int | None
    after: str | None
    most: int


@dataclass(frozen=True)
class Answer:
    medication_id: int
    name: str
    aliases: list[str]
    lists: list[list[list[Any]]]  # per ClaimList, its items in episode and transcript order


def medication_answer(
    *, session: Session, name: str, lists: Sequence[ClaimList[Any]], aliases: bool
) -> Answer | None:
    """The medication whose alias (exactly, once normalised) is `name`, with its vocabulary
    aliases (when `aliases`) and each of `lists`; None when no alias is exactly `name`.
    PageError names a bad `first` or `after`, as db.claims does."""
    key = normalise(name)
    if not key:
        return None
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        _with_float_text(session)
    values: dict[str, Any] = {"key": key}
    shapes = []
    for number, wanted in enumerate(lists):
        start = claims.cursor_start(wanted.model, wanted.after)
        values[f"size_{number}"] = (
            page_size(wanted.first) if wanted.first is not None else wanted.most + 1
        )
        if start is not None:
            values[f"segment_{number}"], values[f"id_{number}"] = start
        shapes.append((wanted.model, wanted.columns, start is not None))
    row = session.execute(_statement(tuple(shapes), aliases, postgres), values).one_or_none()
    if row is None:
        return None
    loads: Callable[[Any], Any] = orjson.loads
    found = [sorted(loads(text)) if text is not None else [] for text in row[2:]]
    names = [alias for _, alias in found.pop(0)] if aliases else []
    return Answer(medication_id=row[0], name=row[1], aliases=names, lists=found)


# Each list's model, its columns and whether it starts past a cursor.
Shape = tuple[type[Any], tuple[str, ...], bool]


@lru_cache(maxsize=256)
def _statement(shapes: tuple[Shape, ...], aliases: bool, postgres: bool) -> Select[Any]:
    """The statement for lists of these shapes, made once: the alias key, each page's size
    and cursor are bound parameters. Building the expression was half the time of a
    compiled answer when it was made afresh for every request (`python -m bench.profile`)."""
    medication = models.Medication
    columns: list[Any] = [medication.id, medication.name]
    if aliases:
        columns.append(_aliases(postgres))
    columns += [_claims(number, *shape, postgres) for number, shape in enumerate(shapes)]
    return (
        select(*columns)
        .join(models.Alias, models.Alias.medication_id == medication.id)
        .where(models.Alias.key == bindparam("key"))
    )


def _aliases(postgres: bool) -> Any:
    alias = models.Alias
    rank = func.row_number().over(order_by=alias.name)
    ranked = (
        select(rank.label("rank"), alias.name.label("name"))
        .where(alias.medication_id == models.Medication.id, alias.spoken.is_(False))
        .correlate(models.Medication)
        .subquery()
    )
    return _gathered([ranked.c.rank, ranked.c.name], postgres)


def _claims(
    number: int,
    model: type[claims.Claim],
    wanted: tuple[str, ...],
    past_cursor: bool,
    postgres: bool,
) -> Any:
    query = (
        select(
            model.segment_id,
            model.id,
            *(_column(model, name, postgres) for name in wanted),
        )
        .join(models.Segment, models.Segment.id == model.segment_id)
        .join(models.Episode, models.Episode.id == model.episode_id)
        .where(model.medication_id == models.Medication.id)
        .correlate(models.Medication)
    )
    if model is models.Dosage:
        query = query.outerjoin(models.Condition, models.Condition.id == models.Dosage.condition_id)
    if past_cursor:
        start = (
            bindparam(f"segment_{number}", type_=Integer),
            bindparam(f"id_{number}", type_=Integer),
        )
        query = query.where(tuple_(model.segment_id, model.id) > tuple_(*start))
    size = bindparam(f"size_{number}", type_=Integer)
    page = query.order_by(model.segment_id, model.id).limit(size).subquery()
    return _gathered(list(page.c), postgres)


def _column(model: type[claims.Claim], name: str, postgres: bool) -> Any:
    if name in SAID:
        return SAID[name]
    if model is models.Dosage and name in CONDITION:
        return CONDITION[name]
    if name not in claims.COLUMNS[model]:
        raise ValueError(f"{model.__tablename__} have no column {name!r} to answer with")
    column = getattr(model, name)
    return _as_text(column, postgres) if name in FLOATS else column


def _gathered(columns: list[Any], postgres: bool) -> Any:
    """The rows of the subquery that `columns` come from as one JSON array of arrays."""
    if postgres:
        # As text: orjson reads it faster than the driver's own JSON loading would.
        gathered = cast(func.json_agg(func.json_build_array(*columns)), Text)
        return select(gathered).scalar_subquery()
    return select(func.json_group_array(func.json_array(*columns))).scalar_subquery()


# Below this magnitude SQLite's printf with 17 significant digits reads back to the same
# double; above it, it can miss in the last digit.
PRINTF_EXACT_BELOW = 1e100


def _as_text(column: ColumnElement[Any], postgres: bool) -> ColumnElement[Any]:
    """A float as text that reads back to the same double: PostgreSQL writes the shortest
    such text itself (extra_float_digits > 0, its default); SQLite's printf writes 17 digits
    up to PRINTF_EXACT_BELOW, and Python's repr (FLOAT_TEXT) writes the rest. Calling Python
    for every value held the GIL from inside SQLite: under 16 clients the headline's reads
    queued on it (`python -m bench.throughput --profile`)."""
    if postgres:
        return cast(column, Text)
    return case(
        (column.is_(None), null()),
        (func.abs(column) < PRINTF_EXACT_BELOW, func.printf("%!.17g", column)),
        else_=getattr(func, FLOAT_TEXT)(column),
    )


def _float_text(value: float | None) -> str | None:
    return None if value is None else repr(float(value))


def _with_float_text(session: Session) -> None:
    """FLOAT_TEXT on the SQLite connection the session reads through, once per connection."""
    connection = session.connection().connection
    if not connection.info.get(FLOAT_TEXT):
        driver = connection.driver_connection
        assert driver is not None
        driver.create_function(FLOAT_TEXT, 1, _float_text, deterministic=True)
        connection.info[FLOAT_TEXT] = True
