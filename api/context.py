"""Per-request state for GraphQL: the reader of query functions and the DataLoaders that batch.

Each query function runs in a session of its own that is closed before the resolver returns:
resolvers await DataLoaders, and a request that held a pooled connection across an await
would let enough concurrent requests take every connection while each waits for one more.
Rows come back detached and fully loaded; a lazy load would raise, not query in secret.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from strawberry.dataloader import DataLoader

from api.writes import Ingests
from db import claims, models, queries

V = TypeVar("V")
ClaimsKey = tuple[int, int | None, str | None]  # medication id, first, after


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


def _by_id(read: Reader, fetch: Callable[..., dict[int, V]], keyword: str) -> DataLoader[int, V]:
    """A loader of one row per id; an id with no row is a KeyError, since ids come from rows."""

    async def load(keys: Sequence[int]) -> list[V]:
        found = read(fetch, **{keyword: list(keys)})
        return [found[key] for key in keys]

    return DataLoader(load_fn=load)


def _claims_about(read: Reader, model: type[claims.Claim]) -> DataLoader[ClaimsKey, list[Row[Any]]]:
    """A loader of each medication's claims of `model`, keyed by (medication id, first,
    after): the keys of a batch that ask for the same page share one statement."""

    async def load(keys: Sequence[ClaimsKey]) -> list[list[Row[Any]]]:
        pages: dict[tuple[int | None, str | None], list[int]] = defaultdict(list)
        for medication_id, first, after in keys:
            pages[first, after].append(medication_id)
        found = {
            (medication_id, first, after): rows
            for (first, after), ids in pages.items()
            for medication_id, rows in read(
                claims.claims_about, model=model, medication_ids=ids, first=first, after=after
            ).items()
        }
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _claims_in(read: Reader, model: type[claims.Claim]) -> DataLoader[int, list[Row[Any]]]:
    async def load(keys: Sequence[int]) -> list[list[Row[Any]]]:
        found = read(claims.claims_in, model=model, episode_ids=list(keys))
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    read: Reader
    episode: DataLoader[int, models.Episode] = field(init=False)
    segments: DataLoader[int, list[models.Segment]] = field(init=False)
    quotes: DataLoader[int, list[models.Quote]] = field(init=False)
    summary: DataLoader[int, list[models.SummaryPoint]] = field(init=False)
    mentions: DataLoader[ClaimsKey, list[Row[Any]]] = field(init=False)
    dosages: DataLoader[ClaimsKey, list[Row[Any]]] = field(init=False)
    warnings: DataLoader[ClaimsKey, list[Row[Any]]] = field(init=False)
    aliases: DataLoader[int, list[str]] = field(init=False)
    episode_dosages: DataLoader[int, list[Row[Any]]] = field(init=False)
    episode_warnings: DataLoader[int, list[Row[Any]]] = field(init=False)

    def __post_init__(self) -> None:
        read = self.read
        self.episode = _by_id(read, queries.episodes_by_id, "episode_ids")
        self.segments = _batched(read, queries.segments_for, "episode_ids")
        self.quotes = _batched(read, queries.quotes_for, "episode_ids")
        self.summary = _batched(read, queries.summary_for, "episode_ids")
        self.mentions = _claims_about(read, models.Mention)
        self.dosages = _claims_about(read, models.Dosage)
        self.warnings = _claims_about(read, models.Warning)
        self.aliases = _batched(read, queries.aliases_for, "medication_ids")
        self.episode_dosages = _claims_in(read, models.Dosage)
        self.episode_warnings = _claims_in(read, models.Warning)


@dataclass
class Context:
    read: Reader
    loaders: Loaders
    write_sessions: sessionmaker[Session]
    ingests: Ingests  # ingestion into DATABASE_URL, through a child process
    authorized: bool = False  # the request carries a valid API token
