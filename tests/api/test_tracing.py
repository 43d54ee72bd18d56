"""Spans, when an exporter is set: the request's, the GraphQL operation's as the GraphQL
semantic conventions name it, and each SQL statement's, one trace."""

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import Engine

from api import tracing
from api.app import create_app
from api.settings import Settings
from tests.conftest import post_graphql

HEADLINE = 'query DosingAdvice { medication(name: "LDN") { name dosages { value unit } } }'


def test_a_graphql_request_is_traced_with_its_operation_and_sql(shared_engine: Engine) -> None:
    exporter = InMemorySpanExporter()
    provider = tracing.provider(exporter)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(shared_engine, settings=Settings(rate_per_minute=0), tracer_provider=provider)
    post_graphql(app, HEADLINE)
    spans = {span.name: span for span in exporter.get_finished_spans()}
    operation = spans["query DosingAdvice"]
    attributes = dict(operation.attributes or {})
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["graphql.operation.name"] == "DosingAdvice"
    assert attributes["graphql.document"] == HEADLINE
    server = spans["POST /graphql"]
    assert operation.context.trace_id == server.context.trace_id
    statements = [
        span for span in spans.values() if dict(span.attributes or {}).get("db.statement")
    ]
    statements += [s for s in exporter.get_finished_spans() if s.name.startswith("SELECT")]
    assert statements and all(s.context.trace_id == server.context.trace_id for s in statements)


def test_tracing_is_off_unless_an_exporter_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert tracing.provider_from_env() is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing.provider_from_env() is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    with pytest.raises(tracing.TracingError, match="OTEL_TRACES_EXPORTER='zipkin'.*otlp"):
        tracing.provider_from_env()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    assert tracing.provider_from_env() is not None
