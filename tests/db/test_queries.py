"""Query functions against a real database."""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from db import models, queries, spellings
from db.ingestion import ingest_text
from ingest.lexicon import Lexicon
from tests.conftest import SCANNED, SPEAKERS, made_up_words, reads


def test_a_misspelt_name_resolves_through_its_spelling_keys(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        # A transposition, a substitution, an insertion: each one edit from "naltrexone".
        for typed in ["naltrexoen", "naltrixone", "nalltrexone"]:
            medication = queries.medication_named(session=session, name=typed)
            assert medication is not None and medication.name == "naltrexone", typed


def test_an_unknown_name_reads_only_the_aliases_near_it(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        medication_id = session.scalar(
            select(models.Alias.medication_id).where(models.Alias.key == "naltrexone")
        )
        words = made_up_words("zy", 3000)
        added = session.execute(
            insert(models.Alias).returning(models.Alias.id, models.Alias.key),
            [{"key": w, "name": w, "medication_id": medication_id, "spoken": True} for w in words],
        ).all()
        session.execute(insert(models.AliasSpelling), spellings.alias_rows(added))
        with reads(session) as read:
            found = queries.medication_named(session=session, name="naltrexoen")
            missing = queries.medication_named(session=session, name="zyxwvutsr")
        assert found is not None and found.name == "naltrexone" and missing is None
        assert 0 < read.rows < 20
        if session.get_bind().dialect.name == "sqlite":
            assert read.plans and not [plan for plan in read.plans if SCANNED.search(plan)]


def test_conditions_are_paged_by_name_and_found_by_any_term(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        every = queries.conditions_page(session=session, first=100)
        names = [row.name for row in every.rows]
        assert names == sorted(names) and every.total == len(names) > 2
        first = queries.conditions_page(session=session, first=2)
        rest = queries.conditions_page(session=session, first=100, after=first.cursors[-1])
        assert [row.name for row in first.rows + rest.rows] == names
        assert first.has_next and not rest.has_next
        by_term = queries.condition_named(session=session, name="Multiple Sclerosis")
        assert by_term is not None and (by_term.name, by_term.code) == ("multiple sclerosis", "G35")
        assert queries.condition_named(session=session, name="no such illness") is None


def test_a_conditions_medications_leave_out_sponsor_reads(
    sessions: sessionmaker[Session], names: Lexicon
) -> None:
    text = SPEAKERS.read_text()
    ingest_text(sessions=sessions, text=text, source=str(SPEAKERS), names=names)
    with sessions() as session:
        insomnia = queries.condition_named(session=session, name="insomnia")
        assert insomnia is not None
        found = queries.medications_for_conditions(session=session, condition_ids=[insomnia.id])
        assert [m.name for m in found[insomnia.id]] == ["magnesium"]
    # Only the sponsor read ties magnesium to sleep: magnesium is used for nothing.
    advert = text.replace(" at night for insomnia.", " at night.")
    ingest_text(sessions=sessions, text=advert, source=str(SPEAKERS), names=names)
    with sessions() as session:
        found = queries.medications_for_conditions(session=session, condition_ids=[insomnia.id])
        assert found.get(insomnia.id, []) == []
