"""Engines and sessions: the database comes from DATABASE_URL, a SQLite file by default."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import errors as postgresql_errors
from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db import migrate

DEFAULT_FILE = "claimdex.db"


def database_url() -> str:
    """DATABASE_URL, or a SQLite file in the working directory."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / DEFAULT_FILE}"


# Connection pool settings for a database server, one pool per worker process: a worker holds
# at most POOL_SIZE + POOL_MAX_OVERFLOW connections.
POOL_SETTINGS = {
    "pool_size": ("CLAIMDEX_POOL_SIZE", 5),
    "max_overflow": ("CLAIMDEX_POOL_MAX_OVERFLOW", 10),
    "pool_timeout": ("CLAIMDEX_POOL_TIMEOUT", 30),  # seconds to wait for a free connection
    "pool_recycle": ("CLAIMDEX_POOL_RECYCLE", 1800),  # seconds before a connection is renewed
}


def connection_limit() -> int:
    """The most connections one engine's pool hands out at once."""
    settings = pool_settings()
    return settings["pool_size"] + max(settings["max_overflow"], 0)


def pool_settings() -> dict[str, int]:
    found = {}
    for option, (variable, default) in POOL_SETTINGS.items():
        raw = os.environ.get(variable)
        try:
            found[option] = int(raw) if raw else default
        except ValueError:
            raise ValueError(f"{variable}={raw!r} is not a whole number") from None
    return found


def make_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for `url` (default: database_url()), tuned for its dialect."""
    url = url or database_url()
    if url.startswith("sqlite"):
        # A file's connections are cheap to keep and dear to open (each sets its pragmas, and
        # WAL touches the file): the pool keeps every one it hands out, where overflow ones
        # would be closed after each read and opened again for the next.
        kept = pool_settings() | {"pool_size": connection_limit(), "max_overflow": 0}
        engine = create_engine(url, connect_args={"timeout": 30}, **(kept | options))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Pre-ping: a connection dropped by a server restart is noticed and replaced before a
    # request uses it, so requests recover without restarting claimdex.
    return create_engine(url, pool_pre_ping=True, **(pool_settings() | options))


def in_memory(url: URL) -> bool:
    """Whether the database lives in this process's memory, where no other process sees it."""
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    )


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Cascading deletes need foreign keys on; WAL lets readers go on while an ingest writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Brings the schema to the newest migration where that is safe unasked (SQLite); raises
    migrate.SchemaOutOfDate with the command to run otherwise."""
    migrate.prepare(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    with factory() as session, session.begin():
        yield session


class StatementTimeout(Exception):
    """A statement ran past the time limit and was stopped by the database."""

    def __init__(self, milliseconds: int) -> None:
        super().__init__(f"the query ran past the time limit of {milliseconds} ms")
        self.milliseconds = milliseconds


# SQLite calls the progress handler every this many virtual-machine steps: often enough to
# stop within a millisecond or so, rarely enough to cost nothing measurable.
PROGRESS_STEPS = 1_000_000


@contextmanager
def time_limit(session: Session, milliseconds: int) -> Iterator[None]:
    """Stops `session`'s statements after `milliseconds` (0: no limit) with StatementTimeout.

    PostgreSQL applies `statement_timeout` to each statement of this transaction only; SQLite
    has no such setting, so a progress handler ends whatever runs past the deadline, which is
    counted from here for everything inside the block."""
    if milliseconds <= 0:
        yield
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT set_config('statement_timeout', :limit, true)"),
            {"limit": f"{milliseconds}ms"},
        )
        try:
            yield
        except OperationalError as error:
            if isinstance(error.orig, postgresql_errors.QueryCanceled):
                raise StatementTimeout(milliseconds) from error
            raise
        return
    raw: Any = connection.connection.dbapi_connection
    deadline = time.monotonic() + milliseconds / 1000
    raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error.orig) and time.monotonic() > deadline:
            raise StatementTimeout(milliseconds) from error
        raise
    finally:
        raw.set_progress_handler(None, 0)
