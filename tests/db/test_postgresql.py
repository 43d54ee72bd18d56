"""PostgreSQL as the scale-out backend: migrations, the same answers as SQLite, recovery."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from api.app import create_app
from db import migrate
from db.engine import make_engine, session_factory
from db.ingestion import ingest_file
from db.search import search_segments
from ingest.lexicon import Lexicon
from tests.api.test_graphql import DOSING_ADVICE
from tests.conftest import (
    DEFAULT_POSTGRES,
    SEED,
    cli,
    gold_documents,
    gold_path,
    post_graphql,
)


def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()
    tables = set(inspect(engine).get_table_names())
    assert {"episodes", "segments", "dosages", "search_entries"} <= tables
    migrate.downgrade(engine, "base")
    assert migrate.current(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert set(inspect(engine).get_table_names()) == tables


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A whole, empty PostgreSQL database, as a user would start from."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)
    name = f"claimdex_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server is the reason
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"no PostgreSQL to create a database in: {error}")
        pytest.skip(f"no PostgreSQL to create a database in ({str(error).splitlines()[0]})")
    yield url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_cli_on_an_empty_server_gives_sqlites_answer(
    postgres_database: str, tmp_path: Path
) -> None:
    refused = cli("ingest", str(SEED), database=postgres_database, cwd=tmp_path)
    assert refused.returncode == 1 and "claimdex db upgrade" in refused.stderr
    assert cli("db", "upgrade", database=postgres_database, cwd=tmp_path).returncode == 0
    assert "up to date" in cli("db", "current", database=postgres_database, cwd=tmp_path).stdout
    assert cli("ingest", str(SEED.parent), database=postgres_database, cwd=tmp_path).returncode == 0
    sqlite = f"sqlite:///{tmp_path / 'claimdex.db'}"
    assert cli("ingest", str(SEED.parent), database=sqlite, cwd=tmp_path).returncode == 0
    answers = []
    for url in (postgres_database, sqlite):
        engine = make_engine(url)
        answers.append(post_graphql(create_app(engine), DOSING_ADVICE, {"name": "LDN"}))
        engine.dispose()
    assert answers[0] == answers[1]
    assert answers[0]["medication"]["name"] == "naltrexone"


def test_search_agrees_between_databases(
    postgres_database: str, tmp_path: Path, names: Lexicon
) -> None:
    found = []
    for url in (postgres_database, f"sqlite:///{tmp_path / 'search.db'}"):
        engine = make_engine(url)
        migrate.upgrade(engine)
        sessions = session_factory(engine)
        for gold in gold_documents():
            ingest_file(sessions=sessions, path=gold_path(gold), names=names)
        with sessions() as session:
            found.append(
                {
                    query: [
                        hit.segment_id
                        for hit in search_segments(session=session, query=query, limit=5)
                    ]
                    for query in (
                        "microglia",
                        "vivid dreams",
                        "hematocrit",
                        "grapefruit",
                        "brain zaps",
                    )
                }
            )
        engine.dispose()
    postgres, sqlite = found
    for query in postgres:
        assert postgres[query], query
        assert postgres[query][0] == sqlite[query][0], query
        assert set(postgres[query]) == set(sqlite[query]), query


def test_requests_recover_when_the_server_drops_connections(postgres_database: str) -> None:
    """What a restart of PostgreSQL does to a running claimdex: every pooled connection dies."""
    engine = make_engine(
        postgres_database, connect_args={"application_name": "claimdex-under-test"}
    )
    migrate.upgrade(engine)
    app = create_app(engine)
    assert post_graphql(app, "{ medications { name } }") == {"medications": []}
    admin = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'claimdex-under-test'"
            )
        ).scalar_one()
    admin.dispose()
    assert killed >= 1
    assert post_graphql(app, "{ medications { name } }") == {"medications": []}
    engine.dispose()


def test_reads_go_to_the_read_database(shared_engine: Engine, tmp_path: Path) -> None:
    replica = make_engine(f"sqlite:///{tmp_path / 'replica.db'}")
    migrate.upgrade(replica)
    app = create_app(shared_engine, read_engine=replica)
    assert post_graphql(app, "{ episodes { totalCount } }")["episodes"]["totalCount"] == 0
    assert (
        post_graphql(create_app(shared_engine), "{ episodes { totalCount } }")["episodes"][
            "totalCount"
        ]
        > 0
    )
    replica.dispose()
