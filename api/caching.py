"""HTTP caching for GET: an ETag on every response, 304 when the client has it already."""

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHE_CONTROL = "public, max-age=60"
PRIVATE = "private, no-cache"
STREAMS = ("text/event-stream", "multipart/mixed")


class ETagMiddleware:
    """Buffers each successful GET response, tags it with a hash of its body, and answers a
    matching If-None-Match with 304 and no body. Responses here are pages of at most a
    hundred rows, so buffering one costs little."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        streaming = False

        async def buffer(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                start = message
                # A stream of events (a subscription) never ends: pass it on as it comes.
                kind = Headers(raw=start["headers"]).get("content-type", "")
                streaming = kind.startswith(STREAMS)
                if streaming:
                    await send(message)
            elif streaming:
                await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await finish()

        async def finish() -> None:
            if start is None:
                raise RuntimeError(
                    f"{scope['path']}: the response body came before http.response.start"
                )
            body = b"".join(chunks)
            headers = MutableHeaders(raw=list(start["headers"]))
            if start["status"] == 200:
                tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                headers["ETag"] = tag
                asked = Headers(scope=scope)
                # An answer given for a token (the feeds) is that client's alone: no shared
                # cache may keep it.
                shared = "authorization" not in asked
                headers.setdefault("Cache-Control", CACHE_CONTROL if shared else PRIVATE)
                wanted = asked.get("if-none-match", "")
                if tag in {value.strip() for value in wanted.split(",")}:
                    del headers["Content-Length"]
                    await send(
                        {"type": "http.response.start", "status": 304, "headers": headers.raw}
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffer)
