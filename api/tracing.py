"""OpenTelemetry traces, off unless OTEL_TRACES_EXPORTER names an exporter: a span per HTTP
request (the ASGI instrumentation), per GraphQL operation with the GraphQL semantic
conventions (strawberry's extension), and per SQL statement (the SQLAlchemy instrumentation).

OTEL_TRACES_EXPORTER=otlp sends them over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (the
exporter reads the other OTEL_EXPORTER_OTLP_* variables itself), console prints them, and
none or unset records nothing. OTEL_SERVICE_NAME names the service (default "claimdex").
"""

import os
from collections.abc import Generator

from opentelemetry import metrics, trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.semconv._incubating.attributes.graphql_attributes import (
    GRAPHQL_DOCUMENT,
    GRAPHQL_OPERATION_NAME,
    GRAPHQL_OPERATION_TYPE,
)
from sqlalchemy import Engine
from starlette.types import ASGIApp
from strawberry.extensions.base_extension import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension

EXPORTERS = ("otlp", "console", "none")


class TracingError(ValueError):
    """A tracing setting that cannot be used; the message names the variable."""


def provider_from_env() -> TracerProvider | None:
    """The tracer provider OTEL_TRACES_EXPORTER asks for; None when tracing is off."""
    wanted = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower() or "none"
    if wanted == "none":
        return None
    exporter: SpanExporter
    if wanted == "console":
        exporter = ConsoleSpanExporter()
    elif wanted == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        raise TracingError(
            f"OTEL_TRACES_EXPORTER={wanted!r} is not an exporter claimdex has; expected one of "
            + ", ".join(EXPORTERS)
        )
    return provider(exporter)


def provider(exporter: SpanExporter) -> TracerProvider:
    """A provider that hands finished spans to `exporter` in batches, off the request."""
    name = os.environ.get("OTEL_SERVICE_NAME") or "claimdex"
    made = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    made.add_span_processor(BatchSpanProcessor(exporter))
    return made


def traced(app: ASGIApp, provider: TracerProvider) -> ASGIApp:
    """`app` with a server span for each request, the parent of its GraphQL and SQL spans."""
    return OpenTelemetryMiddleware(app, tracer_provider=provider)


def trace_statements(engine: Engine, provider: TracerProvider) -> None:
    """A span for each SQL statement `engine` runs."""
    # The instrumentation's EngineTracer on this one engine: its instrument() would also wrap
    # every create_engine in the process, import SQLAlchemy's asyncio support (which needs
    # greenlet), and refuses SQLAlchemy 2.1, whose engine events are those it listens to.
    tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=provider)
    connections = metrics.get_meter(__name__).create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(tracer, engine, connections)  # type: ignore[no-untyped-call]


class GraphQLSpans(OpenTelemetryExtension):
    """Strawberry's spans, with the operation's span named and described as the GraphQL
    semantic conventions say: "query DosingAdvice", graphql.operation.type and .name, and
    graphql.document."""

    def on_operation(self) -> Generator[None, None, None]:
        spans = super().on_operation()
        next(spans)
        yield
        context = self.execution_context
        span = self._span_holder[LifecycleStep.OPERATION]
        try:
            kind: str | None = context.operation_type.value
        except RuntimeError:  # the document did not parse: strawberry's name stays
            kind = None
        if kind is not None:
            name = context.operation_name
            span.set_attribute(GRAPHQL_OPERATION_TYPE, kind)
            if name:
                span.set_attribute(GRAPHQL_OPERATION_NAME, name)
            if context.query:
                span.set_attribute(GRAPHQL_DOCUMENT, context.query)
            span.update_name(f"{kind} {name}" if name else kind)
            # Strawberry renames the span after this unless it knew the name at the start.
            self._operation_name = name or kind
        next(spans, None)
