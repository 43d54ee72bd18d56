"""Shared fixtures: real databases (SQLite always, PostgreSQL when one answers) and documents."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from starlette.applications import Starlette
from starlette.types import Message

from api.app import create_app
from bench.serving import BIN as BIN
from bench.serving import free_port as free_port
from bench.serving import served
from bench.serving import user_environment as user_environment
from db import migrate, search
from db.engine import make_engine, session_factory
from db.ingestion import ingest_file, ingest_text
from ingest import lexicon

# Apps in the tests answer in process: most read a transaction that is rolled back after the
# test, which a worker process could not see. tests/api/test_heavy.py turns the workers on,
# over committed databases.
os.environ.setdefault("CLAIMDEX_HEAVY_WORKERS", "0")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "ldn-mackey-attia.md"
GOLD = ROOT / "tests" / "gold"
DOCUMENTS = ROOT / "tests" / "documents"
# Two labelled speakers, one taking over mid-paragraph, and a sponsor read with a dose in it;
# the read and the advice each dose magnesium for sleep (insomnia).
SPEAKERS = DOCUMENTS / "speakers-sponsor.md"
# Two episodes on naltrexone that disagree: doses for multiple sclerosis more than twice apart
# (and a sponsor read's, left out), and fibromyalgia treated in one and denied in the other.
ACROSS = [DOCUMENTS / "across-a.md", DOCUMENTS / "across-b.md"]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Gold:
    """A document and its hand-written labels (see tests/gold/README.md)."""

    path: Path
    labels: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.stem


def gold_documents() -> list[Gold]:
    return [
        Gold(
            path=GOLD / label.name.replace(".gold.json", ".md"),
            labels=json.loads(label.read_text()),
        )
        for label in sorted(GOLD.glob("*.gold.json"))
    ]


def gold_path(gold: Gold) -> Path:
    """The seed lives in seeds/, the other gold documents beside their labels."""
    return SEED if gold.name == SEED.stem else gold.path


LEXICON_CACHE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """The lexicon is cached in a folder of the run's own, never the user's: set before any
    module loads it, and inherited by every `claimdex` the tests start."""
    config.stash[LEXICON_CACHE] = tempfile.mkdtemp(prefix="claimdex-cache-")
    os.environ["CLAIMDEX_CACHE_DIR"] = config.stash[LEXICON_CACHE]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash[LEXICON_CACHE], ignore_errors=True)


@pytest.fixture(scope="session")
def names() -> lexicon.Lexicon:
    return lexicon.load()


def _postgres_engine() -> tuple[Engine, str]:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)
    try:
        probe = create_engine(url)
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except OperationalError as error:
        reason = f"no PostgreSQL answers at {url} ({str(error).splitlines()[0]})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI runs every database test on PostgreSQL too")
        pytest.skip(f"{reason}; set TEST_DATABASE_URL to run the PostgreSQL tests")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    # Each test gets a schema of its own, so runs can repeat and never see each other's rows.
    # The schema rides in the URL, so a child process given the URL writes to it too.
    separator = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    return engine, schema


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis server's URL (TEST_REDIS_URL, else the local one); in CI its absence fails."""
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        reason = f"no Redis answers at {url} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI runs the shared rate-limit tests on Redis")
        pytest.skip(f"{reason}; set TEST_REDIS_URL to run the Redis tests")
    yield url
    client.close()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test or run uses; its keys are deleted after the test."""
    prefix = f"claimdex-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def _drop_schema(schema: str) -> None:
    admin = create_engine(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


BACKENDS = ["sqlite", "postgresql"]


def _new_database(backend: str, folder: Path) -> tuple[Engine, str | None]:
    """An engine on a database no other test sees, and its PostgreSQL schema to drop after."""
    if backend == "sqlite":
        return make_engine(f"sqlite:///{folder / 'claimdex.db'}"), None
    return _postgres_engine()


def seed(sessions: sessionmaker[Session], names: lexicon.Lexicon) -> None:
    """Ingests the seed and the gold documents."""
    for gold in gold_documents():
        ingest_file(sessions=sessions, path=gold_path(gold), names=names)


@pytest.fixture(autouse=True)
def _near_words_forgotten() -> None:
    """Each test starts with no near spellings remembered: the writes a test rolls back take a
    shared database back to a state that a later test reaches again with other words, which
    in claimdex never happens (db/search.py, _NearWords)."""
    search.NEAR.clear()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the test's own, with the schema created, on each backend: for the
    tests that migrate it, write from several threads or processes, or hand it to an app."""
    with _migrated(request.param, tmp_path) as made:
        yield made


@pytest.fixture(scope="session", params=BACKENDS)
def shared_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, names: lexicon.Lexicon
) -> Iterator[Engine]:
    """The seed and the gold documents, ingested once per run on each backend, for the many
    tests that only read. The engine opens the database read-only, so a test that writes
    fails instead of changing what the tests after it see; a test that writes uses `seeded`."""
    folder = tmp_path_factory.mktemp("shared")
    with _migrated(request.param, folder, lambda made: seed(made, names)) as writer:
        writer.dispose()
        if writer.dialect.name == "sqlite":
            read_only = f"sqlite:///file:{writer.url.database}?mode=ro&uri=true"
        else:
            options = writer.url.query["options"] + " -cdefault_transaction_read_only=on"
            read_only = writer.url.update_query_dict({"options": options}).render_as_string(False)
        made = make_engine(read_only)
        yield made
        made.dispose()


@contextmanager
def _migrated(
    backend: str,
    folder: Path,
    fill: Callable[[sessionmaker[Session]], None] | None = None,
    *,
    savepoints: bool = False,
) -> Iterator[Engine]:
    """A database of its own with the newest schema, filled by `fill`; with `savepoints`, ready
    for the transactions `rolled_back` opens (the engine claimdex makes is left as it is)."""
    made, schema = _new_database(backend, folder)
    if savepoints and made.dialect.name == "sqlite":
        # pysqlite opens and commits transactions on its own and so breaks SAVEPOINT; the
        # SQLAlchemy recipe hands transaction control back to SQLAlchemy.
        event.listen(made, "connect", _no_implicit_transactions)
        event.listen(made, "begin", _begin)
    migrate.upgrade(made)
    if fill is not None:
        fill(session_factory(made))
    yield made
    made.dispose()
    if schema is not None:
        _drop_schema(schema)


def _no_implicit_transactions(connection: Any, _record: Any) -> None:
    connection.isolation_level = None


def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@contextmanager
def rolled_back(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to one outer transaction on `engine` that is rolled back on leaving:
    their commits and rollbacks are savepoints inside it (SQLAlchemy's "Joining a Session into
    an External Transaction"), so nothing written outlives the block."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield sessionmaker(
                connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        finally:
            outer.rollback()


@pytest.fixture(scope="session", params=BACKENDS)
def blank_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """An empty database per worker and backend, written to only inside `sessions`."""
    with _migrated(request.param, tmp_path_factory.mktemp("blank"), savepoints=True) as made:
        yield made


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, names: lexicon.Lexicon
) -> Iterator[Engine]:
    """What `shared_engine` holds, writable, per worker and backend; written to only inside
    `seeded`."""
    folder = tmp_path_factory.mktemp("seeded")
    with _migrated(request.param, folder, lambda made: seed(made, names), savepoints=True) as made:
        yield made


@pytest.fixture
def sessions(blank_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on an empty database; whatever the test writes is rolled back after it."""
    with rolled_back(blank_engine) as made:
        yield made


@pytest.fixture
def seeded(seeded_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on a database holding the seed and the gold documents; whatever the test
    writes is rolled back after it."""
    with rolled_back(seeded_engine) as made:
        yield made


@pytest.fixture
def fresh_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions that commit for real to `engine`, the test's own database, for tests whose app,
    threads or migrations reach it through the engine and must see what was written."""
    return session_factory(engine)


@pytest.fixture
def fresh_seeded(
    fresh_sessions: sessionmaker[Session], names: lexicon.Lexicon
) -> sessionmaker[Session]:
    """`fresh_sessions` on a database holding the seed and the gold documents."""
    seed(fresh_sessions, names)
    return fresh_sessions


@pytest.fixture
def spoken(engine: Engine, names: lexicon.Lexicon) -> Starlette:
    """The app over a database holding only SPEAKERS: the seed has no speakers or sponsors."""
    text = SPEAKERS.read_text()
    ingest_text(sessions=session_factory(engine), text=text, source=str(SPEAKERS), names=names)
    return create_app(engine)


@pytest.fixture
def disagreeing(seeded: sessionmaker[Session], names: lexicon.Lexicon) -> sessionmaker[Session]:
    """`seeded` with the ACROSS episodes added, rolled back after the test."""
    for path in ACROSS:
        ingest_file(sessions=seeded, path=path, names=names)
    return seeded


@pytest.fixture
def disagreeing_app(engine: Engine, names: lexicon.Lexicon) -> Starlette:
    """The app over a database holding the seed and the ACROSS episodes."""
    for path in [SEED, *ACROSS]:
        ingest_file(sessions=session_factory(engine), path=path, names=names)
    return create_app(engine)


@pytest.fixture
def shared_seeded(shared_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the shared, read-only copy of what `seeded` holds."""
    return session_factory(shared_engine)


@asynccontextmanager
async def running(apps: list[Starlette]) -> AsyncIterator[None]:
    """The apps' lifespans around the block, as a server runs them: shutdown closes their
    connections to Redis."""
    servers = []
    for app in apps:
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        outbox: asyncio.Queue[Message] = asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        task = asyncio.create_task(app(scope, inbox.get, outbox.put))
        assert (await outbox.get())["type"] == "lifespan.startup.complete"
        servers.append((task, inbox, outbox))
    try:
        yield
    finally:
        for task, inbox, outbox in servers:
            await inbox.put({"type": "lifespan.shutdown"})
            assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
            await task


def send_graphql(app: Starlette, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The whole JSON body the real ASGI app answers to one GraphQL request."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json={"query": query, "variables": variables})

    response = asyncio.run(send())
    assert response.status_code == 200, response.text
    return response.json()


def post_graphql(app: Starlette, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The data of a GraphQL answer, which must have no errors."""
    body = send_graphql(app, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def get(app: Starlette, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """The real ASGI app's answer to one GET."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(send())


def cli(
    *args: str, cwd: Path, database: str | None = None, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """`claimdex args` run to its end as a user runs it in `cwd` (over claimdex.db there, or
    `database`), in a plain terminal `columns` wide: its exit code and output."""
    env = user_environment() | {"COLUMNS": str(columns), "TERM": "dumb"}
    if database is not None:
        env["DATABASE_URL"] = database
    return subprocess.run(
        [str(BIN / "claimdex"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def serving(folder: Path, port: int | None = None) -> Iterator[str]:
    """`claimdex serve` as a user runs it in `folder` (and its claimdex.db), once it answers:
    the base URL. Stopped on leaving."""
    with served(folder, port=port) as (_, base):
        yield base


@dataclass
class Reads:
    """What a session's statements read: rows returned, on SQLite each SELECT's plan, and the
    work the database did for them (`examined`): on SQLite its virtual-machine steps, on
    PostgreSQL the table rows each SELECT's plan read (EXPLAIN ANALYZE)."""

    rows: int = 0
    plans: list[str] = field(default_factory=list)
    examined: int = 0


# Tables a request must reach only through an index: a SQLite plan line scanning one fails.
SCANNED = re.compile(r"\bSCAN (?:aliases|alias_spellings|search_terms|term_spellings)\b")


def _rows_read(node: dict[str, Any]) -> int:
    """The table rows a PostgreSQL plan node and the nodes under it read, over all their loops:
    those each scan kept and those its filter dropped. (Index entries of row versions no one
    sees any more are left out: they are the vacuum's to clear, not the query's doing.)"""
    own = 0
    if "Relation Name" in node:
        kept = int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
        own = kept * int(node.get("Actual Loops", 1))
    return own + sum(_rows_read(child) for child in node.get("Plans", []))


@contextmanager
def reads(session: Session) -> Iterator[Reads]:
    """Counts the rows `session`'s statements return, and how much work each SELECT takes the
    database. (PostgreSQL's plans follow its statistics, and rightly scan a small table, so
    only SQLite's plan lines are kept for checking.)"""
    found = Reads()
    counting = [True]  # SQLite's steps for EXPLAIN QUERY PLAN are not the statement's

    def counted(state: ORMExecuteState) -> Any:
        result = state.invoke_statement().freeze()
        found.rows += len(result.data)
        return result()

    def stepped() -> int:
        found.examined += counting[0]
        return 0

    def planned(
        _connection: Connection, cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        if dialect == "sqlite":
            counting[0] = False
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            found.plans += [str(row[-1]) for row in cursor.fetchall()]
            counting[0] = True
        else:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            found.examined += _rows_read(cursor.fetchone()[0][0]["Plan"])

    bind = session.get_bind()
    dialect = bind.dialect.name
    raw: Any = session.connection().connection.dbapi_connection
    event.listen(session, "do_orm_execute", counted)
    event.listen(bind, "before_cursor_execute", planned)
    if dialect == "sqlite":
        raw.set_progress_handler(stepped, 1)
    try:
        yield found
    finally:
        event.remove(session, "do_orm_execute", counted)
        event.remove(bind, "before_cursor_execute", planned)
        if dialect == "sqlite":
            raw.set_progress_handler(None, 0)


def made_up_words(prefix: str, count: int) -> list[str]:
    """`count` distinct words of letters after `prefix`, none one edit from a real word."""
    return [
        prefix + "".join(chr(ord("a") + n // 26**place % 26) for place in range(4)) + "qx"
        for n in range(count)
    ]
