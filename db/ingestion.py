"""Ingestion of one document: read, parse, extract and store in a single transaction."""

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.engine import transaction
from db.store import Outcome, content_hash, episode_key, save_episode, stored_unchanged
from ingest import documents, lexicon
from ingest.extract import extract
from ingest.parse import ParseError
from ingest.records import EpisodeMeta
from ingest.transcripts import Reader


@dataclass(frozen=True, slots=True)
class Ingested:
    source: str
    outcome: Outcome
    episode_id: int
    title: str
    segments: int
    medications: int
    dosages: int


def largest_document() -> int:
    """CLAIMDEX_MAX_DOCUMENT_BYTES, default 10 MB: a ten-hour transcript is about 1 MB."""
    raw = os.environ.get("CLAIMDEX_MAX_DOCUMENT_BYTES")
    return int(raw) if raw and raw.isdigit() else 10 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text; ParseError when it is too large, binary or not UTF-8."""
    size, limit = path.stat().st_size, largest_document()
    if size > limit:
        raise ParseError(
            str(path),
            f"the file is {size / 1e6:.1f} MB; documents are limited to {limit / 1e6:.1f} MB "
            "(CLAIMDEX_MAX_DOCUMENT_BYTES)",
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise ParseError(str(path), "binary data, not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(
            str(path), f"not UTF-8 text (byte {error.start} cannot be decoded); save it as UTF-8"
        ) from None


def ingest_text(
    *,
    sessions: sessionmaker[Session],
    text: str,
    source: str,
    names: lexicon.Lexicon | None = None,
    meta: EpisodeMeta | None = None,
    reader: Reader | None = None,
) -> Ingested:
    """Reads and extracts `text` (markdown, or captions by `source`'s suffix or with `reader`),
    then stores it whole or not at all."""
    document = documents.read(text, source=source, meta=meta, reader=reader)
    key = episode_key(document, source=Path(source).name)
    digest = content_hash(text)
    with sessions() as session:
        stored = stored_unchanged(session=session, key=key, digest=digest)
    if stored is not None:
        return Ingested(
            source=source,
            outcome=Outcome.UNCHANGED,
            episode_id=stored.episode_id,
            title=document.meta.title,
            segments=len(document.segments),
            medications=stored.medications,
            dosages=stored.dosages,
        )
    extraction = extract(document, names=names)
    for attempt in range(2):
        try:
            with transaction(sessions) as session:
                outcome, episode_id = save_episode(
                    session=session, extraction=extraction, key=key, digest=digest
                )
            break
        except IntegrityError:
            # Another process stored the same episode between our look and our write; the
            # second attempt finds it and leaves it, or replaces it, as for any re-ingest.
            if attempt:
                raise
    return Ingested(
        source=source,
        outcome=outcome,
        episode_id=episode_id,
        title=document.meta.title,
        segments=len(document.segments),
        medications=len(extraction.medications),
        dosages=len(extraction.dosages),
    )


def ingest_file(
    *,
    sessions: sessionmaker[Session],
    path: Path,
    names: lexicon.Lexicon | None = None,
    meta: EpisodeMeta | None = None,
) -> Ingested:
    text = read_text(path)
    return ingest_text(sessions=sessions, text=text, source=str(path), names=names, meta=meta)
