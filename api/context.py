"""Per-request state for GraphQL: the reader of query functions and the DataLoaders that batch.

Each query function runs in a session of its own that is closed before the resolver returns:
resolvers await DataLoaders, and a request that held a pooled connection across an await
would let enough concurrent requests take every connection while each waits for one more.
Rows come back detached and fully loaded; a lazy load would raise, not query in secret.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from strawberry.dataloader import DataLoader

from db import models, queries

V = TypeVar("V")


class Reader:
    """Calls a query function in a short session of its own."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def __call__(self, fetch: Callable[..., V], **arguments: Any) -> V:
        with self.sessions() as session:
            return fetch(session=session, **arguments)


def _batched(
    read: Reader, fetch: Callable[..., dict[int, list[V]]], keyword: str
) -> DataLoader[int, list[V]]:
    """A loader that answers every key of a batch with one call to a query function."""

    async def load(keys: Sequence[int]) -> list[list[V]]:
        found = read(fetch, **{keyword: list(keys)})
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    read: Reader
    segments: DataLoader[int, list[models.Segment]] = field(init=False)
    quotes: DataLoader[int, list[models.Quote]] = field(init=False)
    summary: DataLoader[int, list[models.SummaryPoint]] = field(init=False)
    mentions: DataLoader[int, list[models.Mention]] = field(init=False)
    dosages: DataLoader[int, list[models.Dosage]] = field(init=False)
    warnings: DataLoader[int, list[models.Warning]] = field(init=False)
    aliases: DataLoader[int, list[str]] = field(init=False)
    episode_dosages: DataLoader[int, list[models.Dosage]] = field(init=False)
    episode_warnings: DataLoader[int, list[models.Warning]] = field(init=False)

    def __post_init__(self) -> None:
        session = self.read
        self.segments = _batched(session, queries.segments_for, "episode_ids")
        self.quotes = _batched(session, queries.quotes_for, "episode_ids")
        self.summary = _batched(session, queries.summary_for, "episode_ids")
        self.mentions = _batched(session, queries.mentions_for, "medication_ids")
        self.dosages = _batched(session, queries.dosages_for, "medication_ids")
        self.warnings = _batched(session, queries.warnings_for, "medication_ids")
        self.aliases = _batched(session, queries.aliases_for, "medication_ids")
        self.episode_dosages = _batched(session, queries.dosages_in, "episode_ids")
        self.episode_warnings = _batched(session, queries.warnings_in, "episode_ids")


@dataclass
class Context:
    read: Reader
    loaders: Loaders
    write_sessions: sessionmaker[Session]
    write_url: str  # where writes go (DATABASE_URL), for the ingesting child process
    authorized: bool = False  # the request carries a valid API token
