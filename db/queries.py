"""Query functions: the only way the API reads the database. Typed, keyword-only, batched."""

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from db import models
from db.pages import Page, decode_cursor, encode_cursor, page_size
from ingest.text import normalise

# A name typed at query time that is this close to a stored alias resolves to it.
NAME_MATCH_SCORE = 85.0

Claim = TypeVar("Claim", models.Mention, models.Dosage, models.Warning)


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
    aliases = session.execute(select(models.Alias.key, models.Alias.medication_id)).all()
    best = process.extractOne(
        key, [alias for alias, _ in aliases], scorer=fuzz.ratio, score_cutoff=NAME_MATCH_SCORE
    )
    if best is None:
        return None
    return session.get(models.Medication, aliases[best[2]].medication_id)


def medications(*, session: Session) -> Sequence[models.Medication]:
    """Every medication some episode mentions or doses, by name."""
    mentioned = select(models.Mention.medication_id).union(select(models.Dosage.medication_id))
    return session.scalars(
        select(models.Medication)
        .where(models.Medication.id.in_(mentioned))
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


def _claims_for(
    session: Session, model: type[Claim], medication_ids: Sequence[int]
) -> dict[int, list[Claim]]:
    rows = session.scalars(
        select(model)
        .join(models.Segment, model.segment_id == models.Segment.id)
        .where(model.medication_id.in_(medication_ids))
        .options(selectinload(model.segment).joinedload(models.Segment.episode))
        .order_by(model.episode_id, models.Segment.position, model.id)
    ).all()
    found: dict[int, list[Claim]] = defaultdict(list)
    for row in rows:
        found[row.medication_id].append(row)
    return found


def mentions_for(
    *, session: Session, medication_ids: Sequence[int]
) -> dict[int, list[models.Mention]]:
    """Mentions per medication, in episode and transcript order, with their segment loaded."""
    return _claims_for(session, models.Mention, medication_ids)


def dosages_for(
    *, session: Session, medication_ids: Sequence[int]
) -> dict[int, list[models.Dosage]]:
    """Dosages per medication, in episode and transcript order, with their segment loaded."""
    return _claims_for(session, models.Dosage, medication_ids)


def warnings_for(
    *, session: Session, medication_ids: Sequence[int]
) -> dict[int, list[models.Warning]]:
    """Warnings per medication, in episode and transcript order, with their segment loaded."""
    return _claims_for(session, models.Warning, medication_ids)


def episodes_page(
    *, session: Session, first: int | None = None, after: str | None = None
) -> Page[models.Episode]:
    """A page of episodes in the order they were added; the cursor is the episode id."""
    size = page_size(first)
    start = decode_cursor("episode", after)
    query = select(models.Episode).order_by(models.Episode.id)
    if start is not None:
        query = query.where(models.Episode.id > start)
    rows = session.scalars(query.limit(size + 1)).all()
    total = session.scalar(select(func.count()).select_from(models.Episode)) or 0
    shown = rows[:size]
    return Page(
        rows=shown,
        cursors=[encode_cursor("episode", row.id) for row in shown],
        has_next=len(rows) > size,
        total=total,
    )


def episode_by_id(*, session: Session, episode_id: int) -> models.Episode | None:
    return session.get(models.Episode, episode_id)


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
    found: dict[int, list[models.Segment]] = defaultdict(list)
    for row in rows:
        found[row.episode_id].append(row)
    return found


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
    found: dict[int, list[models.Quote]] = defaultdict(list)
    for row in rows:
        found[row.episode_id].append(row)
    return found


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
    found: dict[int, list[models.SummaryPoint]] = defaultdict(list)
    for row in rows:
        found[row.episode_id].append(row)
    return found


def counts(*, session: Session) -> dict[str, int]:
    """Row counts per table, for reports and for checking that nothing was half-written."""
    tables = [
        models.Episode, models.Segment, models.Medication, models.Alias, models.Mention,
        models.Dosage, models.Warning, models.Quote, models.SummaryPoint,
    ]  # fmt: skip
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in tables
    }
