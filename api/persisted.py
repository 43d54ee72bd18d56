"""Which document a request runs: its text, a trusted document, or an automatic persisted
query (Apollo's protocol: sent once with its SHA-256, then by the hash alone, over GET where a
CDN can cache the answer). One check for every transport: HTTP, server-sent events and
WebSockets."""

import logging
import re
import time
from collections import OrderedDict
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.guards import REDIS_PAUSE, REDIS_TIMEOUT
from api.settings import Settings
from api.trusted import TrustedDocuments, digest

log = logging.getLogger(__name__)

VERSION = 1
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
# The longest document stored, in UTF-8 bytes: with CLAIMDEX_PERSISTED_QUERIES_MAX documents
# it bounds the store's memory (1,000 x 50 kB). A query of the most tokens a request may
# carry (CLAIMDEX_MAX_TOKENS) is far shorter.
LARGEST = 50_000
# Answers that tell the client to send the document: never kept by a cache, so that the next
# request, with the document or after it is stored, reaches the server (as Apollo Server does).
UNCACHED = "private, no-cache, must-revalidate"


class Refused(Exception):
    """A request whose document does not run; `code` goes in the GraphQL error's extensions,
    `status` is the HTTP status."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status

    def formatted(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": self.code}}


def not_found() -> Refused:
    """The miss that Apollo's clients answer by sending the document with its hash."""
    return Refused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)


def not_supported() -> Refused:
    """What makes Apollo's clients send whole documents from then on."""
    return Refused("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", 200)


class Store(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def put(self, key: str, document: str) -> None: ...
    async def close(self) -> None: ...


class MemoryStore:
    """The `most` documents of this process used last."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.documents: OrderedDict[str, str] = OrderedDict()

    async def get(self, key: str) -> str | None:
        document = self.documents.get(key)
        if document is not None:
            self.documents.move_to_end(key)
        return document

    async def put(self, key: str, document: str) -> None:
        self.documents[key] = document
        self.documents.move_to_end(key)
        while len(self.documents) > self.most:
            self.documents.popitem(last=False)

    async def close(self) -> None:
        return None


# KEYS: the documents (a hash), their order of use (a sorted set), the clock ordering it.
# Each script runs whole in Redis, so workers storing at once never leave a document without
# its place in the order, nor evict more than the bound asks.
FETCH = """
local document = redis.call('HGET', KEYS[1], ARGV[1])
if document then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end
return document
"""
STORE = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(oldest))
end
"""


class RedisStore:
    """The `most` documents used last by any worker, in Redis. While Redis does not answer,
    each worker keeps its own (fail open, as the rate limit does): a client whose document
    is then missing is told so and sends it again."""

    def __init__(self, url: str, most: int, prefix: str = "claimdex") -> None:
        self.most = most
        self.redis = Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )
        # One hash tag: in a Redis Cluster the three keys share a slot, as scripts need.
        self.keys = [f"{{{prefix}:apq}}:{name}" for name in ("documents", "used", "clock")]
        self.fetch = self.redis.register_script(FETCH)
        self.store = self.redis.register_script(STORE)
        self.local = MemoryStore(most)
        self.resumes = 0.0  # monotonic time from which Redis is asked again

    async def get(self, key: str) -> str | None:
        if time.monotonic() >= self.resumes:
            try:
                found = await self.fetch(keys=self.keys, args=[key])
                return found if isinstance(found, str) else None
            except RedisError as error:
                self._pause(error)
        return await self.local.get(key)

    async def put(self, key: str, document: str) -> None:
        if time.monotonic() >= self.resumes:
            try:
                await self.store(keys=self.keys, args=[key, document, self.most])
                return
            except RedisError as error:
                self._pause(error)
        await self.local.put(key, document)

    def _pause(self, error: RedisError) -> None:
        # One log line per pause, not one per request, and no request waits out the timeout.
        self.resumes = time.monotonic() + REDIS_PAUSE
        log.warning(
            "persisted queries: Redis did not answer (%s); each worker keeps its own for %.0f s",
            error,
            REDIS_PAUSE,
        )

    async def close(self) -> None:
        await self.redis.aclose()


class Documents:
    """Resolves each request's document. With trusted documents only they run, by text or
    hash; in production, or with trusted documents, clients cannot store new ones."""

    def __init__(
        self, *, trusted: TrustedDocuments | None, production: bool, store: Store | None
    ) -> None:
        self.trusted, self.production, self.store = trusted, production, store

    @classmethod
    def from_settings(cls, settings: Settings) -> "Documents":
        trusted = (
            TrustedDocuments.load(settings.trusted_documents)
            if settings.trusted_documents
            else None
        )
        store: Store | None = None
        registers = not settings.production and trusted is None
        if registers and settings.persisted_queries_max > 0:
            most = settings.persisted_queries_max
            shared = settings.redis_url
            store = RedisStore(shared, most) if shared else MemoryStore(most)
        return cls(trusted=trusted, production=settings.production, store=store)

    async def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The text to run (None: the request named none); Refused with the reason."""
        extensions = extensions or {}
        key = _persisted_hash(extensions.get("persistedQuery"))
        if key is not None and query is not None and digest(query) != key:
            raise Refused(
                f"extensions.persistedQuery.sha256Hash is {key}, but the SHA-256 of the query "
                f"is {digest(query)}: hash the query's exact text (UTF-8), or send the query "
                "without the hash",
                "PERSISTED_QUERY_HASH_MISMATCH",
                400,
            )
        if self.trusted is not None:
            return self._trusted(query, key or extensions.get("documentId"), key is not None)
        if key is None:
            return query
        if query is None:
            if self.store is None:
                raise not_supported()
            found = await self.store.get(key)
            if found is None:
                raise not_found()
            return found
        if self.production:
            raise Refused(
                "in production (CLAIMDEX_ENV=production) the server stores no new persisted "
                "queries: send the query without extensions.persistedQuery, or list it in "
                "CLAIMDEX_TRUSTED_DOCUMENTS",
                "PERSISTED_QUERY_REGISTRATION_REFUSED",
                403,
            )
        if self.store is not None:
            size = len(query.encode("utf-8"))
            if size > LARGEST:
                raise Refused(
                    f"the query is {size} bytes; a persisted query holds at most {LARGEST}: "
                    "send it without extensions.persistedQuery",
                    "PERSISTED_QUERY_TOO_LARGE",
                    400,
                )
            await self.store.put(key, query)
        return query

    def _trusted(self, query: str | None, wanted: Any, persisted: bool) -> str:
        assert self.trusted is not None
        if query is not None:
            if self.trusted.get(digest(query)) is not None:
                return query
            raise Refused(
                "this operation is not on the server's list of trusted documents "
                "(CLAIMDEX_TRUSTED_DOCUMENTS)"
                + ("; new persisted queries are not stored" if persisted else ""),
                "QUERY_NOT_IN_SAFELIST",
                403,
            )
        found = self.trusted.get(wanted) if isinstance(wanted, str) else None
        if found is not None:
            return found
        if persisted:
            raise not_found()
        raise Refused(
            "unknown document id: send a trusted document's SHA-256 or its text",
            "PERSISTED_QUERY_NOT_IN_LIST",
            403,
        )

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()


def _persisted_hash(persisted: Any) -> str | None:
    """extensions.persistedQuery's hash, lower case, once its shape is checked."""
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise _invalid(
            "extensions.persistedQuery must be an object such as "
            '{"version": 1, "sha256Hash": "<64 hex digits>"}'
        )
    if persisted.get("version") != VERSION:
        raise _invalid(
            f"extensions.persistedQuery.version is {persisted.get('version')!r}; "
            f"this server speaks version {VERSION} of automatic persisted queries"
        )
    key = persisted.get("sha256Hash")
    if not isinstance(key, str) or not SHA256.fullmatch(key):
        raise _invalid(
            f"extensions.persistedQuery.sha256Hash is {key!r}; expected the query's SHA-256 "
            "in 64 hex digits"
        )
    return key.lower()


def _invalid(message: str) -> Refused:
    return Refused(message, "PERSISTED_QUERY_INVALID", 400)
