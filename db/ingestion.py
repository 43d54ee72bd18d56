"""Ingestion: read, parse, extract and store each document in a single transaction; many
files with their extraction spread over worker processes and one writer."""

import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db import search_index
from db.engine import make_engine, session_factory, transaction
from db.store import Outcome, content_hash, episode_key, save_episode, stored_unchanged
from ingest import documents, lexicon
from ingest.extract import extract
from ingest.parse import ParseError
from ingest.records import EpisodeMeta, Extraction
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


@dataclass(frozen=True, slots=True)
class Extracted:
    """A document read and extracted, not stored yet: what a worker process hands the writer."""

    source: str
    extraction: Extraction
    key: str
    digest: str


def prepare(
    *,
    sessions: sessionmaker[Session],
    text: str,
    source: str,
    names: lexicon.Lexicon | None = None,
    meta: EpisodeMeta | None = None,
    reader: Reader | None = None,
) -> Ingested | Extracted:
    """Reads and extracts `text` (markdown, or captions by `source`'s suffix or with `reader`);
    when the very same text is stored already, says so without extracting it again."""
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
    return Extracted(source, extract(document, names=names), key, digest)


def store(*, sessions: sessionmaker[Session], extracted: Extracted) -> Ingested:
    """Stores an extracted document whole or not at all."""
    extraction, key, digest = extracted.extraction, extracted.key, extracted.digest
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
    if outcome is not Outcome.UNCHANGED:
        search_index.follow(sessions=sessions, keys=[key])
    return Ingested(
        source=extracted.source,
        outcome=outcome,
        episode_id=episode_id,
        title=extraction.document.meta.title,
        segments=len(extraction.document.segments),
        medications=len(extraction.medications),
        dosages=len(extraction.dosages),
    )


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
    found = prepare(
        sessions=sessions, text=text, source=source, names=names, meta=meta, reader=reader
    )
    return found if isinstance(found, Ingested) else store(sessions=sessions, extracted=found)


def ingest_file(
    *,
    sessions: sessionmaker[Session],
    path: Path,
    names: lexicon.Lexicon | None = None,
    meta: EpisodeMeta | None = None,
) -> Ingested:
    text = read_text(path)
    return ingest_text(sessions=sessions, text=text, source=str(path), names=names, meta=meta)


class WorkerStopped(RuntimeError):
    """The process extracting a file ended without an answer: killed, out of memory, or a
    crash in compiled code. Nothing of the file was stored."""


Results = Iterator[tuple[Path, Ingested | Exception]]


def ingest_files(
    *,
    sessions: sessionmaker[Session],
    paths: Sequence[Path],
    workers: int,
    meta: EpisodeMeta | None = None,
) -> Results:
    """Each file's result, in the order given, or the error that stopped it; one file's
    failure never stops the rest. With more than one worker, that many processes read and
    extract files while this one, the only writer, stores them in order; at most two files a
    worker wait between them, so memory stays flat however many files there are. The workers
    start here, before the caller starts any thread of its own."""
    if workers <= 1 or len(paths) <= 1:
        return _serially(sessions, paths, meta)
    bind = sessions.kw["bind"]
    url = bind.engine.url.render_as_string(hide_password=False)
    return _in_parallel(sessions, _Extractors(url, workers, paths, meta))


def _serially(
    sessions: sessionmaker[Session], paths: Sequence[Path], meta: EpisodeMeta | None
) -> Results:
    for path in paths:
        try:
            yield path, ingest_file(sessions=sessions, path=path, meta=meta)
        except Exception as error:  # noqa: BLE001 - the caller reports it and goes on
            yield path, error


def _in_parallel(sessions: sessionmaker[Session], extractors: "_Extractors") -> Results:
    try:
        while (taken := extractors.take()) is not None:
            path, found = taken
            if isinstance(found, Extracted):
                try:
                    found = store(sessions=sessions, extracted=found)
                except Exception as error:  # noqa: BLE001 - the caller reports it and goes on
                    found = error
            yield path, found
    finally:
        extractors.close()


class _Extractors:
    """Worker processes that read and extract files, at most two a worker in hand at a time;
    results are taken in the order of the files."""

    def __init__(
        self, url: str, workers: int, paths: Sequence[Path], meta: EpisodeMeta | None
    ) -> None:
        self.url, self.workers, self.meta = url, workers, meta
        # Forked workers start at once and share the parent's memory; where fork is missing
        # (macOS, Windows) they start afresh and import what they need.
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.pool = self._pool(workers)
        self.todo = iter(paths)
        self.pending: deque[tuple[Path, Future[Ingested | Extracted]]] = deque()
        self._fill()

    def _pool(self, size: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            size, mp_context=self.context, initializer=_start_worker, initargs=(self.url,)
        )

    def _submit(self, path: Path) -> Future[Ingested | Extracted]:
        try:
            return self.pool.submit(_prepare_file, path, self.meta)
        except BrokenProcessPool as error:
            # Its turn comes, and it is handled as every file in flight when a worker died.
            failed: Future[Ingested | Extracted] = Future()
            failed.set_exception(error)
            return failed

    def _fill(self) -> None:
        while len(self.pending) < 2 * self.workers and (path := next(self.todo, None)):
            self.pending.append((path, self._submit(path)))

    def take(self) -> tuple[Path, Ingested | Extracted | Exception] | None:
        """The next file and what its worker made of it; None when every file is taken."""
        if not self.pending:
            return None
        path, future = self.pending.popleft()
        found: Ingested | Extracted | Exception
        try:
            found = future.result()
        except BrokenProcessPool:
            # A worker died, and every file in flight with it. This one, extracted again
            # alone, shows whether it was the cause; the others start over.
            self.pool.shutdown(cancel_futures=True)
            found = self._alone(path)
            self.pool = self._pool(self.workers)
            self.pending = deque((waiting, self._submit(waiting)) for waiting, _ in self.pending)
        except Exception as error:  # noqa: BLE001 - the caller reports it and goes on
            found = error
        self._fill()
        return path, found

    def _alone(self, path: Path) -> Ingested | Extracted | Exception:
        """The file read and extracted in a process of its own, or what stopped it."""
        with self._pool(1) as single:
            try:
                return single.submit(_prepare_file, path, self.meta).result()
            except BrokenProcessPool:
                return WorkerStopped(
                    "the process extracting it stopped (killed, out of memory or crashed)"
                )
            except Exception as error:  # noqa: BLE001 - the caller reports it and goes on
                return error

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


_worker_sessions: sessionmaker[Session] | None = None


def _start_worker(url: str) -> None:
    """Gives a worker process sessions of its own on the database: it only reads, to find
    the files stored already."""
    global _worker_sessions
    _worker_sessions = session_factory(make_engine(url, pool_size=1, max_overflow=0))


def _prepare_file(path: Path, meta: EpisodeMeta | None) -> Ingested | Extracted:
    """A worker's task: the file read and extracted, or the error, made safe to send back."""
    assert _worker_sessions is not None, "the worker was not started"
    try:
        return prepare(sessions=_worker_sessions, text=read_text(path), source=str(path), meta=meta)
    except Exception as error:
        raise _sendable(error) from None


def _sendable(error: Exception) -> Exception:
    """`error`, or where it cannot cross to another process, an error that names it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to round-trip means it cannot be sent
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
