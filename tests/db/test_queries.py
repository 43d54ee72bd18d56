"""Query functions against a real database."""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from db import models, queries, spellings
from tests.conftest import SCANNED, made_up_words, reads


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
