"""The fixtures' own promises: the shared database refuses every write, and what a test
writes through `sessions` or `seeded` is gone after it."""

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import models
from db.engine import transaction
from tests.conftest import rolled_back


def test_the_shared_database_refuses_writes(shared_seeded: sessionmaker[Session]) -> None:
    episodes = select(func.count()).select_from(models.Episode)
    with shared_seeded() as session:
        before = session.scalar(episodes)
        assert before
        with pytest.raises(DBAPIError, match="(?i)read-only|readonly"):
            session.execute(delete(models.Episode))
    with shared_seeded() as session:
        assert session.scalar(episodes) == before


def test_what_a_test_writes_and_commits_is_rolled_back(blank_engine: Engine) -> None:
    episodes = select(func.count()).select_from(models.Episode)
    with rolled_back(blank_engine) as sessions:
        with transaction(sessions) as session:
            session.add(models.Episode(key="fixture-check", title="A check", content_hash="x"))
        with sessions() as session:  # the commit above is seen by the test's later sessions
            assert session.scalar(episodes) == 1
    with blank_engine.connect() as connection:
        assert connection.scalar(episodes) == 0
