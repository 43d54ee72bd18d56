"""Writes over HTTP: ingest a document, delete an episode, sync feeds, for holders of an API
token.

Ingestion runs `claimdex ingest -` (a feed sync `claimdex feed sync`) in a child process, the
same code as the command line: the memory of ingesting (145 MB at its peak for a seed-sized
document, 530 MB when the lexicon's cache must be built first: `python -m bench.lexicon`)
never stays in a serving worker.
"""

import asyncio
import contextlib
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from db import feeds, models, queries, search_index, store
from db.engine import transaction

AUTHORIZATION_PREFIX = "bearer "
INGEST_TIMEOUT = 300.0
# The child; the document's name and "-" (read standard input) follow.
INGEST_COMMAND: tuple[str, ...] = (sys.executable, "-m", "api.cli", "ingest", "--json")
FEED_SYNC_COMMAND: tuple[str, ...] = (sys.executable, "-m", "api.cli", "feed", "sync", "--json")
# A first sync of a long feed ingests each of its episodes, a second or so apiece. Each item is
# committed as it is stored, so a sync stopped here resumes where it stopped the next time.
FEED_SYNC_TIMEOUT = 1800.0
# About one ingest of a podcast-length episode, the earliest a slot is likely to free.
BUSY_RETRY_AFTER = 5


class WriteError(Exception):
    """A write that could not be done; the message is safe to show the client."""


@dataclass(frozen=True)
class Written:
    outcome: str
    episode_id: int
    title: str


@dataclass(frozen=True)
class FeedSynced:
    """What a sync did with a feed (item None) or one of its items, as `claimdex feed sync`
    reports it; `episode_id` is the episode it added or replaced."""

    feed: str
    item: str | None
    outcome: str
    detail: str
    episode_id: int | None


def token_is_valid(authorization: str | None, tokens: tuple[str, ...]) -> bool:
    """Whether an Authorization header carries one of `tokens`; every comparison takes the
    same time whatever the token, so timing tells an attacker nothing."""
    if not authorization or not tokens:
        return False
    if authorization[: len(AUTHORIZATION_PREFIX)].lower() != AUTHORIZATION_PREFIX:
        return False
    offered = authorization[len(AUTHORIZATION_PREFIX) :].strip().encode()
    matches = [hmac.compare_digest(offered, token.encode()) for token in tokens]
    return any(matches)


class Busy(WriteError):
    """Every ingest slot is taken; the client should retry after `retry_after` seconds."""

    def __init__(self, slots: int) -> None:
        super().__init__(
            f"all {slots} ingest slots are busy (CLAIMDEX_MAX_INGESTS); "
            f"retry in {BUSY_RETRY_AFTER} s"
        )
        self.retry_after = BUSY_RETRY_AFTER


class Ingests:
    """Ingestion into `database_url`, at most `slots` child processes at once in this worker:
    each holds the drug vocabulary, so the cap bounds memory. A document that finds every
    slot taken is refused at once rather than queued, so no request waits unseen."""

    def __init__(
        self,
        *,
        database_url: str,
        slots: int,
        timeout: float = INGEST_TIMEOUT,
        written: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.database_url, self.slots, self.timeout = database_url, slots, timeout
        self.running = 0
        self.written = written  # told each episode id stored, once committed

    async def ingest(self, markdown: str, *, name: str = "upload.md") -> Written:
        """Ingests one document through `claimdex ingest -`; Busy if every slot is taken."""
        with self._slot():
            out, err = await self._run(
                "ingestion",
                (*INGEST_COMMAND, "--name", name, "-"),
                markdown.encode("utf-8"),
                self.timeout,
            )
        answer = _last_json(out)
        if answer is None:
            raise WriteError(f"ingestion failed: {_last_line(err)}")
        if "error" in answer:
            raise WriteError(str(answer["error"]))
        done = Written(str(answer["outcome"]), int(answer["episode_id"]), str(answer["title"]))
        if self.written is not None and done.outcome != "unchanged":
            await self.written(done.episode_id)
        return done

    async def sync_feeds(self) -> list[FeedSynced]:
        """Syncs every remembered feed through `claimdex feed sync`, in one of the ingest slots;
        Busy if every slot is taken. One result per feed not read and per item read."""
        with self._slot():
            out, err = await self._run("the feed sync", FEED_SYNC_COMMAND, b"", FEED_SYNC_TIMEOUT)
        found = [
            FeedSynced(
                str(row["feed"]),
                None if row["item"] is None else str(row["item"]),
                str(row["outcome"]),
                str(row["detail"]),
                None if row["stored"] is None else int(row["stored"]),
            )
            for row in _json_lines(out)
        ]
        if not found and err.strip():
            raise WriteError(f"the feed sync failed: {_last_line(err)}")
        for synced in found:
            if self.written is not None and synced.episode_id is not None:
                await self.written(synced.episode_id)
        return found

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        if self.running >= self.slots:
            raise Busy(self.slots)
        self.running += 1  # no await since the check: the event loop cannot interleave
        try:
            yield
        finally:
            self.running -= 1

    async def _run(
        self, what: str, command: tuple[str, ...], given: bytes, timeout: float
    ) -> tuple[bytes, bytes]:
        """The child's standard output and error once it ends, `given` its standard input;
        WriteError naming `what` when it takes longer than `timeout` seconds."""
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_child_environment(self.database_url),
        )
        try:
            return await asyncio.wait_for(process.communicate(given), timeout)
        except TimeoutError:
            raise WriteError(f"{what} took longer than {timeout:g} s") from None
        finally:
            # On a timeout or a cancellation (the client went away) the child is killed and
            # waited for, so it leaves no zombie and its slot frees only once it is gone.
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                # Shielded: a second cancellation cannot stop the wait.
                await asyncio.shield(process.wait())


def _child_environment(database_url: str) -> dict[str, str]:
    return dict(os.environ) | {"DATABASE_URL": database_url}


def _json_lines(out: bytes) -> list[dict[str, Any]]:
    """Each line of `out` that is a JSON object, in order."""
    found = []
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            found.append(parsed)
    return found


def _last_json(out: bytes) -> dict[str, Any] | None:
    found = _json_lines(out)
    return found[-1] if found else None


def _last_line(err: bytes) -> str:
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no output"


def delete_episode(*, sessions: sessionmaker[Session], episode_id: int) -> bool:
    with transaction(sessions) as session:
        deleted = store.delete_episode(session=session, episode_id=episode_id)
    if deleted:
        search_index.follow(sessions=sessions, deleted=[episode_id])
    return deleted


def add_feed(*, sessions: sessionmaker[Session], url: str) -> tuple[bool, feeds.Listed]:
    """Remembers the feed at `url`: whether it was new, and the feed as now remembered."""
    with transaction(sessions) as session:
        added = feeds.add_feed(session=session, location=url)
    with sessions() as session:
        found = feeds.listed_feed(session=session, location=url)
    if found is None:  # removed between the two
        raise WriteError(f"the feed {url} was removed as it was added")
    return added, found


def remove_feed(*, sessions: sessionmaker[Session], url: str) -> bool:
    with transaction(sessions) as session:
        return feeds.remove_feed(session=session, location=url)


async def written_episode(
    *, sessions: sessionmaker[Session], episode_id: int
) -> models.Episode | None:
    """The episode just written, read through `sessions` of the primary (DATABASE_URL): a
    replica may not have it yet. Read in the thread pool, off the event loop."""

    def read() -> models.Episode | None:
        with sessions() as session:
            return queries.episode_by_id(session=session, episode_id=episode_id)

    return await run_in_threadpool(read)
