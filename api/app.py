"""The Starlette application: GraphQL (GraphiQL in a browser) at /graphql, REST at /api/v1."""

import asyncio
import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import orjson
from anyio import CapacityLimiter
from cross_web import AsyncHTTPRequestAdapter
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    SubscribeMessage,
)
from strawberry.types.unset import UNSET

from api import metrics, rest, tracing
from api.announcements import Hub
from api.caching import ETagMiddleware
from api.context import Context, Loaders, Reader
from api.guards import BodyLimit, RateLimit
from api.heavy import Heavy
from api.media import GRAPHQL_RESPONSE, JSON, is_request_error, response_media_type
from api.persisted import UNCACHED, Documents, Refused
from api.schema import build_schema
from api.settings import Settings
from api.writes import Ingests, token_is_valid
from db.engine import (
    connection_limit,
    create_schema,
    in_memory,
    make_engine,
    session_factory,
)

# The web page: static files that use only the public GraphQL API.
STATIC = Path(__file__).resolve().parent / "static"
# The GraphiQL page; its scripts are the copies in static/graphiql (README there).
GRAPHIQL = Path(__file__).resolve().parent / "graphiql.html"
# Nothing but this server's own files: the page works offline and loads nothing from elsewhere.
GRAPHIQL_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:"
)
# How often a thread holding the interpreter lock hands it over (Python's default: 0.005).
# With 1 ms, python -m bench.stall gave the headline query alone 115 requests/s (93 at 5 ms),
# and beside a heavy client a p99 of 174 ms (364 ms at 5 ms).
LOCK_SWITCH_SECONDS = 0.001

# Subscriptions one WebSocket may hold at once; a client that wants more opens another.
SUBSCRIPTIONS_PER_CONNECTION = 10

# What GraphiQL shows on opening: the headline query, ready to run.
DOSING_ADVICE = """query DosingAdvice($name: String!) {
  medication(name: $name) {
    name
    aliases
    dosages { value maxValue unit frequency text
              source { seconds timestamp url episode { title } } }
    warnings { kind text source { timestamp url } }
  }
}
"""


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, each subscribe's document resolved and checked as over HTTP:
    trusted documents bind WebSocket subscribers too. A connection with no subscription that
    has sent nothing for CLAIMDEX_SUBSCRIPTION_IDLE_SECONDS is closed (4408)."""

    idle_task: asyncio.Task[None] | None = None
    last_heard = 0.0

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.last_heard = time.monotonic()
        idle = cast("GraphQLApp", self.view).settings.subscription_idle_seconds
        if idle > 0:
            self.idle_task = asyncio.create_task(self._close_when_idle(idle))

    async def handle_message(self, message: Message) -> None:
        self.last_heard = time.monotonic()
        await super().handle_message(message)

    async def shutdown(self) -> None:
        if self.idle_task is not None:
            self.idle_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.idle_task
        await super().shutdown()

    async def _close_when_idle(self, idle: float) -> None:
        while True:
            quiet = time.monotonic() - self.last_heard
            if quiet >= idle and not self.operations:
                reason = f"idle for {idle:g} s (CLAIMDEX_SUBSCRIPTION_IDLE_SECONDS)"
                await self.websocket.close(code=4408, reason=reason)
                return
            await asyncio.sleep(max(idle - quiet, 0.0) if quiet < idle else idle)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message.get("payload")
        # Before the handshake, or under an id in use, strawberry closes the socket itself.
        if (
            self.connection_acknowledged
            and message["id"] not in self.operations
            and isinstance(payload, dict)
        ):
            documents = cast("GraphQLApp", self.view).documents
            try:
                query = await documents.resolve(payload.get("query"), payload.get("extensions"))
            except Refused as refused:
                error = {"id": message["id"], "type": "error", "payload": [refused.formatted()]}
                await self.send_message(error)  # type: ignore[arg-type]
                return
            if query is not None:
                payload["query"] = query
        await super().handle_subscribe(message)


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        settings: Settings,
        read: Reader,
        write_sessions: sessionmaker[Session],
        ingests: Ingests,
        hub: Hub,
        heavy: Heavy | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        super().__init__(
            build_schema(settings, tracer_provider),
            graphql_ide="graphiql" if settings.graphiql else None,
            # Reads may come over GET (cacheable); mutations never do.
            allow_queries_via_get=True,
            # Subscriptions over WebSocket (graphql-transport-ws) and server-sent events.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            max_subscriptions_per_connection=SUBSCRIPTIONS_PER_CONNECTION,
            # Pages on these origins may open a WebSocket, as they may call the API.
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.read = read
        self.write_sessions = write_sessions
        self.ingests = ingests
        self.hub = hub
        self.heavy = heavy
        self.documents = Documents.from_settings(settings)
        # Our page, not strawberry's: it loads GraphiQL from /static rather than a CDN.
        defaults = json.dumps({"query": DOSING_ADVICE, "variables": '{"name": "LDN"}'})
        # "</" inside the JSON would end the script element that holds it.
        self.graphiql_page = GRAPHIQL.read_text(encoding="utf-8").replace(
            "{{ defaults }}", defaults.replace("</", "<\\/")
        )

    def encode_json(self, data: object) -> str:
        """Every answer through orjson, the compiled documents' and the rest alike: the same
        data gives the same bytes either way. Text, not bytes: a WebSocket sends text frames."""
        return orjson.dumps(data).decode()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """Carries the media type the client's Accept asks for to `create_response`."""
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Under application/graphql-response+json a request error is answered 400 without a
        data entry, as GraphQL over HTTP asks; under application/json it stays 200 with
        "data": null, which is what older clients expect."""
        media_type = sub_response.media_type or JSON
        if (
            media_type == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and is_request_error(response_data)
        ):
            del response_data["data"]
            sub_response.status_code = 400
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        # GET answers are cached (api/caching.py): a cache must key them on Accept too.
        response.headers.add_vary_header("Accept")
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        authorization = request.headers.get("authorization")
        return Context(
            read=self.read,
            loaders=Loaders(self.read, self.settings.max_list),
            write_sessions=self.write_sessions,
            ingests=self.ingests,
            authorized=token_is_valid(authorization, self.settings.api_tokens),
            hub=self.hub,
            heavy=self.heavy,
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Each operation's document resolved (api/persisted.py): the text sent, or the one
        its hash names; a refusal is answered by `run`. Server-sent events come this way."""
        parsed = await super().parse_http_body(request)
        for item in parsed if isinstance(parsed, list) else [parsed]:
            item.query = await self.documents.resolve(item.query, item.extensions)
        return parsed

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context | None = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        try:
            return await super().run(request, context, root_value)  # type: ignore[arg-type]
        except Refused as refused:
            return self.refusal(request, refused)

    def refusal(self, request: Request | WebSocket, refused: Refused) -> Response:
        """A refused document as a GraphQL error with its code, as Apollo's clients read it;
        a miss is never cached, so the client's next request reaches the server."""
        media_type = response_media_type(request.headers.get("accept"))
        response = JSONResponse(
            {"errors": [refused.formatted()]}, status_code=refused.status, media_type=media_type
        )
        response.headers.add_vary_header("Accept")
        if refused.status == 200:
            response.headers["Cache-Control"] = UNCACHED
        return response

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """A GET that names its document by hash alone is a query, whatever its Accept."""
        wanted = super().should_render_graphql_ide(request)
        return wanted and request.query_params.get("extensions") is None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        headers = {"Content-Security-Policy": GRAPHIQL_CSP, "Vary": "Accept"}
        return HTMLResponse(self.graphiql_page, headers=headers)


def create_app(
    engine: Engine | None = None,
    read_engine: Engine | None = None,
    settings: Settings | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The application over `engine` (default: DATABASE_URL); reads go to `read_engine`
    (default: DATABASE_READ_URL, else the same database). At start-up an embedded database is
    brought up to date and a server's schema is checked. Spans go to `tracer_provider`
    (default: the exporter OTEL_TRACES_EXPORTER names, else none are made)."""
    settings = settings or Settings.from_env()
    engine = engine or make_engine()
    if read_engine is None:
        replica = os.environ.get("DATABASE_READ_URL")
        read_engine = make_engine(replica) if replica else engine
    tracer_provider = tracer_provider or tracing.provider_from_env()
    for watched in {engine, read_engine}:
        metrics.watch_statements(watched)
        if tracer_provider is not None:
            tracing.trace_statements(watched, tracer_provider)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        create_schema(engine)
        # Modules, schema and engine live as long as the server: frozen, a full garbage
        # collection walks only what requests leave behind, 5 ms instead of a 70-90 ms
        # pause every hundred or so requests (the p99 of the headline query).
        gc.collect()
        gc.freeze()
        # Requests run on worker threads beside the event loop, and a thread waiting for the
        # interpreter lock waits up to the switch interval each time it wants it back: at the
        # default 5 ms, one busy request makes every other wait in 5 ms steps.
        sys.setswitchinterval(LOCK_SWITCH_SECONDS)
        await hub.start()
        if heavy is not None:
            heavy.start()
        yield
        if heavy is not None:
            heavy.close()
        await hub.stop()
        await graphql.documents.close()
        engine.dispose()
        read_engine.dispose()

    # One way to read for GraphQL and REST alike: off the event loop, within the time limit.
    read = Reader(
        session_factory(read_engine),
        CapacityLimiter(connection_limit()),
        settings.statement_timeout_ms,
    )
    write_sessions = session_factory(engine)
    # New claims reach subscribers from every process that writes to `engine`'s database.
    hub = Hub(
        read=read, url=engine.url, redis_url=settings.redis_url, most=settings.max_subscribers
    )
    # One set of ingest slots for GraphQL and REST alike.
    ingests = Ingests(
        database_url=engine.url.render_as_string(hide_password=False),
        slots=settings.max_ingests,
        written=hub.written,
    )
    heavy = (
        Heavy(settings, read_engine.url.render_as_string(hide_password=False))
        if settings.heavy_workers and not in_memory(read_engine.url)
        else None
    )
    graphql = GraphQLApp(settings, read, write_sessions, ingests, hub, heavy, tracer_provider)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/", lambda _request: FileResponse(STATIC / "index.html"), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        # A plain JSON endpoint: for load balancers' health checks, and the floor that
        # benchmarks compare GraphQL's overhead with.
        Route("/healthz", lambda _request: JSONResponse({"ok": True}), methods=["GET"]),
        Route("/metrics", _metrics_endpoint(settings), methods=["GET"]),
        *rest.routes(read, rest.Writes(settings.api_tokens, write_sessions, ingests)),
    ]
    middleware = [
        Middleware(metrics.Metrics, routes=routes),
        Middleware(
            RateLimit,
            per_minute=settings.rate_per_minute,
            redis_url=settings.redis_url,
            trusted_proxies=settings.trusted_proxies,
        ),
        Middleware(BodyLimit, limit=settings.max_body_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization", "If-None-Match"],
            expose_headers=["ETag", "Link"],
        ),
        Middleware(ETagMiddleware),
    ]
    if tracer_provider is not None:
        middleware.insert(0, Middleware(tracing.traced, provider=tracer_provider))
    # Paths and methods no route takes, and the errors REST handlers raise, answer in the REST
    # error envelope, not plain text.
    handlers = dict(rest.ERROR_HANDLERS)
    return Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers
    )


def _metrics_endpoint(settings: Settings) -> Callable[[Request], Response]:
    """/metrics: open, except in production, where it needs an API token like a write."""

    def endpoint(request: Request) -> Response:
        if settings.production and not token_is_valid(
            request.headers.get("authorization"), settings.api_tokens
        ):
            return JSONResponse(
                {"error": {"code": "unauthorized", "message": METRICS_TOKEN}}, status_code=401
            )
        return metrics.scrape(request)

    return endpoint


METRICS_TOKEN = (
    "in production /metrics needs 'Authorization: Bearer <token>' with one of the tokens in "
    "CLAIMDEX_API_TOKENS"
)
