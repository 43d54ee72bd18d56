"""The fixtures' own promises: the shared database refuses every write."""

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import models


def test_the_shared_database_refuses_writes(shared_seeded: sessionmaker[Session]) -> None:
    episodes = select(func.count()).select_from(models.Episode)
    with shared_seeded() as session:
        before = session.scalar(episodes)
        assert before
        with pytest.raises(DBAPIError, match="(?i)read-only|readonly"):
            session.execute(delete(models.Episode))
    with shared_seeded() as session:
        assert session.scalar(episodes) == before
