"""Prometheus metrics, served at /metrics: requests, GraphQL operations, SQL statements per
request, ingests and feed syncs.

Each process counts in its own memory unless PROMETHEUS_MULTIPROC_DIR (prometheus-client's
multiprocess mode) names a folder: then every uvicorn worker, and every `claimdex ingest` and
`claimdex feed sync` on the machine, writes its counts there and /metrics sums them all, so a
scrape that reaches any one worker sees the whole machine. Ingests are counted by the process
that runs them, which for a write over HTTP is its `claimdex ingest` child: without the folder
the server cannot see them.
"""

import os
import time
from collections.abc import Generator, Sequence
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

REQUESTS = Counter(
    "claimdex_http_requests", "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    "claimdex_http_request_duration_seconds", "Time to answer an HTTP request, by route.",
    ["route", "method"],
)  # fmt: skip
OPERATIONS = Counter(
    "claimdex_graphql_operations", "GraphQL operations run, by type, name and outcome.",
    ["type", "name", "outcome"],
)  # fmt: skip
OPERATION_SECONDS = Histogram(
    "claimdex_graphql_operation_duration_seconds",
    "Time to run a GraphQL operation, by type and name.",
    ["type", "name"],
)
OFFLOADED = Counter(
    "claimdex_graphql_offloaded",
    "GraphQL operations whose answer was built in a worker process (CLAIMDEX_HEAVY_WORKERS).",
)
STATEMENTS = Histogram(
    "claimdex_sql_statements_per_request", "SQL statements one HTTP request ran, by route.",
    ["route"], buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)  # fmt: skip
INGESTS = Counter("claimdex_ingests", "Documents ingested, by outcome.", ["outcome"])
INGEST_SECONDS = Histogram(
    "claimdex_ingest_duration_seconds", "Time to read, extract and store one document.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)  # fmt: skip
FEED_RESULTS = Counter(
    "claimdex_feed_sync_results", "What feed syncs did with feeds and their items, by outcome.",
    ["outcome"],
)  # fmt: skip

# Operation names come from clients, and each new name is a new series: past this many, the
# rest are counted under OTHER so that no client can grow the metrics without bound.
MOST_NAMES = 100
OTHER = "(other)"
_names: set[str] = set()

# The statements of the request being answered: a list of one count, shared with the worker
# threads the request reads on (they run in a copy of its context).
_statements: ContextVar[list[int] | None] = ContextVar("statements", default=None)


def watch_statements(engine: Engine) -> None:
    """Counts each statement `engine` runs toward the request it runs for."""
    if not event.contains(engine, "before_cursor_execute", _counted):
        event.listen(engine, "before_cursor_execute", _counted)


def _counted(*_: Any) -> None:
    count = _statements.get()
    if count is not None:
        count[0] += 1


def operation_name(name: str | None) -> str:
    """The label for a client's operation name: bounded, as MOST_NAMES says."""
    if not name:
        return "(anonymous)"
    if name in _names or len(_names) < MOST_NAMES:
        _names.add(name)
        return name
    return OTHER


class Metrics:
    """Counts and times each HTTP request by its route's path pattern (never the path
    itself, which would make a series of every medication's name), and counts its SQL."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app, self.routes = app, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        count = [0]
        token = _statements.set(count)
        start = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _statements.reset(token)
            route = self._route(scope)
            method = scope["method"]
            REQUESTS.labels(route, method, str(status)).inc()
            REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - start)
            STATEMENTS.labels(route).observe(count[0])

    def _route(self, scope: Scope) -> str:
        """The path pattern of the route that took the request, or "(unmatched)"."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                return str(getattr(route, "path", "")) or "/"
        return "(unmatched)"


class OperationMetrics(SchemaExtension):
    """Counts and times each GraphQL operation by its type and name."""

    def on_operation(self) -> Generator[None, None, None]:
        start = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except RuntimeError:  # the document did not parse
            kind = "unknown"
        name = operation_name(context.operation_name)
        result = context.result
        failed = result is None or bool(getattr(result, "errors", None))
        OPERATIONS.labels(kind, name, "error" if failed else "ok").inc()
        OPERATION_SECONDS.labels(kind, name).observe(time.perf_counter() - start)


def count_ingest(outcome: str, seconds: float) -> None:
    """One document ingested (or failed) in `seconds`."""
    INGESTS.labels(outcome).inc()
    INGEST_SECONDS.observe(seconds)


def scrape(_request: Request) -> Response:
    """The metrics in Prometheus' text format: this process's, or with
    PROMETHEUS_MULTIPROC_DIR every process's on the machine."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
