"""Request limits in front of every route: a body size cap and a per-client rate limit."""

import json
import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
    """A token bucket per client address: `per_minute` requests a minute, refilled evenly;
    past it, 429 with Retry-After. Each worker process keeps its own buckets."""

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app, self.per_minute = app, per_minute
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, updated)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        tokens, updated = self.buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - updated) * self.per_minute / 60)
        if tokens < 1:
            wait = math.ceil((1 - tokens) * 60 / self.per_minute)
            self.buckets[client] = (tokens, now)
            await _refuse(
                send,
                429,
                "rate_limited",
                f"more than {self.per_minute} requests a minute (CLAIMDEX_RATE_LIMIT); "
                f"retry in {wait} s",
                **{"Retry-After": str(wait)},
            )
            return
        self.buckets[client] = (tokens - 1, now)
        if len(self.buckets) > 100_000:  # forget the idle, so memory stays bounded
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        await self.app(scope, receive, send)
