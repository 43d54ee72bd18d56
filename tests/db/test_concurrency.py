"""Readers never see half an episode, and two ingests of one file end with one copy."""

import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from db import queries
from db.ingestion import ingest_text
from ingest.lexicon import Lexicon
from tests.conftest import SEED, post_graphql


def copy(number: int) -> str:
    return SEED.read_text().replace("d0S7_H0UdjY", f"copy{number:07d}")


def test_readers_see_whole_episodes_while_ingesting(
    engine: Engine, fresh_sessions: sessionmaker[Session], names: Lexicon
) -> None:
    app = create_app(engine)
    done = threading.Event()

    def ingest() -> None:
        for number in range(15):
            ingest_text(
                sessions=fresh_sessions, text=copy(number), source=f"{number}.md", names=names
            )
        done.set()

    writer = threading.Thread(target=ingest)
    writer.start()
    looks = 0
    while not done.is_set() or looks == 0:
        found = post_graphql(
            app, "{ episodes(first: 100) { nodes { segments { seconds } dosages { value } } } }"
        )
        for node in found["episodes"]["nodes"]:
            assert (len(node["segments"]), len(node["dosages"])) == (12, 8)
        looks += 1
    writer.join()
    assert looks >= 2


def test_ingesting_one_file_twice_at_once_keeps_one_copy(
    fresh_sessions: sessionmaker[Session], names: Lexicon
) -> None:
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            ingest_text(sessions=fresh_sessions, text=copy(0), source="same.md", names=names)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with fresh_sessions() as session:
        assert queries.counts(session=session)["episodes"] == 1
