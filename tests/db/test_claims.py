"""db/claims.py: claims by medication and by episode, in transcript order, paged by cursor."""

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import claims, models
from db.pages import PageError


def ldn_dosages(session: Session, **page: Any) -> list[Any]:
    """LDN's dosages, whole or one page (`first`, `after`)."""
    medication = session.scalar(select(models.Alias.medication_id).where(models.Alias.key == "ldn"))
    assert medication is not None
    found = claims.claims_about(
        session=session, model=models.Dosage, medication_ids=[medication], **page
    )
    return found.get(medication, [])


def test_claims_about_a_medication_are_in_transcript_order(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        dosages = ldn_dosages(session)
        assert len(dosages) == 8
        order = [(row.segment_id, row.id) for row in dosages]
        assert order == sorted(order)


def test_pages_by_cursor_continue_where_the_last_ended(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        whole = ldn_dosages(session)
        pages, after = [], None
        while True:
            page = ldn_dosages(session, first=3, after=after)
            pages += page
            if len(page) < 3:
                break
            after = claims.cursor(models.Dosage, page[-1])
        assert [row.id for row in pages] == [row.id for row in whole]


def test_a_cursor_of_another_list_is_refused_by_name(shared_seeded: sessionmaker[Session]) -> None:
    with shared_seeded() as session:
        cursor = claims.cursor(models.Dosage, ldn_dosages(session, first=1)[0])
    with pytest.raises(PageError, match="after:"):
        claims.after_cursor(models.Warning, cursor)


def test_claims_in_episodes_are_grouped_by_episode(shared_seeded: sessionmaker[Session]) -> None:
    with shared_seeded() as session:
        episode_ids = list(session.scalars(select(models.Episode.id)))
        found = claims.claims_in(session=session, model=models.Dosage, episode_ids=episode_ids)
        assert set(found) <= set(episode_ids) and len(found) >= 2
        assert all(row.episode_id == episode for episode, rows in found.items() for row in rows)


def test_grouped_keeps_order_within_each_key() -> None:
    rows = [SimpleNamespace(k=1, v="a"), SimpleNamespace(k=2, v="b"), SimpleNamespace(k=1, v="c")]
    found = claims.grouped(rows, "k")
    assert {key: [row.v for row in value] for key, value in found.items()} == {
        1: ["a", "c"],
        2: ["b"],
    }
