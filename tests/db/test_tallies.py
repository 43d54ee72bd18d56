"""The per-medication tallies (db/tallies.py): the medications list and its stats read from
them answer exactly as counting every claim does, after every kind of write and after the
migration that counts them, and read as much at 500 episodes as at 50."""

import re
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from db import migrate, models, queries, tallies
from db.engine import transaction
from db.ingestion import ingest_text
from db.pages import decode_cursor, page_size
from db.store import delete_episode, save_episode
from ingest import documents
from ingest.extract import extract
from ingest.lexicon import Lexicon
from tests.conftest import SEED, SPEAKERS, reads

# SQLite plan lines that would read claims or episodes, which no page of medications needs.
CLAIMS_SCANNED = re.compile(r"\b(?:SCAN|SEARCH) (?:mentions|dosages|segments|episodes)\b")


def counted_medications(session: Session) -> list[str]:
    """The medications list as it was computed before the tallies: a union over every claim."""
    mentioned = select(models.Mention.medication_id).union(select(models.Dosage.medication_id))
    return list(
        session.scalars(
            select(models.Medication.name)
            .where(models.Medication.id.in_(mentioned))
            .order_by(models.Medication.name)
        )
    )


def counted_stats(session: Session, first: int, after: str | None = None) -> list[Any]:
    """A page of medication stats as it was computed before the tallies, from every claim."""
    size = page_size(first)
    mentioned = select(models.Mention.medication_id).union(select(models.Dosage.medication_id))
    query = select(models.Medication).where(models.Medication.id.in_(mentioned))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    start = decode_cursor("medication", after)
    if start is not None:
        query = query.where(models.Medication.name > str(start[0]))
    rows = session.scalars(query.order_by(models.Medication.name).limit(size + 1)).all()
    shown = rows[:size]
    ids = [row.id for row in shown]
    advertised = select(models.Segment.id).where(models.Segment.sponsored.is_(True))
    unsponsored: dict[type[models.Mention | models.Dosage], ColumnElement[bool]] = {
        models.Mention: models.Mention.segment_id.not_in(advertised),
        models.Dosage: models.Dosage.sponsored.is_(False),
    }
    mentions = dict(
        session.execute(
            select(models.Mention.medication_id, func.count())
            .where(models.Mention.medication_id.in_(ids), unsponsored[models.Mention])
            .group_by(models.Mention.medication_id)
        ).all()
    )
    episodes_by: dict[int, set[int]] = defaultdict(set)
    for model, kept in unsponsored.items():
        for medication_id, episode_id in session.execute(
            select(model.medication_id, model.episode_id)
            .where(model.medication_id.in_(ids), kept)
            .distinct()
        ):
            episodes_by[medication_id].add(episode_id)
    values: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for medication_id, dose_unit, value in session.execute(
        select(models.Dosage.medication_id, models.Dosage.unit, models.Dosage.value).where(
            models.Dosage.medication_id.in_(ids), unsponsored[models.Dosage]
        )
    ):
        values[medication_id][dose_unit].append(value)
    found: list[Any] = [total, len(rows) > size]
    for row in shown:
        by_unit = values.get(row.id, {})
        unit = max(by_unit, key=lambda u: len(by_unit[u])) if by_unit else None
        doses = sorted(by_unit[unit]) if unit is not None else []
        found.append(
            (
                row.name,
                len(episodes_by.get(row.id, ())),
                mentions.get(row.id, 0),
                sum(len(each) for each in by_unit.values()),
                unit,
                doses[0] if doses else None,
                statistics.median(doses) if doses else None,
                doses[-1] if doses else None,
            )
        )
    return found


def tallied_stats(session: Session, first: int, after: str | None = None) -> list[Any]:
    page = queries.medication_stats_page(session=session, first=first, after=after)
    return [page.total, page.has_next] + [
        (r.medication.name, r.episodes, r.mentions, r.dosages, r.unit, r.low, r.median, r.high)
        for r in page.rows
    ]


def assert_tallies_count_every_claim(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        names = [row.name for row in queries.medications(session=session)]
        assert names == counted_medications(session)
        assert tallied_stats(session, 100) == counted_stats(session, 100)
        # Page by page too: the cursors, totals and has_next agree.
        after = None
        while True:
            page = queries.medication_stats_page(session=session, first=3, after=after)
            assert tallied_stats(session, 3, after) == counted_stats(session, 3, after)
            if not page.has_next:
                break
            after = page.cursors[-1]


def test_the_tallies_answer_as_counting_every_claim_does(
    seeded: sessionmaker[Session], names: Lexicon
) -> None:
    with seeded() as session:
        stats = counted_stats(session, 100)
        # The seeded database holds what the tallies must get right: doses in several units,
        # medications in more than one episode.
        assert any(row[1] > 1 for row in stats[2:])
        assert {row[4] for row in stats[2:]} >= {"mg", "IU", None}
        units = select(models.Dosage.medication_id).group_by(models.Dosage.medication_id)
        assert session.scalars(units.having(func.count(models.Dosage.unit.distinct()) > 1)).all()
    assert_tallies_count_every_claim(seeded)
    # A sponsor read's dose and mention count toward the list, never toward the stats.
    spoken = ingest_text(sessions=seeded, text=SPEAKERS.read_text(), source="s.md", names=names)
    assert_tallies_count_every_claim(seeded)
    # Ingested again with other doses, the episode's old claims leave the tallies.
    changed = SEED.read_text().replace("four and a half milligrams", "five milligrams")
    ingest_text(sessions=seeded, text=changed, source=str(SEED), names=names)
    assert_tallies_count_every_claim(seeded)
    with transaction(seeded) as session:
        assert delete_episode(session=session, episode_id=spoken.episode_id)
        assert not delete_episode(session=session, episode_id=spoken.episode_id)
    assert_tallies_count_every_claim(seeded)
    # With every episode gone, nothing is listed and no tally is left.
    with seeded() as session:
        episode_ids = list(session.scalars(select(models.Episode.id)))
    with transaction(seeded) as session:
        for episode_id in episode_ids:
            delete_episode(session=session, episode_id=episode_id)
    with seeded() as session:
        assert queries.medications(session=session) == []
        assert session.scalar(select(func.count()).select_from(models.DoseTally)) == 0
        assert queries.medication_stats_page(session=session).total == 0


def test_of_equally_common_units_the_spread_takes_the_first_by_name(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        medication = models.Medication(name="tallied")
        session.add(medication)
        session.flush()
        session.add_all(
            models.DoseTally(medication_id=medication.id, unit=unit, value=value, doses=doses)
            for unit, value, doses in [("mg", 5.0, 1), ("mg", 10.0, 1), ("g", 1.0, 1),
                                       ("g", 2.0, 1)]
        )  # fmt: skip
        session.flush()
        spread = tallies.spreads(session=session, medication_ids=[medication.id])
    assert spread[medication.id] == tallies.Spread(unit="g", low=1.0, median=1.5, high=2.0)


def tally_rows(sessions: sessionmaker[Session]) -> tuple[list[Any], list[Any]]:
    with sessions() as session:
        return (
            [tuple(row) for row in session.execute(select(models.MedicationTally.__table__))],
            [tuple(row) for row in session.execute(select(models.DoseTally.__table__))],
        )


def test_upgrading_counts_the_tallies_of_what_is_stored(
    engine: Engine, fresh_seeded: sessionmaker[Session], names: Lexicon
) -> None:
    ingest_text(sessions=fresh_seeded, text=SPEAKERS.read_text(), source="s.md", names=names)
    kept = tally_rows(fresh_seeded)
    assert kept[0] and kept[1]
    migrate.downgrade(engine, "0008")
    migrate.upgrade(engine)
    assert sorted(tally_rows(fresh_seeded)[0]) == sorted(kept[0])
    assert sorted(tally_rows(fresh_seeded)[1]) == sorted(kept[1])


def test_a_page_of_medications_reads_as_much_at_500_episodes_as_at_50(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    extraction = extract(documents.read(SPEAKERS.read_text(), source="s.md"), names=names)
    stored = 0

    def store_up_to(count: int) -> None:
        nonlocal stored
        with transaction(sessions) as session:
            for number in range(stored, count):
                save_episode(session=session, extraction=extraction, key=f"k{number}", digest="")
        stored = count

    def measured(work: Any) -> tuple[int, int]:
        with sessions() as session, reads(session) as read:
            work(session)
        return read.rows, read.examined

    requests = [
        lambda session: queries.medication_stats_page(session=session, first=1),
        lambda session: queries.medication_stats_page(session=session),
        lambda session: queries.medications(session=session),
    ]
    store_up_to(50)
    small = [measured(request) for request in requests]
    general = measured(lambda session: counted_stats(session, 1))
    store_up_to(500)
    large = [measured(request) for request in requests]
    with sessions() as session, reads(session) as read:
        for request in requests:
            request(session)
    assert not [plan for plan in read.plans if CLAIMS_SCANNED.search(plan)]
    for (rows, examined), (more_rows, more_examined) in zip(small, large, strict=True):
        assert 0 < rows == more_rows and 0 < examined
        assert more_examined <= examined * 1.1, (small, large)
    # The same measure grows with the corpus for the count over every claim.
    assert measured(lambda session: counted_stats(session, 1))[1] > 5 * general[1]
