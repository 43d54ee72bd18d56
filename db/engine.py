"""Engines and sessions: the database comes from DATABASE_URL, a SQLite file by default."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db import search
from db.models import Base

DEFAULT_FILE = "claimdex.db"


def database_url() -> str:
    """DATABASE_URL, or a SQLite file in the working directory."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / DEFAULT_FILE}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: database_url()), tuned for its dialect."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Cascading deletes need foreign keys on; WAL lets readers go on while an ingest writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Creates the tables and the search index that are missing; data is left as it is."""
    Base.metadata.create_all(engine)
    search.install(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    with factory() as session, session.begin():
        yield session
