"""New claims, told to subscribers as ingestion commits them.

Whatever ingests (`claimdex ingest`, `claimdex feed sync`, or a write over HTTP, which runs
`claimdex ingest` in a child process) announces each episode it stored once its transaction
has committed: a notice of a few ids, never the claims. Each server process listens once and
reads the claims back through `db/`, once per medication however many subscribe to it.

Notices go between processes and machines through Redis pub/sub when CLAIMDEX_REDIS_URL is
set, else through PostgreSQL's LISTEN/NOTIFY when DATABASE_URL is PostgreSQL. On SQLite with
no Redis they stay inside the server process, which then hears only the writes it ran itself.
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio
from sqlalchemy import Engine, Row
from sqlalchemy.engine import URL

from api.context import Reader
from db import claims, models, notices, queries
from db.engine import session_factory, transaction

log = logging.getLogger(__name__)

CHANNEL = "claimdex_claims"
# Notices a subscriber may have waiting; one that lets more pile up is ended as too slow.
QUEUED = 100
# Seconds a server waits at start for its listener to be ready before serving anyway.
READY_TIMEOUT = 5.0
# The longest wait, in seconds, between attempts to listen again after Redis or PostgreSQL
# went away.
MOST_BACKOFF = 30.0

Claim = tuple[type[models.Base], Row[Any]]


class SubscriptionError(Exception):
    """A subscription refused or ended by the server; the message is written for the client."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Claims of `medication_ids` were committed in the episode stored from `digest`."""

    episode_id: int
    digest: str
    medication_ids: tuple[int, ...]

    def encode(self) -> str:
        return json.dumps(
            {"episode": self.episode_id, "digest": self.digest, "medications": self.medication_ids}
        )

    @classmethod
    def decode(cls, raw: str | bytes) -> "Notice | None":
        """The notice in `raw`; None, logged, for anything else on the channel."""
        try:
            found = json.loads(raw)
            return cls(
                int(found["episode"]), str(found["digest"]), tuple(map(int, found["medications"]))
            )
        except (ValueError, TypeError, KeyError):
            log.warning("announcements: ignored a message that is not a notice: %.200r", raw)
            return None


def transport(url: URL, redis_url: str | None) -> str:
    """How notices travel for a database at `url`: "redis", "postgresql" or "local"."""
    if redis_url:
        return "redis"
    return "postgresql" if url.get_backend_name() == "postgresql" else "local"


class Announcer:
    """Announces episodes committed to `engine`'s database; does nothing where notices stay in
    the server process (SQLite without Redis), since no other process could hear them."""

    def __init__(self, engine: Engine, redis_url: str | None) -> None:
        self.engine, self.redis_url = engine, redis_url
        self.kind = transport(engine.url, redis_url)
        self.sessions = None if self.kind == "local" else session_factory(engine)

    @classmethod
    def from_env(cls, engine: Engine) -> "Announcer":
        """The announcer the settings (CLAIMDEX_REDIS_URL) ask for; ValueError naming a
        malformed setting."""
        from api.settings import Settings

        return cls(engine, Settings.from_env().redis_url)

    def announce(self, episode_id: int) -> None:
        """Tells every listening server what the episode's claims are about. A failure is
        logged, never raised: the claims are stored already, only the news of them is lost."""
        if self.sessions is None:
            return
        try:
            with self.sessions() as session:
                found = claims.committed(session=session, episode_id=episode_id)
            if found is None or not found.medication_ids:
                return
            payload = Notice(found.episode_id, found.digest, found.medication_ids).encode()
            if self.redis_url:
                with redis.Redis.from_url(self.redis_url, socket_timeout=5) as client:
                    client.publish(CHANNEL, payload)
            else:
                with transaction(self.sessions) as session:
                    notices.notify(session=session, channel=CHANNEL, payload=payload)
        except Exception as error:  # noqa: BLE001 - the episode is stored whatever happens here
            log.warning("announcements: episode %d was not announced: %s", episode_id, error)


@dataclass(eq=False)
class Subscriber:
    name: str
    medication_id: int | None  # None until some episode names the medication
    queue: asyncio.Queue[list[Claim] | None] = field(default_factory=lambda: asyncio.Queue(QUEUED))


class Hub:
    """One server process's subscribers and its one listener. At most `most` subscribers at
    once (CLAIMDEX_MAX_SUBSCRIBERS): each holds a queue and, over a WebSocket, a socket, so
    the cap bounds memory; one more is refused with an error at once."""

    def __init__(self, *, read: Reader, url: URL, redis_url: str | None, most: int) -> None:
        self.read, self.url, self.redis_url, self.most = read, url, redis_url, most
        self.kind = transport(url, redis_url)
        self.subscribers: set[Subscriber] = set()
        self.listener: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Starts listening, and waits (a few seconds at most) until the listener is."""
        if self.kind == "local":
            return
        if self.listener is None:
            self.listener = asyncio.create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT)

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.listener
            self.listener = None

    async def claims(self, name: str) -> AsyncIterator[list[Claim]]:
        """The dosages and warnings about the medication `name` names, each batch as an
        episode commits them, until the caller stops."""
        if len(self.subscribers) >= self.most:
            raise SubscriptionError(
                f"this server holds its most subscriptions at once, {self.most} "
                "(CLAIMDEX_MAX_SUBSCRIBERS); retry later"
            )
        subscriber = Subscriber(name, await self._resolve(name))
        self.subscribers.add(subscriber)
        try:
            await self.start()
            while True:
                batch = await subscriber.queue.get()
                if batch is None:
                    raise SubscriptionError(
                        f"this subscription fell {QUEUED} episodes behind and was ended; "
                        "subscribe again, and read what was missed with dosages(medication:)"
                    )
                yield batch
        finally:
            self.subscribers.discard(subscriber)

    async def written(self, episode_id: int) -> None:
        """After this process stored an episode: hands its claims to the subscribers here,
        where no other process can (SQLite without Redis). Elsewhere the notice comes back
        through the listener, as every other process's do."""
        if self.kind != "local" or not self.subscribers:
            return
        try:
            found = await self.read(claims.committed, episode_id=episode_id)
        except Exception:  # noqa: BLE001 - the write succeeded; only its news is lost
            log.exception("announcements: episode %d was not announced", episode_id)
            return
        if found is not None:
            await self._deliver(Notice(found.episode_id, found.digest, found.medication_ids))

    async def heard(self, notice: Notice) -> None:
        """Reads the notice's claims once per medication subscribed to, and queues them for
        each of its subscribers."""
        unresolved = {s.name for s in self.subscribers if s.medication_id is None}
        for name in unresolved:
            medication_id = await self._resolve(name)
            for subscriber in self.subscribers:
                if subscriber.name == name:
                    subscriber.medication_id = medication_id
        wanted: dict[int, list[Subscriber]] = defaultdict(list)
        for subscriber in self.subscribers:
            if subscriber.medication_id in notice.medication_ids:
                wanted[subscriber.medication_id].append(subscriber)
        if not wanted:
            return
        found = await self.read(
            claims.claims_committed,
            episode_id=notice.episode_id,
            digest=notice.digest,
            medication_ids=sorted(wanted),
        )
        for medication_id, subscribers in wanted.items():
            batch = found.get(medication_id)
            for subscriber in subscribers if batch else []:
                try:
                    subscriber.queue.put_nowait(batch)
                except asyncio.QueueFull:
                    # Make room for the end-of-subscription mark the subscriber reads next.
                    while not subscriber.queue.empty():
                        subscriber.queue.get_nowait()
                    subscriber.queue.put_nowait(None)

    async def _resolve(self, name: str) -> int | None:
        row = await self.read(queries.medication_named, name=name)
        return row.id if row is not None else None

    async def _listen(self) -> None:
        """Hands each notice to `heard`; when Redis or PostgreSQL goes away, listens again
        after a wait that doubles each time, up to MOST_BACKOFF."""
        wait = 1.0
        while True:
            try:
                async for raw in self._notices():
                    wait = 1.0
                    notice = Notice.decode(raw) if raw else None
                    if notice is not None:
                        await self._deliver(notice)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a listener must outlive its source
                log.warning(
                    "announcements: stopped listening (%s); listening again in %.0f s",
                    error,
                    wait,
                )
            self.ready.clear()
            await asyncio.sleep(wait)
            wait = min(wait * 2, MOST_BACKOFF)

    async def _deliver(self, notice: Notice) -> None:
        try:
            await self.heard(notice)
        except Exception:  # noqa: BLE001 - one notice's failure never stops the listener
            log.exception(
                "announcements: the claims of episode %d were not delivered", notice.episode_id
            )

    async def _notices(self) -> AsyncIterator[str | bytes]:
        """Raw notices; "" first, once listening."""
        if self.redis_url is None:
            async for payload in notices.listen(self.url, CHANNEL):
                if not payload:
                    self.ready.set()
                yield payload
            return
        client = redis.asyncio.Redis.from_url(self.redis_url)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                self.ready.set()
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        yield message["data"]
        finally:
            await client.aclose()
