"""Writes over HTTP: ingest a document or delete an episode, for holders of an API token.

Ingestion runs `claimdex ingest -` in a child process, the same code as the command line: the
memory of ingesting (145 MB at its peak for a seed-sized document, 530 MB when the lexicon's
cache must be built first: `python -m bench.lexicon`) never stays in a serving worker.
"""

import asyncio
import contextlib
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from db import models, queries, store
from db.engine import transaction

AUTHORIZATION_PREFIX = "bearer "
INGEST_TIMEOUT = 300.0
# The child; the document's name and "-" (read standard input) follow.
INGEST_COMMAND: tuple[str, ...] = (sys.executable, "-m", "api.cli", "ingest", "--json")
# About one ingest of a podcast-length episode, the earliest a slot is likely to free.
BUSY_RETRY_AFTER = 5


class WriteError(Exception):
    """A write that could not be done; the message is safe to show the client."""


@dataclass(frozen=True)
class Written:
    outcome: str
    episode_id: int
    title: str


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
        if self.running >= self.slots:
            raise Busy(self.slots)
        self.running += 1  # no await since the check: the event loop cannot interleave
        try:
            done = await self._run(markdown, name)
        finally:
            self.running -= 1
        if self.written is not None and done.outcome != "unchanged":
            await self.written(done.episode_id)
        return done

    async def _run(self, markdown: str, name: str) -> Written:
        process = await asyncio.create_subprocess_exec(
            *INGEST_COMMAND, "--name", name, "-",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_child_environment(self.database_url),
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(
                process.communicate(markdown.encode("utf-8")), self.timeout
            )
        except TimeoutError:
            raise WriteError(f"ingestion took longer than {self.timeout:g} s") from None
        finally:
            # On a timeout or a cancellation (the client went away) the child is killed and
            # waited for, so it leaves no zombie and its slot frees only once it is gone.
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                # Shielded: a second cancellation cannot stop the wait.
                await asyncio.shield(process.wait())
        answer = _last_json(out)
        if answer is None:
            first = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise WriteError(f"ingestion failed: {first[0]}")
        if "error" in answer:
            raise WriteError(str(answer["error"]))
        return Written(str(answer["outcome"]), int(answer["episode_id"]), str(answer["title"]))


def _child_environment(database_url: str) -> dict[str, str]:
    return dict(os.environ) | {"DATABASE_URL": database_url}


def _last_json(out: bytes) -> dict[str, Any] | None:
    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        try:
            found = json.loads(line)
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return None


def delete_episode(*, sessions: sessionmaker[Session], episode_id: int) -> bool:
    with transaction(sessions) as session:
        return store.delete_episode(session=session, episode_id=episode_id)


async def written_episode(
    *, sessions: sessionmaker[Session], episode_id: int
) -> models.Episode | None:
    """The episode just written, read through `sessions` of the primary (DATABASE_URL): a
    replica may not have it yet. Read in the thread pool, off the event loop."""

    def read() -> models.Episode | None:
        with sessions() as session:
            return queries.episode_by_id(session=session, episode_id=episode_id)

    return await run_in_threadpool(read)
