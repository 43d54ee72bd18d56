"""The view of a medication across episodes, and its disagreements, on each database."""

import random

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import across, models, queries
from db.pages import PageError


def _naltrexone(session: Session) -> int:
    medication = queries.medication_named(session=session, name="LDN")
    assert medication is not None
    return medication.id


def test_each_condition_gets_its_typical_dose_spread_episodes_and_speakers(
    disagreeing: sessionmaker[Session],
) -> None:
    with disagreeing() as session:
        key = _naltrexone(session)
        found = {
            s.condition.name if s.condition else None: s for s in across_summaries(session, key)
        }
    ms = found["multiple sclerosis"]
    # 3, 4.5 and 12 mg given in practice; the sponsor read's 50 mg is left out.
    assert (ms.unit, ms.typical, ms.low, ms.high, ms.doses) == ("mg", 4.5, 3.0, 12.0, 3)
    # The seed's study, and one clinician in each of the two episodes.
    assert (ms.episodes, ms.speakers) == (3, 2)
    assert ms.condition is not None and ms.condition.code == "G35"
    fibromyalgia = found["fibromyalgia"]
    # Used in one episode and denied in the other: the denial is no use.
    assert (fibromyalgia.episodes, fibromyalgia.speakers, fibromyalgia.typical) == (1, 1, None)
    assert found[None].typical == 4.5  # the seed's doses, said for no condition


def across_summaries(session: Session, key: int) -> list[across.Summary]:
    rows = across.summaries(session=session, medication_ids=[key])[key]
    # The most widely said first, the doses for no condition last.
    assert rows[0].condition is not None and rows[0].condition.name == "multiple sclerosis"
    assert rows[-1].condition is None
    return rows


def test_doses_more_than_twice_apart_and_a_denied_use_disagree(
    disagreeing: sessionmaker[Session],
) -> None:
    with disagreeing() as session:
        key = _naltrexone(session)
        found = across.disagreements(session=session, medication_ids=[key])[key]
    described = [
        (d.reason, d.condition.name, d.a_model.__name__, d.a.text, d.b_model.__name__, d.b.text)
        for d in found
    ]
    assert described == [
        ("DOSE", "multiple sclerosis", "Dosage", "4.5 milligrams", "Dosage", "12 milligrams"),
        ("NEGATED", "fibromyalgia", "Indication",
         "BOB KING: We use naltrexone for fibromyalgia every day in our practice.",
         "Indication", "DANA WEST: Naltrexone does not help fibromyalgia."),
    ]  # fmt: skip
    # 3 and 12 mg are one episode's (a start and where it goes), and the sponsor read's 50 mg
    # is advertising: neither disagrees.
    assert all(d.a.value != 3.0 for d in found if d.a_model is models.Dosage)
    assert not any(d.a.sponsored or d.b.sponsored for d in found)


def test_disagreements_come_a_page_at_a_time(disagreeing: sessionmaker[Session]) -> None:
    with disagreeing() as session:
        key = _naltrexone(session)
        every = across.disagreements(session=session, medication_ids=[key])[key]
        first = across.disagreements(session=session, medication_ids=[key], first=1)[key]
        rest = across.disagreements(
            session=session, medication_ids=[key], first=5, after=first[-1].cursor
        )[key]
        assert [d.cursor for d in first + rest] == [d.cursor for d in every]
        with pytest.raises(PageError, match="not a cursor from this list of disagreements"):
            across.disagreements(session=session, medication_ids=[key], after="bm90LWEtY3Vyc29y")


def test_a_medication_said_of_in_one_episode_has_no_disagreements(
    shared_seeded: sessionmaker[Session],
) -> None:
    with shared_seeded() as session:
        key = _naltrexone(session)
        assert across.disagreements(session=session, medication_ids=[key]) == {key: []}


def test_the_count_of_disagreements_is_the_number_listed() -> None:
    # Random claims over three conditions, two units, four episodes and every role; some ranges.
    chance = random.Random(14)
    advised, denied = [], []
    for claim_id in range(300):
        value = chance.choice([0.5, 1, 2, 3, 4.5, 9, 12, 50])
        top = value * chance.choice([1, 1, 1.5])
        said = across._Said(
            chance.choice([0, 1]), claim_id, chance.randrange(4), chance.randrange(3),
            chance.choice(["mg", "IU"]), value, top,
            chance.choice([None, "STANDARD", "STARTING", "TITRATION", "MAXIMUM", "STUDY"]),
        )  # fmt: skip
        (denied if chance.random() < 0.1 else advised).append(said)
    listed = list(across._pairs(advised, denied, None))
    assert len(listed) == across._count(advised, denied) > 100
    assert listed == sorted(set(listed))


def test_doses_in_different_roles_do_not_disagree() -> None:
    def dose(claim_id: int, episode: int, value: float, regimen: str | None) -> across._Said:
        return across._Said(0, claim_id, episode, 1, "mg", value, value, regimen)

    start, ceiling = dose(1, 1, 2.0, "STARTING"), dose(2, 2, 10.0, "MAXIMUM")
    usual, study, unsaid = (
        dose(3, 3, 10.0, "STANDARD"),
        dose(4, 4, 1.0, "STUDY"),
        dose(5, 5, 9, None),
    )
    pairs = {
        (key[3], key[5]) for key in across._pairs([start, ceiling, usual, study, unsaid], [], None)
    }
    # A start and a ceiling or the usual dose are one regimen; a study's dose is compared with the
    # usual one, not a ceiling; and a dose of no said role with any.
    assert pairs == {(4, 3), (4, 5), (1, 5)}
