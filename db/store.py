"""Writes an extracted episode: added, replaced whole, or left alone when unchanged."""

import enum
import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import models, search
from ingest.records import Extraction
from ingest.text import normalise


class Outcome(enum.StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_key(extraction: Extraction, *, source: str) -> str:
    """An episode is its URL when it has one, so a moved or renamed file is the same episode."""
    return extraction.document.url or f"file:{source}"


def save_episode(
    *, session: Session, extraction: Extraction, key: str, digest: str
) -> tuple[Outcome, int]:
    """Stores one episode in the caller's transaction; (what happened, the episode's id)."""
    existing = session.scalar(select(models.Episode).where(models.Episode.key == key))
    if existing is not None and existing.content_hash == digest:
        return Outcome.UNCHANGED, existing.id
    outcome = Outcome.ADDED
    if existing is not None:
        session.execute(delete(models.Episode).where(models.Episode.id == existing.id))
        session.expunge(existing)
        outcome = Outcome.REPLACED
    document = extraction.document
    episode = models.Episode(
        key=key,
        content_hash=digest,
        title=document.title,
        channel=document.channel,
        upload_date=document.upload_date,
        url=document.url,
        duration_seconds=document.duration_seconds,
        description=document.description,
    )
    segments = [
        models.Segment(position=index, seconds=segment.seconds, text=segment.text)
        for index, segment in enumerate(document.segments)
    ]
    episode.segments = segments
    session.add(episode)
    session.flush()
    medication_ids = _medications(session, extraction)
    rows: list[object] = []
    for mention in extraction.mentions:
        rows.append(
            models.Mention(
                episode_id=episode.id,
                segment_id=segments[mention.segment].id,
                medication_id=medication_ids[mention.medication],
                text=mention.text,
                start=mention.start,
                end=mention.end,
                confidence=mention.confidence,
                matched_by=mention.matched_by.value,
            )
        )
    for dosage in extraction.dosages:
        rows.append(
            models.Dosage(
                episode_id=episode.id,
                segment_id=segments[dosage.segment].id,
                medication_id=medication_ids[dosage.medication],
                text=dosage.text,
                value=dosage.value,
                unit=dosage.unit,
                max_value=dosage.max_value,
                frequency=dosage.frequency,
                per_day=dosage.per_day,
            )
        )
    for warning in extraction.warnings:
        rows.append(
            models.Warning(
                episode_id=episode.id,
                segment_id=segments[warning.segment].id,
                medication_id=medication_ids[warning.medication],
                text=warning.text,
                kind=warning.kind.value,
            )
        )
    for position, quote in enumerate(extraction.quotes):
        rows.append(
            models.Quote(
                episode_id=episode.id,
                segment_id=segments[quote.segment].id if quote.segment is not None else None,
                position=position,
                text=quote.text,
                claimed_seconds=quote.claimed_seconds,
                score=quote.score,
            )
        )
    for position, point in enumerate(extraction.summary):
        rows.append(
            models.SummaryPoint(
                episode_id=episode.id,
                segment_id=segments[point.segment].id if point.segment is not None else None,
                position=position,
                section=point.section,
                text=point.text,
                claimed_seconds=point.claimed_seconds,
                score=point.score,
            )
        )
    # What search looks in: each segment's words, and each summary line where it is supported.
    entries = [
        models.SearchEntry(
            episode_id=episode.id, segment_id=segment.id, kind="transcript", text=segment.text
        )
        for segment in segments
    ] + [
        models.SearchEntry(
            episode_id=episode.id,
            segment_id=segments[point.segment].id,
            kind="summary",
            text=point.text,
        )
        for point in extraction.summary
        if point.segment is not None
    ]
    rows.extend(entries)
    session.add_all(rows)
    session.flush()
    search.record_terms(session, (entry.text for entry in entries))
    return outcome, episode.id


def _medications(session: Session, extraction: Extraction) -> dict[str, int]:
    """Ids of the episode's medications, adding those and the aliases not stored yet."""
    names = list(extraction.medications)
    found = {
        row.name: row
        for row in session.scalars(
            select(models.Medication).where(models.Medication.name.in_(names))
        )
    }
    for name in names:
        if name not in found:
            found[name] = models.Medication(name=name)
            session.add(found[name])
    session.flush()
    wanted: dict[str, tuple[str, int, bool]] = {}
    for name, medication in extraction.medications.items():
        named = [(alias, False) for alias in (name, *medication.aliases)]
        for alias, heard in [*named, *((spelling, True) for spelling in medication.heard)]:
            key = normalise(alias)
            if key and key not in wanted:
                wanted[key] = (alias, found[name].id, heard)
    stored = set(
        session.scalars(select(models.Alias.key).where(models.Alias.key.in_(list(wanted))))
    )
    session.add_all(
        models.Alias(key=key, name=alias, medication_id=medication_id, spoken=spoken)
        for key, (alias, medication_id, spoken) in wanted.items()
        if key not in stored
    )
    return {name: row.id for name, row in found.items()}


def delete_episode(*, session: Session, episode_id: int) -> bool:
    """Deletes an episode and everything said in it; False when there was no such episode."""
    found = session.execute(delete(models.Episode).where(models.Episode.id == episode_id))
    return bool(getattr(found, "rowcount", 0))
