"""Query functions: the only way the API reads the database. Typed, keyword-only, batched."""

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Row, and_, false, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from db import claims, models, spellings, tallies
from db import search as db_search
from db.claims import grouped, said
from db.pages import Page, PageError, decode_cursor, encode_cursor, page_size
from ingest.text import normalise

# A name typed at query time resolves to a stored alias one edit from it (db/spellings.py)
# when this alike.
NAME_MATCH_SCORE = 85.0


def medication_named(*, session: Session, name: str) -> models.Medication | None:
    """The medication any alias, brand, abbreviation or misspelling names, or None."""
    key = normalise(name)
    if not key:
        return None
    medication = session.scalar(
        select(models.Medication)
        .join(models.Alias, models.Alias.medication_id == models.Medication.id)
        .where(models.Alias.key == key)
    )
    if medication is not None:
        return medication
    near = spellings.near_aliases(session=session, key=key)
    best = process.extractOne(
        key, [alias for alias, _ in near], scorer=fuzz.ratio, score_cutoff=NAME_MATCH_SCORE
    )
    if best is None:
        return None
    return session.get(models.Medication, near[best[2]][1])


def medications(*, session: Session) -> Sequence[models.Medication]:
    """Every medication some episode mentions or doses (those with a tally), by name."""
    return session.scalars(
        select(models.Medication)
        .join(models.MedicationTally, models.MedicationTally.medication_id == models.Medication.id)
        .order_by(models.Medication.name)
    ).all()


def aliases_for(
    *, session: Session, medication_ids: Sequence[int], heard: bool = False
) -> dict[int, list[str]]:
    """Alias names per medication: vocabulary names, or with `heard` the transcripts' spellings."""
    rows = session.execute(
        select(models.Alias.medication_id, models.Alias.name)
        .where(models.Alias.medication_id.in_(medication_ids), models.Alias.spoken.is_(heard))
        .order_by(models.Alias.name)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for medication_id, name in rows:
        found[medication_id].append(name)
    return found


class EpisodeOrder(enum.StrEnum):
    ADDED = "added"  # the order of ingestion
    NEWEST = "newest"  # latest upload date first
    OLDEST = "oldest"
    TITLE = "title"


NO_DATE = date(1, 1, 1)


def _episode_key(order: EpisodeOrder) -> tuple[ColumnElement[Any], bool]:
    """The sort column for `order`, and whether it runs descending."""
    if order is EpisodeOrder.TITLE:
        return models.Episode.title.expression, False
    if order in (EpisodeOrder.NEWEST, EpisodeOrder.OLDEST):
        published = func.coalesce(models.Episode.upload_date, NO_DATE)
        return published, order is EpisodeOrder.NEWEST
    return models.Episode.id.expression, False


def _episode_value(row: models.Episode, order: EpisodeOrder) -> Any:
    if order is EpisodeOrder.TITLE:
        return row.title
    if order in (EpisodeOrder.NEWEST, EpisodeOrder.OLDEST):
        return (row.upload_date or NO_DATE).isoformat()
    return row.id


def episodes_page(
    *,
    session: Session,
    first: int | None = None,
    after: str | None = None,
    search: str | None = None,
    channel: str | None = None,
    medication_id: int | None = None,
    published_after: date | None = None,
    published_before: date | None = None,
    order: EpisodeOrder = EpisodeOrder.ADDED,
) -> Page[models.Episode]:
    """A page of episodes matching every filter given; the cursor holds the sort key and id,
    so pages stay exact while episodes are added."""
    size = page_size(first)
    conditions: list[ColumnElement[bool]] = []
    if search is not None:
        matching = db_search.matching_episodes(session=session, query=search)
        conditions.append(models.Episode.id.in_(matching) if matching is not None else false())
    if channel is not None:
        conditions.append(func.lower(models.Episode.channel) == channel.lower())
    if medication_id is not None:
        mentioned = select(models.Mention.episode_id).where(
            models.Mention.medication_id == medication_id
        )
        conditions.append(models.Episode.id.in_(mentioned))
    if published_after is not None:
        conditions.append(models.Episode.upload_date >= published_after)
    if published_before is not None:
        conditions.append(models.Episode.upload_date <= published_before)
    key, descending = _episode_key(order)
    query = select(models.Episode).where(*conditions)
    start = decode_cursor(f"episode-{order.value}", after)
    if start is not None:
        value, last_id = _cursor_value(start, order), start[1]
        beyond = key < value if descending else key > value
        query = query.where(or_(beyond, and_(key == value, models.Episode.id > last_id)))
    query = query.order_by(key.desc() if descending else key, models.Episode.id)
    rows = session.scalars(query.limit(size + 1)).all()
    total = session.scalar(select(func.count()).select_from(models.Episode).where(*conditions))
    shown = rows[:size]
    return Page(
        rows=shown,
        cursors=[
            encode_cursor(f"episode-{order.value}", _episode_value(row, order), row.id)
            for row in shown
        ],
        has_next=len(rows) > size,
        total=total or 0,
    )


def _cursor_value(start: list[Any], order: EpisodeOrder) -> Any:
    if len(start) != 2:
        raise PageError("after: the cursor does not belong to this list")
    if order in (EpisodeOrder.NEWEST, EpisodeOrder.OLDEST):
        return date.fromisoformat(str(start[0]))
    return start[0]


def dosages_page(
    *,
    session: Session,
    first: int | None = None,
    after: str | None = None,
    medication_id: int | None = None,
    low: tuple[float, str] | None = None,
    high: tuple[float, str] | None = None,
    episode_id: int | None = None,
    channel: str | None = None,
    stances: Sequence[str] | None = None,
    speaker: str | None = None,
    include_sponsored: bool = False,
    condition_id: int | None = None,
) -> Page[Row[Any]]:
    """A page of dosages in episode and transcript order, as plain rows with where each was
    said (`db.claims`). `low` and `high` are amounts in a canonical unit ((5.0, "mg")); a dose
    or range overlapping [low, high] in that unit matches; `condition_id` keeps the doses said
    to be for that condition. Doses said in sponsor reads are advertising, and are left out
    unless `include_sponsored`."""
    conditions = _dosage_conditions(medication_id, low, high, episode_id, channel)
    if stances is not None:
        conditions.append(models.Dosage.stance.in_(stances))
    if speaker is not None:
        conditions.append(func.lower(models.Dosage.speaker) == speaker.lower())
    if condition_id is not None:
        conditions.append(models.Dosage.condition_id == condition_id)
    if not include_sponsored:
        conditions.append(models.Dosage.sponsored.is_(False))
    return _claims_page(session, models.Dosage, conditions, first, after)


def indications_page(
    *,
    session: Session,
    medication_id: int,
    first: int | None = None,
    after: str | None = None,
    condition_id: int | None = None,
    include_sponsored: bool = False,
) -> Page[Row[Any]]:
    """A page of a medication's indications in episode and transcript order, as plain rows
    with where each was said (`db.claims`), of one condition if `condition_id`. Sponsor reads
    are left out unless `include_sponsored`."""
    conditions = [models.Indication.medication_id == medication_id]
    if condition_id is not None:
        conditions.append(models.Indication.condition_id == condition_id)
    if not include_sponsored:
        conditions.append(models.Indication.sponsored.is_(False))
    return _claims_page(session, models.Indication, conditions, first, after)


def _claims_page(
    session: Session,
    model: type[claims.Claim],
    conditions: Sequence[ColumnElement[bool]],
    first: int | None,
    after: str | None,
) -> Page[Row[Any]]:
    """A page of the claims of `model` that meet every condition, in episode and transcript
    order, with how many meet them in all."""
    size = page_size(first)
    query = said(model).where(*conditions)
    past = claims.after_cursor(model, after)
    if past is not None:
        query = query.where(past)
    rows = session.execute(query.order_by(model.segment_id, model.id).limit(size + 1)).all()
    total = session.scalar(select(func.count()).select_from(model).where(*conditions))
    shown = rows[:size]
    return Page(
        rows=shown,
        cursors=[claims.cursor(model, row) for row in shown],
        has_next=len(rows) > size,
        total=total or 0,
    )


def _dosage_conditions(
    medication_id: int | None,
    low: tuple[float, str] | None,
    high: tuple[float, str] | None,
    episode_id: int | None,
    channel: str | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if medication_id is not None:
        conditions.append(models.Dosage.medication_id == medication_id)
    if low is not None:
        top = func.coalesce(models.Dosage.max_value, models.Dosage.value)
        conditions += [models.Dosage.unit == low[1], top >= low[0]]
    if high is not None:
        conditions += [models.Dosage.unit == high[1], models.Dosage.value <= high[0]]
    if episode_id is not None:
        conditions.append(models.Dosage.episode_id == episode_id)
    if channel is not None:
        in_channel = select(models.Episode.id).where(
            func.lower(models.Episode.channel) == channel.lower()
        )
        conditions.append(models.Dosage.episode_id.in_(in_channel))
    return conditions


def search_page(
    *,
    session: Session,
    query: str,
    first: int | None = None,
    after: str | None = None,
    count: bool = True,
) -> Page[tuple[db_search.Hit, models.Segment]]:
    """A page of full-text hits, best first, each with its segment and episode loaded; the
    total of hits when `count` (else 0): counting reads every match, which ranking with the
    top-k index does not."""
    size = page_size(first)
    start = decode_cursor("hit", after)
    last = (float(start[0]), int(start[1])) if start is not None and len(start) == 2 else None
    hits = db_search.search_segments(session=session, query=query, limit=size + 1, after=last)
    shown = hits[:size]
    segments = {
        row.id: row
        for row in session.scalars(
            select(models.Segment)
            .where(models.Segment.id.in_([hit.segment_id for hit in shown]))
            .options(joinedload(models.Segment.episode))
        )
    }
    return Page(
        rows=[(hit, segments[hit.segment_id]) for hit in shown],
        cursors=[encode_cursor("hit", hit.score, hit.segment_id) for hit in shown],
        has_next=len(hits) > size,
        total=db_search.count_segments(session=session, query=query) if count else 0,
    )


@dataclass(frozen=True, slots=True)
class MedicationStats:
    medication: models.Medication
    episodes: int
    mentions: int
    dosages: int
    unit: str | None  # the unit most of its doses are in; the figures below are in it
    low: float | None
    median: float | None
    high: float | None


def medication_stats_page(
    *, session: Session, first: int | None = None, after: str | None = None
) -> Page[MedicationStats]:
    """Per medication, by name: episodes, mentions and dosages, and its doses' spread, none
    of them counting what sponsor reads say. Read from the tallies every write keeps
    (db/tallies.py), so a page costs its own rows whatever the corpus holds."""
    size = page_size(first)
    total = session.scalar(select(func.count()).select_from(models.MedicationTally)) or 0
    query = select(models.Medication, models.MedicationTally).join(
        models.MedicationTally, models.MedicationTally.medication_id == models.Medication.id
    )
    start = decode_cursor("medication", after)
    if start is not None:
        query = query.where(models.Medication.name > str(start[0]))
    rows = session.execute(query.order_by(models.Medication.name).limit(size + 1)).all()
    shown = rows[:size]
    spreads = tallies.spreads(session=session, medication_ids=[row.id for row, _ in shown])
    stats = []
    for row, tally in shown:
        spread = spreads.get(row.id, tallies.NO_DOSES)
        stats.append(
            MedicationStats(
                medication=row,
                episodes=tally.episodes,
                mentions=tally.mentions,
                dosages=tally.dosages,
                unit=spread.unit,
                low=spread.low,
                median=spread.median,
                high=spread.high,
            )
        )
    return Page(
        rows=stats,
        cursors=[encode_cursor("medication", row.name) for row, _ in shown],
        has_next=len(rows) > size,
        total=total,
    )


def condition_named(*, session: Session, name: str) -> models.Condition | None:
    """The condition its canonical name or any term the vocabulary gives names ("CRPS",
    "brain fog"), or None."""
    key = normalise(name)
    if not key:
        return None
    return session.scalar(
        select(models.Condition)
        .join(models.ConditionAlias, models.ConditionAlias.condition_id == models.Condition.id)
        .where(models.ConditionAlias.key == key)
    )


def conditions_page(
    *, session: Session, first: int | None = None, after: str | None = None
) -> Page[models.Condition]:
    """A page of the conditions some stored indication names, by name."""
    size = page_size(first)
    query = select(models.Condition).where(
        models.Condition.id.in_(select(models.Indication.condition_id))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    start = decode_cursor("condition", after)
    if start is not None:
        if len(start) != 1 or not isinstance(start[0], str):
            raise PageError(f"after: {after!r} is not a cursor from this list of conditions")
        query = query.where(models.Condition.name > start[0])
    rows = session.scalars(query.order_by(models.Condition.name).limit(size + 1)).all()
    shown = rows[:size]
    return Page(
        rows=list(shown),
        cursors=[encode_cursor("condition", row.name) for row in shown],
        has_next=len(rows) > size,
        total=total,
    )


def condition_aliases_for(
    *, session: Session, condition_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The terms that name each condition besides its canonical name, alphabetically."""
    rows = session.execute(
        select(models.ConditionAlias.condition_id, models.ConditionAlias.name)
        .join(models.Condition, models.Condition.id == models.ConditionAlias.condition_id)
        .where(
            models.ConditionAlias.condition_id.in_(condition_ids),
            models.ConditionAlias.name != models.Condition.name,
        )
        .order_by(models.ConditionAlias.condition_id, func.lower(models.ConditionAlias.name))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for condition, alias in rows:
        found[condition].append(alias)
    return found


def medications_for_conditions(
    *, session: Session, condition_ids: Sequence[int], most: int | None = None
) -> dict[int, list[models.Medication]]:
    """Per condition, the medications said to be used for it outside sponsor reads, by name;
    at most `most` each (None: all)."""
    pairs = (
        select(models.Indication.condition_id, models.Indication.medication_id)
        .where(
            models.Indication.condition_id.in_(condition_ids),
            models.Indication.sponsored.is_(False),
        )
        .distinct()
        .subquery()
    )
    rank = func.row_number().over(
        partition_by=pairs.c.condition_id, order_by=models.Medication.name
    )
    ranked = (
        select(pairs.c.condition_id, models.Medication.id, rank.label("rank"))
        .join(models.Medication, models.Medication.id == pairs.c.medication_id)
        .subquery()
    )
    query = select(ranked.c.condition_id, models.Medication).join(
        models.Medication, models.Medication.id == ranked.c.id
    )
    if most is not None:
        query = query.where(ranked.c.rank <= most)
    found: dict[int, list[models.Medication]] = defaultdict(list)
    for condition, medication in session.execute(
        query.order_by(ranked.c.condition_id, ranked.c.rank)
    ):
        found[condition].append(medication)
    return found


def medications_by_id(
    *, session: Session, medication_ids: Sequence[int]
) -> dict[int, models.Medication]:
    """Medications by id, in one statement."""
    rows = session.scalars(
        select(models.Medication).where(models.Medication.id.in_(medication_ids))
    )
    return {row.id: row for row in rows}


def condition_by_id(*, session: Session, condition_id: int) -> models.Condition | None:
    return session.get(models.Condition, condition_id)


def medication_by_id(*, session: Session, medication_id: int) -> models.Medication | None:
    return session.get(models.Medication, medication_id)


def segment_by_id(*, session: Session, segment_id: int) -> models.Segment | None:
    return session.get(models.Segment, segment_id, options=[joinedload(models.Segment.episode)])


def episode_by_id(*, session: Session, episode_id: int) -> models.Episode | None:
    return session.get(models.Episode, episode_id)


def episodes_by_id(*, session: Session, episode_ids: Sequence[int]) -> dict[int, models.Episode]:
    """Episodes by id, in one statement."""
    rows = session.scalars(select(models.Episode).where(models.Episode.id.in_(episode_ids)))
    return {row.id: row for row in rows}


def segments_for(
    *, session: Session, episode_ids: Sequence[int]
) -> dict[int, list[models.Segment]]:
    """Transcript segments per episode, in order, each with its episode loaded."""
    rows = session.scalars(
        select(models.Segment)
        .where(models.Segment.episode_id.in_(episode_ids))
        .options(joinedload(models.Segment.episode))
        .order_by(models.Segment.episode_id, models.Segment.position)
    ).all()
    return grouped(rows, "episode_id")


def quotes_for(*, session: Session, episode_ids: Sequence[int]) -> dict[int, list[models.Quote]]:
    """Notable quotes per episode, with the segment where each is said."""
    rows = session.scalars(
        select(models.Quote)
        .where(models.Quote.episode_id.in_(episode_ids))
        .options(
            joinedload(models.Quote.episode),
            selectinload(models.Quote.segment).joinedload(models.Segment.episode),
        )
        .order_by(models.Quote.episode_id, models.Quote.position)
    ).all()
    return grouped(rows, "episode_id")


def summary_for(
    *, session: Session, episode_ids: Sequence[int]
) -> dict[int, list[models.SummaryPoint]]:
    """AI-summary lines per episode, in order, with the segment that supports each."""
    rows = session.scalars(
        select(models.SummaryPoint)
        .where(models.SummaryPoint.episode_id.in_(episode_ids))
        .options(selectinload(models.SummaryPoint.segment).joinedload(models.Segment.episode))
        .order_by(models.SummaryPoint.episode_id, models.SummaryPoint.position)
    ).all()
    return grouped(rows, "episode_id")


def counts(*, session: Session) -> dict[str, int]:
    """Row counts per table, for reports and for checking that nothing was half-written."""
    tables = [
        models.Episode, models.Segment, models.Medication, models.Alias, models.Mention,
        models.Dosage, models.Warning, models.Condition, models.Indication, models.Quote,
        models.SummaryPoint,
    ]  # fmt: skip
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in tables
    }
