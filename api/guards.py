"""Request limits in front of every route: a body size cap and a per-client rate limit."""

import ipaddress
import json
import logging
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Network

log = logging.getLogger(__name__)

# Seconds Redis has to answer a rate-limit check; past it the request is counted locally.
REDIS_TIMEOUT = 0.5
# Seconds a worker counts alone after Redis failed to answer, before asking it again.
REDIS_PAUSE = 5.0


async def _refuse(send: Send, status: int, code: str, message: str, **headers: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(key.lower().encode(), value.encode()) for key, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a request body over `limit` bytes, by its Content-Length or as it streams."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (
            f"the request body is over {self.limit} bytes (CLAIMDEX_MAX_BODY_BYTES); "
            "send a smaller document"
        )
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _refuse(send, 413, "too_large", message)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return incoming

        async def watched(outgoing: Message) -> None:
            nonlocal started
            started = started or outgoing["type"] == "http.response.start"
            await send(outgoing)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _refuse(send, 413, "too_large", message)


class _TooLarge(Exception):
    pass


class RateLimit:
    """A moving window per client: at most `per_minute` requests in any 60 s, then 429 with
    Retry-After. A moving window, not a fixed one, since a fixed window lets a client send
    twice the limit across a window's edge. With `redis_url` the windows live in Redis, one
    budget for every worker and machine; without it, or while Redis does not answer, each
    worker counts alone in its memory (fail open: an outage of Redis must not take reads down,
    and the per-worker limit still bounds each client)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        redis_url: str | None = None,
        trusted_proxies: tuple[Network, ...] = (),
        key_prefix: str = "claimdex",
    ) -> None:
        self.app, self.per_minute, self.trusted_proxies = app, per_minute, trusted_proxies
        self.item = RateLimitItemPerMinute(max(per_minute, 1))
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared: MovingWindowRateLimiter | None = None
        self.pool: ConnectionPool | None = None  # ours, so that shutdown can close it
        if redis_url:
            self.pool = ConnectionPool.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
            )
            storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix=key_prefix,
                # Passed on to redis.asyncio.Redis; limits' annotation lists only scalars.
                connection_pool=self.pool,  # type: ignore[arg-type]
            )
            self.shared = MovingWindowRateLimiter(storage)
        self.redis_resumes = 0.0  # monotonic time from which Redis is asked again

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.pool is not None:
            await self.app(scope, receive, self._closing(send))
            return
        if scope["type"] == "websocket" and self.per_minute > 0:
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http" or self.per_minute <= 0:
            await self.app(scope, receive, send)
            return
        wait = await self._wait(client_address(scope, self.trusted_proxies))
        if wait:
            await _refuse(
                send,
                429,
                "rate_limited",
                f"more than {self.per_minute} requests a minute (CLAIMDEX_RATE_LIMIT); "
                f"retry in {wait} s",
                **{"Retry-After": str(wait)},
            )
            return
        await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket spends the client's budget as requests do: once to open, once per
        subscription it starts. Over the limit, opening is refused (403) and a subscribe
        closes the socket with 4429 and how long to wait."""
        client = client_address(scope, self.trusted_proxies)
        first = await receive()
        if first["type"] == "websocket.connect" and await self._wait(client):
            await send({"type": "websocket.close", "code": 1008})
            return
        pending: list[Message] = [first]

        async def counted() -> Message:
            message = pending.pop() if pending else await receive()
            text = message.get("text") if message["type"] == "websocket.receive" else None
            if text and '"subscribe"' in text and (wait := await self._wait(client)):
                await send(
                    {
                        "type": "websocket.close",
                        "code": 4429,
                        "reason": f"more than {self.per_minute} requests a minute "
                        f"(CLAIMDEX_RATE_LIMIT); retry in {wait} s",
                    }
                )
                return {"type": "websocket.disconnect", "code": 4429}
            return message

        await self.app(scope, counted, send)

    def _closing(self, send: Send) -> Send:
        """`send` that closes the Redis connections as the server shuts down."""

        async def closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete" and self.pool is not None:
                await self.pool.aclose()
            await send(message)

        return closing

    async def _wait(self, client: str) -> int:
        """0 if `client` may go on, else the whole seconds until its oldest request in the
        window is a minute old."""
        if self.shared is not None and time.monotonic() >= self.redis_resumes:
            try:
                return await _seconds_to_wait(self.shared, self.item, client)
            except StorageError as error:
                # Skip Redis for a while: requests don't each wait out its timeout, and the
                # log gets one line per pause, not one per request.
                self.redis_resumes = time.monotonic() + REDIS_PAUSE
                log.warning(
                    "rate limit: Redis did not answer (%s); each worker counts alone for %.0f s",
                    error.storage_error,
                    REDIS_PAUSE,
                )
        return await _seconds_to_wait(self.local, self.item, client)


async def _seconds_to_wait(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, client: str
) -> int:
    if await limiter.hit(item, client):
        return 0
    stats = await limiter.get_window_stats(item, client)
    return max(1, math.ceil(stats.reset_time - time.time()))


def client_address(scope: Scope, trusted_proxies: tuple[Network, ...]) -> str:
    """The socket peer, or, when the peer is a trusted proxy, the nearest address in
    X-Forwarded-For that is not one: read right to left, since each proxy appends the address
    it was called from and only the hops added by trusted proxies can be believed."""
    peer = str((scope.get("client") or ("unknown", 0))[0])
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [
        _host(hop)
        for name, value in scope["headers"]
        if name == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer  # every hop is a proxy: the first one is the client


def _host(hop: str) -> str:
    """The address in an X-Forwarded-For hop, without the port some proxies add, so a client
    does not get a fresh budget with each connection."""
    hop = hop.strip()
    if hop.startswith("["):  # [2001:db8::1]:4711
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:  # 192.0.2.1:4711
        return hop.partition(":")[0]
    return hop


def _trusted(host: str, trusted_proxies: tuple[Network, ...]) -> bool:
    if not trusted_proxies:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d
    return any(address in network for network in trusted_proxies)
