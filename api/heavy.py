"""Large answers built in worker processes, so one heavy client does not slow everyone else.

A GraphQL operation runs on a worker thread (api/context.py), which keeps the event loop
free, but building a large answer field by field is Python under the interpreter lock:
while one client's hundred episodes with all their segments are completed, every other
request in the process waits its turn for the lock. An operation whose answer may hold more
than CLAIMDEX_HEAVY_VALUES values (counted from the document and its variables, as the cost
limit counts items) is therefore executed in one of CLAIMDEX_HEAVY_WORKERS processes of its
own, over the same read database, and only its finished data comes back. Parsing,
validation, limits, metrics and error masking stay in the server's process; the worker only
executes. Compiled documents (api/compiled.py) already answer without graphql-core's
per-field work and stay in process, as do mutations and everything when the workers are off
(0) or the database lives in this process's memory.
"""

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from anyio import CapacityLimiter
from graphql import ExecutionResult, GraphQLError, OperationType, SourceLocation
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.graphql import OperationType as StrawberryOperation

from api import limits, metrics
from api.context import Context, Loaders, Reader, run_here
from api.settings import Settings
from db.engine import connection_limit, make_engine, session_factory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """What a worker needs to execute one operation: everything picklable."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    authorized: bool


# The operation as the client sent it, set for each operation as it starts: the operations of
# a batched request share one context, but each runs in a task with its own copy of this.
REQUEST: ContextVar[Request | None] = ContextVar("heavy_request", default=None)


class Offloaded(Exception):
    """An error a worker process met that was the server's fault; its message came back."""


class Heavy:
    """The worker processes for heavy operations of one server process, started on the
    first such operation (or by `start`) and restarted if one dies."""

    def __init__(self, settings: Settings, read_url: str) -> None:
        self.settings = settings
        self.read_url = read_url
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def most_values(self) -> int:
        return self.settings.heavy_values

    def start(self) -> None:
        """Starts the workers now, so the first heavy request does not wait for them."""
        self._executor().submit(_ready)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    async def answer(self, request: Request) -> ExecutionResult:
        """The operation's result, built in a worker process."""
        metrics.OFFLOADED.inc()
        try:
            future = self._submit(request)
            data, errors = await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # A worker was killed mid-answer (out of memory, say): the next request gets a
            # fresh pool, and this one an error rather than a hang.
            self._discard()
            raise Offloaded("the worker process building this answer ended") from None
        return ExecutionResult(data=data, errors=[_error(found) for found in errors] or None)

    def _submit(self, request: Request) -> "Future[tuple[Any, list[dict[str, Any]]]]":
        try:
            return self._executor().submit(_answer, request)
        except BrokenProcessPool:
            # A worker died while idle: start afresh.
            self._discard()
            return self._executor().submit(_answer, request)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.settings.heavy_workers,
                    # Not forked: the server's threads, event loop and connections must not
                    # be copied into a child mid-use.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.settings, self.read_url),
                )
            return self._pool

    def _discard(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def executor(
    base: type[StrawberryGraphQLCoreExecutionContext],
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """`base` (graphql-core's executor, or the compiled one), sending heavy queries to the
    workers that the request's context names."""

    class Offloading(base):  # type: ignore[valid-type, misc]
        def execute_operation(self, serially: bool | None = None) -> Any:
            context = self.context_value
            request = REQUEST.get()
            if (
                isinstance(context, Context)
                and context.heavy is not None
                and request is not None
                and self.operation.operation is OperationType.QUERY
                and not self.is_compiled()
                and self._values(context.heavy) > context.heavy.most_values
            ):
                return context.heavy.answer(request)
            return super().execute_operation(serially)

        def is_compiled(self) -> bool:
            compiled = getattr(super(), "plan_for", None)
            return compiled is not None and compiled() is not None

        def _values(self, heavy: Heavy) -> int:
            operation = limits.Operation(self.schema, self.fragments, self.variable_values.coerced)
            # A list asked for whole counts as a list within an episode does: most are
            # short, and counting each at its longest would send every whole answer away.
            return limits.values(operation, self.operation, limits.LIST_ITEMS)

    return Offloading


def _error(found: dict[str, Any]) -> GraphQLError:
    """A worker's error as the server's process would have raised it: a client's error
    stays the client's, anything else is an Offloaded that masking and logging treat as the
    server's fault."""
    original = None if found["client"] else Offloaded(found["message"])
    error = GraphQLError(
        found["message"],
        path=found["path"],
        original_error=original,
        extensions=found["extensions"],
    )
    if found["locations"]:
        error.locations = [SourceLocation(**location) for location in found["locations"]]
    return error


# A worker process's state, made once by its initializer.
_worker: dict[str, Any] = {}


def _start_worker(settings: Settings, read_url: str) -> None:
    from api.schema import build_schema  # which builds its executor from this module

    # Unmasked and without offloading: the server's process masks what it must, and a
    # worker executes everything it is sent itself.
    own = settings.model_copy(update={"production": False, "heavy_workers": 0})
    read = Reader(
        session_factory(make_engine(read_url)),
        CapacityLimiter(connection_limit()),
        settings.statement_timeout_ms,
    )
    _worker.update(
        # Not counted again: the server's process counts the operation.
        schema=build_schema(own, counted=False),
        read=read,
        loaders=lambda: Loaders(read, settings.max_list),
    )


def _ready() -> bool:
    return True


def _answer(request: Request) -> tuple[Any, list[dict[str, Any]]]:
    from api.schema import is_client_error

    context = Context(
        read=_worker["read"],
        loaders=_worker["loaders"](),
        write_sessions=None,  # type: ignore[arg-type]  # queries only
        ingests=None,  # type: ignore[arg-type]
        authorized=request.authorized,
    )
    result = run_here(
        _worker["schema"].execute(
            request.query,
            variable_values=request.variables,
            context_value=context,
            operation_name=request.operation_name,
            allowed_operation_types=(StrawberryOperation.QUERY,),
        )
    )
    errors = [
        {
            "message": error.message,
            "path": error.path,
            "locations": [location._asdict() for location in error.locations or ()],
            "extensions": error.extensions,
            "client": is_client_error(error),
        }
        for error in result.errors or ()
    ]
    return result.data, errors
