"""Per-request state for GraphQL: the reader of query functions and the DataLoaders that batch.

Nothing a request asks of the database runs on the server's event loop. A GraphQL operation
runs whole on a worker thread, in an event loop of that thread's own (`on_a_worker`): its
reads and the building of its answer, which for a long list is half a second of CPU, hold
up only that request while the server's loop goes on serving others. A REST handler runs on
a worker the same way, through the Reader.

Each query function runs in a session of its own that is closed before the resolver goes
on: resolvers await DataLoaders, and a request that held a pooled connection across an await
would let enough concurrent requests take every connection while each waits for one more.
Rows come back detached and fully loaded; a lazy load would raise, not query in secret.
"""

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from strawberry.dataloader import DataLoader

from api.writes import Ingests
from db import across, claims, models, queries
from db.engine import StatementTimeout, time_limit
from db.pages import page_size

if TYPE_CHECKING:
    from api.announcements import Hub
    from api.heavy import Heavy

V = TypeVar("V")
ClaimsKey = tuple[int, int | None, str | None]  # medication (or condition) id, first, after
FirstKey = tuple[int, int | None]  # condition id, first


# Set inside a worker's own event loop: reads there run at once, on that thread.
_ON_A_WORKER: ContextVar[bool] = ContextVar("on_a_worker", default=False)


class _ThreadLoop:
    """One event loop per worker thread, made on its first operation and closed when the
    thread ends. Making and closing a loop (and its self-pipe) for each operation was the
    largest cost between the socket and the resolver for a small query."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


_THREAD_LOOPS = threading.local()


def run_here(operation: Coroutine[Any, Any, V]) -> V:
    """Runs `operation` to its end in this thread's event loop; whatever it left running is
    cancelled before the next operation, as closing a loop of its own would have."""
    _ON_A_WORKER.set(True)
    found: _ThreadLoop | None = getattr(_THREAD_LOOPS, "found", None)
    if found is None:
        found = _THREAD_LOOPS.found = _ThreadLoop()
    loop = found.loop
    try:
        return loop.run_until_complete(operation)
    finally:
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        if left:
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))


async def on_a_worker(operation: Coroutine[Any, Any, V], threads: CapacityLimiter) -> V:
    """Awaits `operation` on a worker thread, at most `threads` at once; on a worker
    already, here."""
    if _ON_A_WORKER.get():
        return await operation
    return await to_thread.run_sync(run_here, operation, limiter=threads)


class TooSlow(Exception):
    """A read the statement time limit stopped; the message is written for the client."""


class TooMany(Exception):
    """An unpaged list longer than CLAIMDEX_MAX_LIST; the message is written for the client."""

    def __init__(self, what: str, most: int, remedy: str) -> None:
        super().__init__(f"{what}: more than {most} items (CLAIMDEX_MAX_LIST); {remedy}")


def bounded(rows: Sequence[V], what: str, most: int, remedy: str) -> Sequence[V]:
    """`rows` when there are at most `most`; TooMany otherwise."""
    if len(rows) > most:
        raise TooMany(what, most, remedy)
    return rows


PAGE_THEM = "ask for them a page at a time with first and after"


class Reader:
    """Calls a query function in a short session of its own, on a worker thread, within the
    statement time limit (0: none).

    `threads` caps how many reads run at once: as many as the pool has connections, so a
    thread never sits holding a place while it waits for a connection."""

    def __init__(
        self, sessions: sessionmaker[Session], threads: CapacityLimiter, time_limit_ms: int = 0
    ) -> None:
        self.sessions = sessions
        self.threads = threads
        self.time_limit_ms = time_limit_ms

    async def __call__(self, fetch: Callable[..., V], **arguments: Any) -> V:
        if _ON_A_WORKER.get():
            return self.now(fetch, **arguments)
        return await to_thread.run_sync(partial(self.now, fetch, **arguments), limiter=self.threads)

    def now(self, fetch: Callable[..., V], **arguments: Any) -> V:
        """The same call on the calling thread."""
        try:
            with self.sessions() as session, time_limit(session, self.time_limit_ms):
                return fetch(session=session, **arguments)
        except StatementTimeout as error:
            raise TooSlow(
                f"{error} (CLAIMDEX_STATEMENT_TIMEOUT_MS): ask for a smaller page (first) or "
                "narrower filters"
            ) from error


def _batched(
    read: Reader, fetch: Callable[..., dict[int, list[V]]], keyword: str
) -> DataLoader[int, list[V]]:
    """A loader that answers every key of a batch with one call to a query function."""

    async def load(keys: Sequence[int]) -> list[list[V]]:
        found = await read(fetch, **{keyword: list(keys)})
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _by_id(read: Reader, fetch: Callable[..., dict[int, V]], keyword: str) -> DataLoader[int, V]:
    """A loader of one row per id; an id with no row is a KeyError, since ids come from rows."""

    async def load(keys: Sequence[int]) -> list[V]:
        found = await read(fetch, **{keyword: list(keys)})
        return [found[key] for key in keys]

    return DataLoader(load_fn=load)


def _claims_about(
    read: Reader, model: type[claims.Claim], most: int
) -> DataLoader[ClaimsKey, list[Row[Any]]]:
    """A loader of each medication's claims of `model` (see `_pages`)."""
    fetch = partial(claims.claims_about, model=model)
    return _pages(read, f"{model.__tablename__} of a medication", fetch, "medication_ids", most)


def _pages(
    read: Reader, what: str, fetch: Callable[..., dict[int, list[V]]], keyword: str, most: int
) -> DataLoader[ClaimsKey, list[V]]:
    """A loader of each owner's claims, keyed by (owner id, first, after): the keys of a
    batch that ask for the same page share one statement. A list asked for whole reads one
    row past `most`, to know it is too long without reading it all."""

    async def load(keys: Sequence[ClaimsKey]) -> list[list[V] | TooMany]:
        pages: dict[tuple[int | None, str | None], list[int]] = defaultdict(list)
        for owner, first, after in keys:
            pages[first, after].append(owner)
        found: dict[ClaimsKey, list[V]] = {}
        for (first, after), ids in pages.items():
            rows = await read(fetch, **{keyword: ids}, first=first, after=after, most=most + 1)
            found |= {(owner, first, after): rows[owner] for owner in rows}
        return [
            TooMany(what, most, PAGE_THEM)
            if key[1] is None and len(found.get(key, [])) > most
            else found.get(key, [])
            for key in keys
        ]

    return DataLoader(load_fn=load)


def _medications_for(read: Reader, most: int) -> DataLoader[FirstKey, list[models.Medication]]:
    """A loader of each condition's medications, keyed by (condition id, first): the first
    that many, or all of them up to `most`."""

    async def load(keys: Sequence[FirstKey]) -> list[list[models.Medication] | TooMany]:
        firsts: dict[int | None, list[int]] = defaultdict(list)
        for condition, first in keys:
            firsts[first].append(condition)
        found: dict[FirstKey, list[models.Medication]] = {}
        for first, ids in firsts.items():
            size = page_size(first) if first is not None else most + 1
            rows = await read(queries.medications_for_conditions, condition_ids=ids, most=size)
            found |= {(condition, first): rows[condition] for condition in rows}
        return [
            TooMany("medications of a condition", most, "ask for the first ones with first")
            if key[1] is None and len(found.get(key, [])) > most
            else found.get(key, [])
            for key in keys
        ]

    return DataLoader(load_fn=load)


def _claims_in(read: Reader, model: type[claims.Claim]) -> DataLoader[int, list[Row[Any]]]:
    async def load(keys: Sequence[int]) -> list[list[Row[Any]]]:
        found = await read(claims.claims_in, model=model, episode_ids=list(keys))
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's DataLoaders, each made on first use: a request needs few of them, and
    making all of them was a sixth of a compiled answer's time."""

    def __init__(self, read: Reader, max_list: int = 1000) -> None:
        self.read = read
        self.max_list = max_list  # the longest list answered whole (CLAIMDEX_MAX_LIST)

    @cached_property
    def episode(self) -> DataLoader[int, models.Episode]:
        return _by_id(self.read, queries.episodes_by_id, "episode_ids")

    @cached_property
    def segments(self) -> DataLoader[int, list[models.Segment]]:
        return _batched(self.read, queries.segments_for, "episode_ids")

    @cached_property
    def quotes(self) -> DataLoader[int, list[models.Quote]]:
        return _batched(self.read, queries.quotes_for, "episode_ids")

    @cached_property
    def summary(self) -> DataLoader[int, list[models.SummaryPoint]]:
        return _batched(self.read, queries.summary_for, "episode_ids")

    @cached_property
    def mentions(self) -> DataLoader[ClaimsKey, list[Row[Any]]]:
        return _claims_about(self.read, models.Mention, self.max_list)

    @cached_property
    def dosages(self) -> DataLoader[ClaimsKey, list[Row[Any]]]:
        return _claims_about(self.read, models.Dosage, self.max_list)

    @cached_property
    def warnings(self) -> DataLoader[ClaimsKey, list[Row[Any]]]:
        return _claims_about(self.read, models.Warning, self.max_list)

    @cached_property
    def indications(self) -> DataLoader[ClaimsKey, list[Row[Any]]]:
        return _claims_about(self.read, models.Indication, self.max_list)

    @cached_property
    def aliases(self) -> DataLoader[int, list[str]]:
        return _batched(self.read, queries.aliases_for, "medication_ids")

    @cached_property
    def medication(self) -> DataLoader[int, models.Medication]:
        return _by_id(self.read, queries.medications_by_id, "medication_ids")

    @cached_property
    def condition_aliases(self) -> DataLoader[int, list[str]]:
        return _batched(self.read, queries.condition_aliases_for, "condition_ids")

    @cached_property
    def condition_medications(self) -> DataLoader[FirstKey, list[models.Medication]]:
        return _medications_for(self.read, self.max_list)

    @cached_property
    def condition_indications(self) -> DataLoader[ClaimsKey, list[Row[Any]]]:
        return _pages(
            self.read,
            "indications of a condition",
            claims.indications_of,
            "condition_ids",
            self.max_list,
        )

    @cached_property
    def episode_dosages(self) -> DataLoader[int, list[Row[Any]]]:
        return _claims_in(self.read, models.Dosage)

    @cached_property
    def episode_warnings(self) -> DataLoader[int, list[Row[Any]]]:
        return _claims_in(self.read, models.Warning)

    @cached_property
    def across_episodes(self) -> DataLoader[int, list[across.Summary]]:
        return _batched(self.read, across.summaries, "medication_ids")

    @cached_property
    def disagreements(self) -> DataLoader[ClaimsKey, list[across.Disagreement]]:
        return _pages(
            self.read,
            "disagreements of a medication",
            across.disagreements,
            "medication_ids",
            self.max_list,
        )


@dataclass
class Context:
    read: Reader
    loaders: Loaders
    write_sessions: sessionmaker[Session]
    ingests: Ingests  # ingestion into DATABASE_URL, through a child process
    authorized: bool = False  # the request carries a valid API token
    hub: "Hub | None" = None  # subscriptions to new claims
    heavy: "Heavy | None" = None  # worker processes for large answers (api/heavy.py)
