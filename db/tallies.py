"""Per-medication counts and dose spreads, kept in step with the claims by every write.

The medications list and its stats show, per medication, how many episodes, mentions and
doses name it and the spread of its doses. Counting those per request read every claim in the
corpus; instead each episode adds what it says when it is stored and takes it away when it is
replaced or deleted, in the same transaction, so a request reads a row per medication it shows.
Increments go through INSERT ... ON CONFLICT DO UPDATE, so concurrent writers on PostgreSQL
add up instead of overwriting each other.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models


@dataclass(frozen=True, slots=True)
class Spread:
    unit: str | None  # the unit most of the medication's doses are in; the figures are in it
    low: float | None
    median: float | None
    high: float | None


NO_DOSES = Spread(unit=None, low=None, median=None, high=None)


def add_episode(*, session: Session, episode_id: int) -> None:
    """Counts what the stored episode says into the tallies; call once its claims are written."""
    _count(session, episode_id, 1)


def remove_episode(*, session: Session, episode_id: int) -> None:
    """Takes what the episode says out of the tallies; call before deleting it."""
    _count(session, episode_id, -1)


def _count(session: Session, episode_id: int, sign: int) -> None:
    # [claims, episodes, mentions, dosages] per medication, from this episode's rows alone.
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    unsponsored_mention = case((models.Segment.sponsored, 0), else_=1)
    for medication_id, claims, kept in session.execute(
        select(models.Mention.medication_id, func.count(), func.sum(unsponsored_mention))
        .join(models.Segment, models.Segment.id == models.Mention.segment_id)
        .where(models.Mention.episode_id == episode_id)
        .group_by(models.Mention.medication_id)
    ):
        figures[medication_id][0] += claims
        figures[medication_id][2] += kept
    unsponsored_dose = case((models.Dosage.sponsored, 0), else_=1)
    for medication_id, claims, kept in session.execute(
        select(models.Dosage.medication_id, func.count(), func.sum(unsponsored_dose))
        .where(models.Dosage.episode_id == episode_id)
        .group_by(models.Dosage.medication_id)
    ):
        figures[medication_id][0] += claims
        figures[medication_id][3] += kept
    if not figures:
        return
    for counts in figures.values():
        counts[1] = 1 if counts[2] or counts[3] else 0
    # Rows in key order, so two writers lock the same rows in the same order on PostgreSQL.
    _add(
        session,
        models.MedicationTally,
        [
            {"medication_id": key, "claims": sign * claims, "episodes": sign * episodes,
             "mentions": sign * mentions, "dosages": sign * dosages}
            for key, (claims, episodes, mentions, dosages) in sorted(figures.items())
        ],
        ["claims", "episodes", "mentions", "dosages"],
    )  # fmt: skip
    doses = session.execute(
        select(models.Dosage.medication_id, models.Dosage.unit, models.Dosage.value, func.count())
        .where(models.Dosage.episode_id == episode_id, models.Dosage.sponsored.is_(False))
        .group_by(models.Dosage.medication_id, models.Dosage.unit, models.Dosage.value)
        .order_by(models.Dosage.medication_id, models.Dosage.unit, models.Dosage.value)
    ).all()
    _add(
        session,
        models.DoseTally,
        [
            {"medication_id": key, "unit": unit, "value": value, "doses": sign * count}
            for key, unit, value, count in doses
        ],
        ["doses"],
    )
    if sign < 0:
        touched = list(figures)
        session.execute(
            delete(models.MedicationTally).where(
                models.MedicationTally.medication_id.in_(touched),
                models.MedicationTally.claims <= 0,
            )
        )
        session.execute(
            delete(models.DoseTally).where(
                models.DoseTally.medication_id.in_(touched), models.DoseTally.doses <= 0
            )
        )


def _add(
    session: Session, model: type[models.Base], rows: list[dict[str, Any]], added: list[str]
) -> None:
    """Inserts `rows`, or adds their `added` columns to the rows already under their keys."""
    if not rows:
        return
    table = model.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={name: table.c[name] + statement.excluded[name] for name in added},
    )
    session.execute(statement, rows)


def spreads(*, session: Session, medication_ids: Sequence[int]) -> dict[int, Spread]:
    """Per medication, its doses' unit and low, median and high in it, from its dose tallies;
    of equally common units the first alphabetically."""
    amounts: dict[int, dict[str, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
    for medication_id, unit, value, doses in session.execute(
        select(
            models.DoseTally.medication_id,
            models.DoseTally.unit,
            models.DoseTally.value,
            models.DoseTally.doses,
        )
        .where(models.DoseTally.medication_id.in_(medication_ids))
        .order_by(models.DoseTally.medication_id, models.DoseTally.unit, models.DoseTally.value)
    ):
        amounts[medication_id][unit].append((value, doses))
    found = {}
    for medication_id, by_unit in amounts.items():
        unit = max(by_unit, key=lambda u: sum(doses for _, doses in by_unit[u]))
        counted = by_unit[unit]
        found[medication_id] = Spread(
            unit=unit, low=counted[0][0], median=_median(counted), high=counted[-1][0]
        )
    return found


def _median(counted: list[tuple[float, int]]) -> float:
    """The median of the amounts, each repeated its count of times, in ascending order: the
    middle one, or the mean of the middle two (as statistics.median gives)."""
    total = sum(doses for _, doses in counted)
    wanted = [(total - 1) // 2, total // 2]
    middle: list[float] = []
    seen = 0
    for value, doses in counted:
        seen += doses
        while wanted and wanted[0] < seen:
            middle.append(value)
            wanted.pop(0)
    return middle[0] if total % 2 else (middle[0] + middle[1]) / 2
