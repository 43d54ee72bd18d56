"""The view of a medication across episodes: per condition it is said to be for, the typical
dose, its spread and how many episodes and speakers say so; and the claims that disagree.

What sponsor reads say is advertising and counts toward none of it. A dose or indication that
is denied or asked about (NEGATED, HYPOTHETICAL) is no use of the drug, so it makes no group;
a denial still disagrees with a claim that the drug is used for the condition.

Disagreements pair claims from different episodes: within one episode, doses a factor apart
are mostly the steps of one regimen ("start at 4.5, go up to 13.5"), not two views. For the
same reason doses of different roles are not compared (see `_comparable`).
"""

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Row, false, func, or_, select, union_all
from sqlalchemy.orm import Session

from db import models
from db.claims import said
from db.pages import Page, PageError, decode_cursor, encode_cursor, page_size
from ingest.records import Regimen, Stance

# The stances whose doses make the typical dose: advice, a clinician's practice, a study's.
ADVICE = (Stance.RECOMMENDATION.value, Stance.PRACTICE.value, Stance.STUDY.value)
NOT_A_USE = (Stance.NEGATED.value, Stance.HYPOTHETICAL.value)
# Two advised doses for one condition disagree when one is more than this many times the other.
DOSE_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class Summary:
    """What the episodes say of a medication for one condition (None: doses said for none)."""

    condition: models.Condition | None
    unit: str | None  # the unit most of the advised doses are in; the figures below are in it
    typical: float | None  # the median advised dose, a range counting as its midpoint
    low: float | None  # the lowest and highest advised amount, ranges' ends included
    high: float | None
    doses: int  # advised doses in `unit`, which the figures above come from
    episodes: int
    speakers: int


def _uses(medication_ids: Sequence[int]) -> Any:
    """(medication, condition, episode, speaker) of every dose and indication said as a use,
    outside sponsor reads."""
    parts = []
    for model in (models.Indication, models.Dosage):
        parts.append(
            select(model.medication_id, model.condition_id, model.episode_id, model.speaker).where(
                model.medication_id.in_(medication_ids),
                model.sponsored.is_(False),
                or_(model.stance.is_(None), model.stance.not_in(NOT_A_USE)),
            )
        )
    return union_all(*parts).subquery()


def summaries(*, session: Session, medication_ids: Sequence[int]) -> dict[int, list[Summary]]:
    """Per medication, a summary for each condition its doses and indications are said to be
    for, the most widely said first, and last one of the doses said for no condition."""
    uses = _uses(medication_ids)
    counted = session.execute(
        select(
            uses.c.medication_id,
            uses.c.condition_id,
            func.count(uses.c.episode_id.distinct()),
            func.count(uses.c.speaker.distinct()),
        ).group_by(uses.c.medication_id, uses.c.condition_id)
    ).all()
    amounts: dict[tuple[int, int | None], dict[str, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for medication_id, condition_id, unit, value, top in session.execute(
        select(
            models.Dosage.medication_id,
            models.Dosage.condition_id,
            models.Dosage.unit,
            models.Dosage.value,
            models.Dosage.max_value,
        ).where(
            models.Dosage.medication_id.in_(medication_ids),
            models.Dosage.sponsored.is_(False),
            models.Dosage.stance.in_(ADVICE),
        )
    ):
        amounts[medication_id, condition_id][unit].append(
            (value, top if top is not None else value)
        )
    conditions = {
        row.id: row
        for row in session.scalars(
            select(models.Condition).where(
                models.Condition.id.in_({row[1] for row in counted if row[1] is not None})
            )
        )
    }
    found: dict[int, list[Summary]] = defaultdict(list)
    for medication_id, condition_id, episodes, speakers in counted:
        condition = conditions.get(condition_id) if condition_id is not None else None
        found[medication_id].append(
            _summary(condition, amounts.get((medication_id, condition_id), {}), episodes, speakers)
        )
    for rows in found.values():
        rows.sort(
            key=lambda s: (
                s.condition is None,
                -s.episodes,
                s.condition.name if s.condition else "",
            )
        )
    return found


def _summary(
    condition: models.Condition | None,
    by_unit: dict[str, list[tuple[float, float]]],
    episodes: int,
    speakers: int,
) -> Summary:
    if not by_unit:
        return Summary(condition, None, None, None, None, 0, episodes, speakers)
    # The unit most doses are in; a tie goes to the first in alphabetical order.
    unit = min(by_unit, key=lambda name: (-len(by_unit[name]), name))
    doses = by_unit[unit]
    return Summary(
        condition=condition,
        unit=unit,
        typical=statistics.median((low + high) / 2 for low, high in doses),
        low=min(low for low, _ in doses),
        high=max(high for _, high in doses),
        doses=len(doses),
        episodes=episodes,
        speakers=speakers,
    )


# --- disagreements -----------------------------------------------------------------------------

DOSE = "DOSE"  # two advised doses for one condition more than DOSE_RATIO apart
NEGATED = "NEGATED"  # one says the drug is used for the condition, the other denies it
REASONS = (DOSE, NEGATED)
KINDS: tuple[type[models.Dosage | models.Indication], ...] = (models.Dosage, models.Indication)


@dataclass(frozen=True, slots=True)
class _Said:
    """A claim as disagreements compare it: which table and row, and what it says."""

    kind: int  # index into KINDS
    id: int
    episode_id: int
    condition_id: int
    unit: str | None = None
    value: float = 0.0
    top: float = 0.0  # the high end of a range, else the value
    regimen: str | None = None


# (reason, condition, a's kind and id, b's kind and id): the order disagreements come in.
PairKey = tuple[int, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Two claims about one medication and condition that disagree; each a row of `db.claims`
    with its model. For DOSE, `a` is the lower dose; for NEGATED, `b` is the denial."""

    reason: str
    condition: models.Condition
    a: Row[Any]
    a_model: type[models.Dosage | models.Indication]
    b: Row[Any]
    b_model: type[models.Dosage | models.Indication]
    cursor: str


def disagreements(
    *,
    session: Session,
    medication_ids: Sequence[int],
    first: int | None = None,
    after: str | None = None,
    most: int | None = None,
) -> dict[int, list[Disagreement]]:
    """Per medication, the pairs of claims from different episodes that disagree, by reason,
    condition and claim: with `first` at most that many each, without it at most `most`
    (None: all), and with `after` those past its cursor."""
    start = _after(after)
    size = page_size(first) if first is not None else most
    advised, denied = _compared(session, medication_ids)
    keys = {
        medication_id: list(
            islice(
                _pairs(advised.get(medication_id, []), denied.get(medication_id, []), start), size
            )
        )
        for medication_id in medication_ids
    }
    return _loaded(session, keys)


def disagreements_page(
    *, session: Session, medication_id: int, first: int | None = None, after: str | None = None
) -> Page[Disagreement]:
    """A page of one medication's disagreements, in the order `disagreements` gives them, with
    how many there are in all."""
    size = page_size(first)
    advised, denied = _compared(session, [medication_id])
    mine, denials = advised.get(medication_id, []), denied.get(medication_id, [])
    keys = list(islice(_pairs(mine, denials, _after(after)), size + 1))
    shown = _loaded(session, {medication_id: keys[:size]})[medication_id]
    return Page(
        rows=shown,
        cursors=[row.cursor for row in shown],
        has_next=len(keys) > size,
        total=_count(mine, denials),
    )


def _count(advised: list[_Said], denied: list[_Said]) -> int:
    """How many disagreements `_pairs` gives, counted without listing them."""
    doses = [claim for claim in advised if claim.kind == 0]
    everywhere, _ = _by_amount(doses, lambda dose: ())
    here, _ = _by_amount(doses, lambda dose: (dose.episode_id,))
    total = 0
    for dose in doses:
        bound = dose.top * DOSE_RATIO
        for regimen in _comparable(dose.regimen):
            group = (dose.condition_id, dose.unit, regimen)
            found = everywhere.get(group, [])
            mine = here.get((*group, dose.episode_id), [])
            total += len(found) - bisect_right(found, bound)
            total -= len(mine) - bisect_right(mine, bound)
    denials = Counter(claim.condition_id for claim in denied)
    denials_here = Counter((claim.condition_id, claim.episode_id) for claim in denied)
    for claim in advised:
        total += denials[claim.condition_id] - denials_here[claim.condition_id, claim.episode_id]
    return total


# Roles whose doses are compared: the same role, the usual dose with a study's, or either
# unsaid. A start and a ceiling a factor apart are one regimen, not two views.
REGIMENS: tuple[str | None, ...] = (None, *(role.value for role in Regimen))
LIKE = {Regimen.STANDARD.value: Regimen.STUDY.value, Regimen.STUDY.value: Regimen.STANDARD.value}


def _comparable(regimen: str | None) -> tuple[str | None, ...]:
    if regimen is None:
        return REGIMENS
    return tuple(dict.fromkeys((regimen, None, LIKE.get(regimen, regimen))))


def _by_amount(
    doses: list[_Said], more: Callable[[_Said], tuple[int, ...]]
) -> tuple[dict[tuple[Any, ...], list[float]], dict[tuple[Any, ...], list[_Said]]]:
    """Doses grouped by condition, unit, regimen and `more`, each group by value: the values,
    and the doses."""
    grouped: dict[tuple[Any, ...], list[_Said]] = defaultdict(list)
    for dose in doses:
        grouped[(dose.condition_id, dose.unit, dose.regimen, *more(dose))].append(dose)
    for found in grouped.values():
        found.sort(key=lambda dose: dose.value)
    return {key: [dose.value for dose in found] for key, found in grouped.items()}, grouped


def _after(after: str | None) -> PairKey | None:
    start = decode_cursor("disagreement", after)
    if start is None:
        return None
    if len(start) != 6 or not all(isinstance(part, int) for part in start):
        raise PageError(f"after: {after!r} is not a cursor from this list of disagreements")
    return (start[0], start[1], start[2], start[3], start[4], start[5])


def _compared(
    session: Session, medication_ids: Sequence[int]
) -> tuple[dict[int, list[_Said]], dict[int, list[_Said]]]:
    """Per medication, the claims that say the drug is used for a condition (advised doses and
    indications), and those that deny it, outside sponsor reads."""
    advised: dict[int, list[_Said]] = defaultdict(list)
    denied: dict[int, list[_Said]] = defaultdict(list)
    dose = models.Dosage
    for row in session.execute(
        select(
            dose.medication_id, dose.id, dose.episode_id, dose.condition_id, dose.unit, dose.value,
            func.coalesce(dose.max_value, dose.value).label("top"), dose.stance, dose.regimen,
        ).where(
            dose.medication_id.in_(medication_ids),
            dose.condition_id.is_not(None),
            dose.sponsored.is_(False),
            dose.stance.in_((*ADVICE, Stance.NEGATED.value)),
        )
    ):  # fmt: skip
        claim = _Said(
            0, row.id, row.episode_id, row.condition_id, row.unit, row.value, row.top, row.regimen
        )
        (denied if row.stance == Stance.NEGATED.value else advised)[row.medication_id].append(claim)
    named = models.Indication
    for medication_id, claim_id, episode_id, condition_id, stance in session.execute(
        select(
            named.medication_id, named.id, named.episode_id, named.condition_id, named.stance
        ).where(
            named.medication_id.in_(medication_ids),
            named.sponsored.is_(False),
            named.stance.in_((*ADVICE, Stance.NEGATED.value)),
        )
    ):
        claim = _Said(1, claim_id, episode_id, condition_id)
        (denied if stance == Stance.NEGATED.value else advised)[medication_id].append(claim)
    return advised, denied


def _pairs(advised: list[_Said], denied: list[_Said], start: PairKey | None) -> Iterator[PairKey]:
    """One medication's disagreements in order, past `start`."""
    yield from _dose_pairs([claim for claim in advised if claim.kind == 0], start)
    yield from _denials(advised, denied, start)


def _dose_pairs(doses: list[_Said], start: PairKey | None) -> Iterator[PairKey]:
    """(DOSE, condition, lower dose, higher dose): each pair once, the lower first."""
    values, grouped = _by_amount(doses, lambda dose: ())
    reason = REASONS.index(DOSE)
    for a in sorted(doses, key=lambda dose: (dose.condition_id, dose.id)):
        higher = []
        for regimen in _comparable(a.regimen):
            group = (a.condition_id, a.unit, regimen)
            higher += grouped[group][bisect_right(values.get(group, []), a.top * DOSE_RATIO) :]
        for b in sorted(higher, key=lambda dose: dose.id):
            key = (reason, a.condition_id, a.kind, a.id, b.kind, b.id)
            if b.episode_id != a.episode_id and (start is None or key > start):
                yield key


def _denials(advised: list[_Said], denied: list[_Said], start: PairKey | None) -> Iterator[PairKey]:
    """(NEGATED, condition, the claim of use, the denial)."""
    denials: dict[int, list[_Said]] = defaultdict(list)
    for claim in sorted(denied, key=lambda claim: (claim.kind, claim.id)):
        denials[claim.condition_id].append(claim)
    reason = REASONS.index(NEGATED)
    for a in sorted(advised, key=lambda claim: (claim.condition_id, claim.kind, claim.id)):
        for b in denials.get(a.condition_id, []):
            key = (reason, a.condition_id, a.kind, a.id, b.kind, b.id)
            if b.episode_id != a.episode_id and (start is None or key > start):
                yield key


def _loaded(session: Session, keys: dict[int, list[PairKey]]) -> dict[int, list[Disagreement]]:
    """The disagreements `keys` name, with both claims read whole: one statement per table."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for key in (key for found in keys.values() for key in found):
        wanted[key[2]].add(key[3])
        wanted[key[4]].add(key[5])
    rows: dict[tuple[int, int], Row[Any]] = {}
    for kind, ids in wanted.items():
        model = KINDS[kind]
        for row in session.execute(said(model).where(model.id.in_(ids))):
            rows[kind, row.id] = row
    condition_ids = {key[1] for found in keys.values() for key in found}
    conditions = {
        row.id: row
        for row in session.scalars(
            select(models.Condition).where(
                models.Condition.id.in_(condition_ids) if condition_ids else false()
            )
        )
    }
    return {
        medication_id: [
            Disagreement(
                reason=REASONS[key[0]],
                condition=conditions[key[1]],
                a=rows[key[2], key[3]],
                a_model=KINDS[key[2]],
                b=rows[key[4], key[5]],
                b_model=KINDS[key[4]],
                cursor=encode_cursor("disagreement", *key),
            )
            for key in found
        ]
        for medication_id, found in keys.items()
    }
