"""A top-k search index beside the database: ranks segments without scoring every match.

Full-text search in the database (FTS5, tsvector) scores every entry that matches before it
can rank, so a common word costs in proportion to the corpus. This index (tantivy, BM25 with
block-max WAND) finds the best segments of a page directly. There is one index per database,
in the folder CLAIMDEX_SEARCH_INDEX names; without it search ranks in the database as before.

The index holds one document per segment: its transcript words, and the summary lines the
segment supports. It is kept in step by every write that changes search entries: the write
counts a change in `search_index_state` in its own transaction, then (after its commit) brings
the index up to date and records the change it caught up with in the index folder. Search
uses the index only while that record names this database and its latest change; a write the
index missed (a crash between the two commits, two writers at once) leaves it unused until
`claimdex search-index` rebuilds it. So the index can be late, never wrong.
"""

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import tantivy
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db import models

LOCATION = "CLAIMDEX_SEARCH_INDEX"
RECORD = "claimdex-index.json"
TOKENIZER = "claimdex"
# A writer's memory for buffered documents; tantivy's least for one thread is 15 MB.
WRITER_MEMORY = 64_000_000
# How long a write waits for another process's writer before it leaves the index behind.
WRITER_WAIT_SECONDS = 10.0
BATCH = 5_000

log = logging.getLogger(__name__)


class Ranked(NamedTuple):
    id: int
    score: float


@dataclass(frozen=True, slots=True)
class Record:
    """What an index folder holds: the database it was built from, the change it has caught
    up with, and which build it is (a rebuild replaces the folder whole)."""

    database: str
    generation: int
    build: str


def location() -> Path | None:
    """The index folder, or None when search ranks in the database."""
    raw = os.environ.get(LOCATION, "").strip()
    return Path(raw) if raw else None


def _analyzer() -> tantivy.TextAnalyzer:
    # Words as tantivy's English stemming tokenizer cuts them, accents folded as SQLite's
    # unicode61 does; queries go through this same analyzer.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


ANALYZER = _analyzer()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("segment", indexed=True, fast=True)
    builder.add_integer_field("episode", indexed=True)
    builder.add_text_field("key", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("transcript", tokenizer_name=TOKENIZER)
    builder.add_text_field("summary", tokenizer_name=TOKENIZER)
    return builder.build()


SCHEMA = _schema()


def changed(*, session: Session) -> None:
    """Counts a change to the search entries, in the caller's transaction."""
    session.execute(
        update(models.SearchIndexState)
        .where(models.SearchIndexState.id == 1)
        .values(generation=models.SearchIndexState.generation + 1)
    )


def state(session: Session) -> tuple[str, int]:
    """(the database's identity, its count of changes to the search entries and terms)."""
    row = session.execute(
        select(models.SearchIndexState.database, models.SearchIndexState.generation).where(
            models.SearchIndexState.id == 1
        )
    ).one()
    return str(row.database), int(row.generation)


def _recorded(folder: Path) -> Record | None:
    try:
        found = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        return Record(str(found["database"]), int(found["generation"]), str(found["build"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record(folder: Path, record: Record) -> None:
    """Writes the folder's record whole or not at all."""
    partial = folder / f".{RECORD}.{uuid.uuid4().hex}"
    partial.write_text(
        json.dumps(
            {
                "database": record.database,
                "generation": record.generation,
                "build": record.build,
            }
        ),
        encoding="utf-8",
    )
    os.replace(partial, folder / RECORD)


def _open(folder: Path) -> tantivy.Index:
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
    index.register_tokenizer(TOKENIZER, ANALYZER)
    return index


class _Opened:
    """Indexes this process has open, by folder and build, each reloaded once per change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[tuple[Path, str], tuple[tantivy.Index, int]] = {}
        self._warned: set[tuple[Path, int]] = set()

    def searcher(self, folder: Path, record: Record) -> tantivy.Searcher:
        with self._lock:
            key = (folder, record.build)
            index, generation = self._found.get(key, (None, -1))
            if index is None:
                for other in [found for found in self._found if found[0] == folder]:
                    del self._found[other]
                index = _open(folder)
            if generation != record.generation:
                index.reload()
                self._found[key] = (index, record.generation)
            return index.searcher()

    def warn_once(self, folder: Path, generation: int) -> None:
        with self._lock:
            if (folder, generation) not in self._warned:
                self._warned.add((folder, generation))
                log.warning(
                    "search index %s is behind the database; searching the database until "
                    "`claimdex search-index` rebuilds it",
                    folder,
                )


_OPENED = _Opened()


def searcher(*, session: Session, now: tuple[str, int] | None = None) -> tantivy.Searcher | None:
    """The index's searcher when one is set up and in step with the database (whose state()
    is `now`, read here when not given), else None."""
    folder = location()
    if folder is None:
        return None
    database, generation = now or state(session)
    record = _recorded(folder)
    if record is None or (record.database, record.generation) != (database, generation):
        _OPENED.warn_once(folder, generation)
        return None
    return _OPENED.searcher(folder, record)


def query(alternatives: list[list[str]]) -> tantivy.Query | None:
    """Segments whose transcript, or whose summary lines, hold every group's word (or one of
    its spellings); None when no word leaves a token."""
    fields = []
    for field in ("transcript", "summary"):
        groups = []
        for group in alternatives:
            spellings = [_word(field, word) for word in group]
            found = [(tantivy.Occur.Should, found) for found in spellings if found is not None]
            if not found:
                return None
            groups.append((tantivy.Occur.Must, tantivy.Query.boolean_query(found)))
        fields.append((tantivy.Occur.Should, tantivy.Query.boolean_query(groups)))
    return tantivy.Query.boolean_query(fields)


def _word(field: str, word: str) -> tantivy.Query | None:
    tokens = ANALYZER.analyze(word)
    if not tokens:
        return None
    if len(tokens) == 1:
        return tantivy.Query.term_query(SCHEMA, field, tokens[0])
    phrase: list[str | tuple[int, str]] = list(tokens)
    return tantivy.Query.phrase_query(SCHEMA, field, phrase)  # "don't": as FTS5, a phrase


def best(
    *,
    found: tantivy.Searcher,
    alternatives: list[list[str]],
    limit: int,
    after: tuple[float, int] | None,
) -> list[Ranked]:
    """The `limit` best segments past `after` (score, segment id), best first, ties by id."""
    wanted = query(alternatives)
    if wanted is None:
        return []
    fetch = 2 * limit + 16
    while True:
        hits = found.search(wanted, fetch, count=False).hits
        ids = found.fast_field_values("segment", [address for _, address in hits])
        ranked = sorted(
            (Ranked(int(segment or 0), round(float(score), 6)) for (score, _), segment in zip(
                hits, ids, strict=True
            )),
            key=lambda row: (-row.score, row.id),
        )  # fmt: skip
        if after is not None:
            ranked = [
                row
                for row in ranked
                if row.score < after[0] or (row.score == after[0] and row.id > after[1])
            ]
        page = ranked[:limit]
        # Every segment scoring above the last one fetched is among those fetched; at that
        # score itself, some may not be, and their ids could come first.
        everything = len(hits) < fetch
        if everything or (page and len(page) == limit and page[-1].score > ranked[-1].score):
            return page
        fetch *= 4


def _documents(session: Session, where: object) -> Iterator[tantivy.Document]:
    """The index's documents for the segments with search entries that `where` picks."""
    entries = models.SearchEntry
    rows = session.execute(
        select(
            entries.segment_id, entries.episode_id, models.Episode.key, entries.kind, entries.text
        )
        .join(models.Episode, models.Episode.id == entries.episode_id)
        .where(where)  # type: ignore[arg-type]
        .order_by(entries.segment_id, entries.id)
        .execution_options(yield_per=BATCH)
    )
    current: tantivy.Document | None = None
    segment = None
    for row in rows:
        if row.segment_id != segment:
            if current is not None:
                yield current
            segment = row.segment_id
            current = tantivy.Document(segment=[row.segment_id], episode=[row.episode_id])
            current.add_text("key", row.key)
        assert current is not None
        current.add_text("transcript" if row.kind == "transcript" else "summary", row.text)
    if current is not None:
        yield current


def _writer(index: tantivy.Index) -> tantivy.IndexWriter | None:
    """The index's one writer, waiting a while for another process's; None if it stays busy."""
    deadline = time.monotonic() + WRITER_WAIT_SECONDS
    while True:
        try:
            return index.writer(heap_size=WRITER_MEMORY, num_threads=1)
        except ValueError:  # tantivy's "LockBusy": another writer holds the folder
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def follow(
    *, sessions: sessionmaker[Session], keys: Sequence[str] = (), deleted: Sequence[int] = ()
) -> bool:
    """Brings the index up to date after one committed write: the episodes stored under
    `keys` as they are now, and the episodes `deleted` gone. False when there is no index,
    or it had missed an earlier change (it stays unused until rebuilt)."""
    folder = location()
    if folder is None or _recorded(folder) is None:
        return False
    index = _open(folder)
    writer = _writer(index)
    if writer is None:
        log.warning("search index %s stayed busy; it is behind until rebuilt", folder)
        return False
    try:
        # Checked under the writer's lock: the index takes this change only if it holds
        # every change before it.
        record = _recorded(folder)
        with sessions() as session:
            database, generation = state(session)
            if record is None or (record.database, record.generation + 1) != (
                database,
                generation,
            ):
                return False
            for key in keys:
                writer.delete_documents_by_term("key", key)
            for episode in deleted:
                writer.delete_documents_by_term("episode", episode)
            for document in _documents(session, models.Episode.key.in_(list(keys))):
                writer.add_document(document)
        writer.commit()
        _record(folder, Record(database, generation, record.build))
        return True
    finally:
        writer.wait_merging_threads()


def rebuild(*, sessions: sessionmaker[Session], folder: Path) -> tuple[int, bool]:
    """Builds the index for this database afresh and puts it in `folder` in one step;
    (segments indexed, whether the database changed meanwhile, leaving it to rebuild again)."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = folder.parent / f".{folder.name}.{uuid.uuid4().hex}"
    building.mkdir()
    try:
        index = _open(building)
        with sessions() as session:
            database, generation = state(session)
            writer = _writer(index)
            if writer is None:
                raise RuntimeError(f"{building} is locked by another writer")
            count = 0
            for document in _documents(session, models.SearchEntry.id.is_not(None)):
                writer.add_document(document)
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            _record(building, Record(database, generation, uuid.uuid4().hex))
        retired = folder.parent / f".{folder.name}.old.{uuid.uuid4().hex}"
        if folder.exists():
            os.replace(folder, retired)
        os.replace(building, folder)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    with sessions() as session:
        return count, state(session)[1] != generation
