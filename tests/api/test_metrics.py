"""/metrics: Prometheus' text format, counters that move with requests, every process's counts
in multiprocess mode, and a token in production."""

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from bench.serving import served
from tests.conftest import SEED, cli, get, post_graphql

HEADLINE = 'query DosingAdvice { medication(name: "LDN") { name dosages { value unit } } }'


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Each sample of a scrape by its name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], metric: str, /, **labels: str
) -> float:
    return found.get((metric, tuple(sorted(labels.items()))), 0.0)


def test_a_scrape_counts_requests_operations_and_statements(shared_engine: Engine) -> None:
    app = create_app(shared_engine, settings=Settings(rate_per_minute=0))
    before = samples(get(app, "/metrics").text)
    for _ in range(3):
        assert post_graphql(app, HEADLINE)["medication"]["name"] == "naltrexone"
    assert get(app, "/api/v1/medications/LDN").status_code == 200
    scrape = get(app, "/metrics")
    assert scrape.headers["content-type"].startswith("text/plain; version=")
    after = samples(scrape.text)

    def moved(metric: str, /, **labels: str) -> float:
        return sample(after, metric, **labels) - sample(before, metric, **labels)

    graphql = {"route": "/graphql", "method": "POST"}
    assert moved("claimdex_http_requests_total", status="200", **graphql) == 3
    assert moved("claimdex_http_requests_total", route="/api/v1/medications/{name}",
                 method="GET", status="200") == 1  # fmt: skip
    assert moved("claimdex_http_request_duration_seconds_count", **graphql) == 3
    operation = {"type": "query", "name": "DosingAdvice"}
    assert moved("claimdex_graphql_operations_total", outcome="ok", **operation) == 3
    assert moved("claimdex_graphql_operation_duration_seconds_count", **operation) == 3
    # Each headline query reads in a few statements, however many dosages it returns.
    statements = moved("claimdex_sql_statements_per_request_sum", route="/graphql")
    assert 3 <= statements <= 3 * 6, statements


def test_production_metrics_need_a_token(shared_engine: Engine) -> None:
    settings = Settings(production=True, api_tokens=("metrics-token",), rate_per_minute=0)
    app = create_app(shared_engine, settings=settings)
    refused = get(app, "/metrics")
    assert refused.status_code == 401 and "CLAIMDEX_API_TOKENS" in refused.text
    allowed = get(app, "/metrics", headers={"Authorization": "Bearer metrics-token"})
    assert allowed.status_code == 200 and "claimdex_http_requests_total" in allowed.text


def test_multiprocess_mode_sums_the_ingests_of_other_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    with served(tmp_path, workers=2) as (_, base):
        ingested = cli("ingest", str(SEED), cwd=tmp_path)
        assert ingested.returncode == 0, ingested.stderr
        for _ in range(4):
            assert httpx.post(base + "/graphql", json={"query": HEADLINE}).status_code == 200
        found = samples(httpx.get(base + "/metrics").text)
    assert sample(found, "claimdex_ingests_total", outcome="added") == 1
    assert sample(found, "claimdex_ingest_duration_seconds_count") == 1
    # Whichever worker answered the scrape, it counts the requests both workers took.
    assert sample(found, "claimdex_http_requests_total", route="/graphql", method="POST",
                  status="200") == 4  # fmt: skip
