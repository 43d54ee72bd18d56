"""Writes over HTTP: ingest a document or delete an episode, for holders of an API token.

Ingestion runs `claimdex ingest -` in a child process, the same code as the command line: the
memory of ingesting (145 MB at its peak for a seed-sized document, 530 MB when the lexicon's
cache must be built first: `python -m bench.lexicon`) never stays in a serving worker.
"""

import asyncio
import hmac
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db import store
from db.engine import transaction

AUTHORIZATION_PREFIX = "bearer "
INGEST_TIMEOUT = 300.0


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


async def ingest_markdown(markdown: str, *, database_url: str, name: str = "upload.md") -> Written:
    """Ingests one document through `claimdex ingest -` into `database_url`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "ingest", "--json", "--name", name, "-",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_child_environment(database_url),
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(
            process.communicate(markdown.encode("utf-8")), INGEST_TIMEOUT
        )
    except TimeoutError:
        process.kill()
        raise WriteError(f"ingestion took longer than {INGEST_TIMEOUT:.0f} s") from None
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
