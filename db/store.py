"""Writes an extracted episode: added, replaced whole, or left alone when unchanged."""

import enum
import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from db import models, search, search_index, spellings, tallies
from ingest.records import Document, Extraction
from ingest.text import normalise


class Outcome(enum.StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_key(document: Document, *, source: str) -> str:
    """An episode is its URL when it has one, so a moved or renamed file is the same episode."""
    return document.meta.url or f"file:{source}"


@dataclass(frozen=True, slots=True)
class Stored:
    episode_id: int
    medications: int
    dosages: int


def stored_unchanged(*, session: Session, key: str, digest: str) -> Stored | None:
    """The episode stored under `key` from this very text, with its counts, or None: a re-run
    over a folder then skips extraction, the costly part, for every file it already holds."""
    episode_id = session.scalar(
        select(models.Episode.id).where(
            models.Episode.key == key, models.Episode.content_hash == digest
        )
    )
    if episode_id is None:
        return None
    named = union(
        select(models.Mention.medication_id).where(models.Mention.episode_id == episode_id),
        select(models.Dosage.medication_id).where(models.Dosage.episode_id == episode_id),
    ).subquery()
    medications = session.scalar(select(func.count()).select_from(named))
    dosages = session.scalar(
        select(func.count())
        .select_from(models.Dosage)
        .where(models.Dosage.episode_id == episode_id)
    )
    return Stored(episode_id, medications or 0, dosages or 0)


def save_episode(
    *, session: Session, extraction: Extraction, key: str, digest: str
) -> tuple[Outcome, int]:
    """Stores one episode in the caller's transaction; (what happened, the episode's id)."""
    # Locked, so a second writer replacing the same episode waits and then finds it gone,
    # rather than taking its claims out of the tallies a second time.
    existing = session.scalar(
        select(models.Episode).where(models.Episode.key == key).with_for_update()
    )
    if existing is not None and existing.content_hash == digest:
        return Outcome.UNCHANGED, existing.id
    outcome = Outcome.ADDED
    if existing is not None:
        tallies.remove_episode(session=session, episode_id=existing.id)
        session.execute(delete(models.Episode).where(models.Episode.id == existing.id))
        session.expunge(existing)
        outcome = Outcome.REPLACED
    document = extraction.document
    episode = models.Episode(key=key, content_hash=digest, **asdict(document.meta))
    segments = [
        models.Segment(
            position=index,
            seconds=segment.seconds,
            text=segment.text,
            speaker=speaker,
            sponsored=sponsored,
        )
        for index, (segment, speaker, sponsored) in enumerate(
            zip(document.segments, extraction.speakers, extraction.sponsored, strict=True)
        )
    ]
    episode.segments = segments
    session.add(episode)
    session.flush()
    medication_ids = _medications(session, extraction)
    condition_ids = _conditions(session, extraction)
    ids = [segment.id for segment in segments]

    def located(claim_segment: int | None) -> dict[str, int | None]:
        segment = ids[claim_segment] if claim_segment is not None else None
        return {"episode_id": episode.id, "segment_id": segment}

    # Claims go in as plain rows, one executemany per table: no ORM object per row, which
    # would cost more than the insert itself.
    tables: list[tuple[type[models.Base], list[dict[str, Any]]]] = [
        (models.Mention, [
            located(m.segment) | {"medication_id": medication_ids[m.medication], "text": m.text,
                                  "start": m.start, "end": m.end, "confidence": m.confidence,
                                  "matched_by": m.matched_by.value}
            for m in extraction.mentions
        ]),
        (models.Dosage, [
            located(d.segment) | {"medication_id": medication_ids[d.medication], "text": d.text,
                                  "value": d.value, "unit": d.unit, "max_value": d.max_value,
                                  "frequency": d.frequency, "per_day": d.per_day,
                                  "stance": d.stance.value, "speaker": d.speaker,
                                  "sponsored": d.sponsored,
                                  "condition_id": condition_ids.get(d.indication or ""),
                                  "regimen": d.regimen.value if d.regimen else None}
            for d in extraction.dosages
        ]),
        (models.Warning, [
            located(w.segment) | {"medication_id": medication_ids[w.medication], "text": w.text,
                                  "kind": w.kind.value, "stance": w.stance.value,
                                  "speaker": w.speaker, "sponsored": w.sponsored}
            for w in extraction.warnings
        ]),
        (models.Indication, [
            located(i.segment) | {"medication_id": medication_ids[i.medication], "text": i.text,
                                  "condition_id": condition_ids[i.condition],
                                  "stance": i.stance.value, "speaker": i.speaker,
                                  "sponsored": i.sponsored}
            for i in extraction.indications
        ]),
        (models.Quote, [
            located(q.segment) | {"position": n, "text": q.text,
                                  "claimed_seconds": q.claimed_seconds, "score": q.score}
            for n, q in enumerate(extraction.quotes)
        ]),
        (models.SummaryPoint, [
            located(p.segment) | {"position": n, "section": p.section, "text": p.text,
                                  "claimed_seconds": p.claimed_seconds, "score": p.score}
            for n, p in enumerate(extraction.summary)
        ]),
        # What search looks in: each segment's words, and each summary line it supports.
        (models.SearchEntry, [
            located(n) | {"kind": "transcript", "text": segment.text}
            for n, segment in enumerate(document.segments)
        ] + [
            located(p.segment) | {"kind": "summary", "text": p.text}
            for p in extraction.summary
            if p.segment is not None
        ]),
    ]  # fmt: skip
    for model, rows in tables:
        if rows:
            session.execute(insert(model), rows)
    entries = tables[-1][1]
    search.record_terms(session, (str(entry["text"]) for entry in entries))
    search_index.changed(session=session)
    tallies.add_episode(session=session, episode_id=episode.id)
    return outcome, episode.id


def _medications(session: Session, extraction: Extraction) -> dict[str, int]:
    """Ids of the episode's medications, adding those and the aliases not stored yet, with
    their spelling keys."""
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
    added = [
        models.Alias(key=key, name=alias, medication_id=medication_id, spoken=spoken)
        for key, (alias, medication_id, spoken) in wanted.items()
        if key not in stored
    ]
    if added:
        session.add_all(added)
        session.flush()
        rows = spellings.alias_rows((row.id, row.key) for row in added)
        session.execute(insert(models.AliasSpelling), rows)
    return {name: row.id for name, row in found.items()}


def _conditions(session: Session, extraction: Extraction) -> dict[str, int]:
    """Ids of the conditions the episode's indications name, adding those not stored yet with
    the terms that name them; a stored condition takes the code the vocabulary gives now."""
    names = list(extraction.conditions)
    found = {
        row.name: row
        for row in session.scalars(select(models.Condition).where(models.Condition.name.in_(names)))
    }
    for name, condition in extraction.conditions.items():
        if name not in found:
            found[name] = models.Condition(name=name)
            session.add(found[name])
        found[name].code = condition.code
    session.flush()
    wanted: dict[str, tuple[str, int]] = {}
    for name, condition in extraction.conditions.items():
        for term in (name, *condition.aliases):
            key = normalise(term)
            if key and key not in wanted:
                wanted[key] = (term, found[name].id)
    stored = set(
        session.scalars(
            select(models.ConditionAlias.key).where(models.ConditionAlias.key.in_(list(wanted)))
        )
    )
    rows = [
        {"key": key, "name": term, "condition_id": condition_id}
        for key, (term, condition_id) in wanted.items()
        if key not in stored
    ]
    if rows:
        session.execute(insert(models.ConditionAlias), rows)
    return {name: row.id for name, row in found.items()}


def delete_episode(*, session: Session, episode_id: int) -> bool:
    """Deletes an episode and everything said in it; False when there was no such episode."""
    locked = session.scalar(
        select(models.Episode.id).where(models.Episode.id == episode_id).with_for_update()
    )
    if locked is None:
        return False
    tallies.remove_episode(session=session, episode_id=episode_id)
    found = session.execute(delete(models.Episode).where(models.Episode.id == episode_id))
    search_index.changed(session=session)
    return bool(getattr(found, "rowcount", 0))
