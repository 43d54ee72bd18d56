"""Extraction: from a parsed document to its mentions, doses, warnings and grounded quotes."""

import re
from functools import partial

from ingest import doses, lexicon, medications, warnings
from ingest.grounding import NOT_A_CLAIM, NOT_CLAIMS, Evidence, ground, strip_quotes, support
from ingest.records import (
    Document,
    Dosage,
    Extraction,
    Medication,
    Mention,
    Quote,
    SummaryPoint,
    Warning,
)
from ingest.units import to_canonical

# "anybody on it, I'm checking B12": a pronoun before any name keeps the drug being discussed.
PRONOUN = re.compile(r"\b(?:it|this drug|this medication|this one|that drug|that one)\b", re.I)
# "4.5 mg of LDN", "200 mg TCA", "5 g/m2 bolus ifosfamide": a drug right after a dose, with at
# most one word between that is not a conjunction, is what the dose is of.
OF_AFTER_DOSE = re.compile(
    r"^\s*(?:of\s+(?:the\s+|your\s+|his\s+|her\s+|that\s+)?)?"
    r"(?:(?!and\b|or\b|but\b|then\b|with\b|plus\b|to\b)[a-z.]+\s+)?$",
    re.IGNORECASE,
)
# A bare number this close to a like amount is the speaker correcting themselves ("13, 13 and a
# half"), not a second dose.
CORRECTION_REACH = 40
CORRECTION_RATIO = 0.2
# How fast a mention's pull on what follows fades: in characters within a segment, and by a
# factor per segment before it, up to FOCUS_REACH segments back.
SALIENCE_REACH = 80
SEGMENT_DECAY = 0.4
FOCUS_REACH = 3
# A carried unit belongs to a stretch of talk: doses within a factor of ten of the drug's own.
CARRY_RANGE = 10.0


class _Talk:
    """Which medication the speaker is talking about at each point of the transcript.

    Within a segment, each earlier mention pulls, the nearer the more. Where a segment names
    no drug yet ("the shot", "it"), the drugs of the segments before count, each mention less
    the further back it is: a drug discussed at length outweighs one named once in passing.
    """

    def __init__(self, mentions: list[Mention]) -> None:
        self.by_segment: dict[int, list[Mention]] = {}
        for mention in mentions:
            self.by_segment.setdefault(mention.segment, []).append(mention)
        names = {mention.medication for mention in mentions}
        self.only = next(iter(names)) if len(names) == 1 else None

    def focus(self, segment: int, offset: int, *, reach: int = FOCUS_REACH) -> str | None:
        weights: dict[str, float] = {}
        for mention in self.by_segment.get(segment, []):
            if mention.end <= offset:
                pull = 1 / (1 + (offset - mention.end) / SALIENCE_REACH)
                weights[mention.medication] = weights.get(mention.medication, 0.0) + pull
        if not weights:
            for back in range(1, reach + 1):
                for mention in self.by_segment.get(segment - back, []):
                    pull = SEGMENT_DECAY**back
                    weights[mention.medication] = weights.get(mention.medication, 0.0) + pull
        if not weights:
            return self.only
        return max(weights, key=lambda name: weights[name])


def extract(document: Document, *, names: lexicon.Lexicon | None = None) -> Extraction:
    """Every claim in `document`, each tied to the transcript segment where it is said."""
    names = names or lexicon.load()
    result = Extraction(document=document)
    scans = [medications.scan(segment.text, lexicon=names) for segment in document.segments]
    around = "\n".join([document.title, document.description, *(i.text for i in document.summary)])
    # A near miss is believed more readily when the episode names the drug somewhere.
    context = medications.exact_names(around, lexicon=names).union(*(s.names for s in scans))
    targets = medications.Targets(names, context)
    spoken: dict[str, set[str]] = {}
    for index, segment in enumerate(document.segments):
        found = medications.mentions_in(
            scans[index],
            lexicon=names,
            targets=targets,
            dose_follows=partial(doses.dose_follows, segment.text),
        )
        for hit in found:
            result.mentions.append(
                Mention(
                    index,
                    hit.start,
                    hit.end,
                    hit.text,
                    hit.medication,
                    hit.confidence,
                    hit.matched_by,
                )  # fmt: skip
            )
            spoken.setdefault(hit.medication, set()).add(hit.text.lower())
    talk = _Talk(result.mentions)
    result.dosages = _dosages(document, result.mentions, talk)
    result.warnings = _warnings(document, result.mentions, talk)
    result.quotes = _quotes(document)
    result.summary = _summary(document, result.mentions, result.dosages, names)
    used = {mention.medication for mention in result.mentions}
    used |= {dosage.medication for dosage in result.dosages}
    for name in sorted(used):
        aliases = names.aliases.get(name, ())
        heard = spoken.get(name, set()) - {alias.lower() for alias in aliases} - {name.lower()}
        result.medications[name] = Medication(name, aliases, tuple(sorted(heard)))
    return result


def _dosages(document: Document, mentions: list[Mention], talk: _Talk) -> list[Dosage]:
    found: list[Dosage] = []
    seen: set[tuple[int, str, float, str, float | None, str | None]] = set()
    said_units: dict[str, str] = {}  # the unit each drug was last dosed in, as said
    history: dict[str, list[float]] = {}
    for index, segment in enumerate(document.segments):
        text = segment.text
        here = [mention for mention in mentions if mention.segment == index]
        amounts = doses.find_amounts(text)
        for position, amount in enumerate(amounts):
            if amount.unit is not None:
                name = _dosed(text, amount, here, talk, index)
                if name is None:
                    continue
                if amount.said_unit is not None:
                    said_units[name] = amount.said_unit
                value, unit, top = amount.value, amount.unit, amount.max_value
            else:
                name = talk.focus(index, amount.start, reach=1)
                if name is None or _corrected(amounts, position):
                    continue
                said = said_units.get(name) or _unit_ahead(text, amounts, position)
                if said is None:
                    continue
                value, unit = to_canonical(amount.value, said)
                top = to_canonical(amount.max_value, said)[0] if amount.max_value else None
                earlier = history.get(name, []) + _values_ahead(text, amounts, position)
                if not earlier or not (
                    min(earlier) / CARRY_RANGE <= value <= max(earlier) * CARRY_RANGE
                ):
                    continue
            history.setdefault(name, []).append(value)
            key = (index, name, value, unit, top, amount.frequency)
            if key in seen:
                continue
            seen.add(key)
            per_day = value * amount.per_day if amount.per_day is not None else None
            found.append(
                Dosage(
                    index,
                    amount.start,
                    amount.end,
                    amount.text,
                    name,
                    value,
                    unit,
                    top,
                    amount.frequency,
                    per_day,
                )  # fmt: skip
            )
    return found


def _sentence_end(text: str, offset: int) -> int:
    ends = [found for mark in ".?!" if (found := text.find(mark, offset)) >= 0]
    return min(ends, default=len(text))


def _unit_ahead(text: str, amounts: list[doses.Amount], position: int) -> str | None:
    """The unit of the next measured amount in the same sentence: "start at 25 and go up to
    100 milligrams" says the 25 in milligrams too."""
    end = _sentence_end(text, amounts[position].end)
    for later in amounts[position + 1 :]:
        if later.start > end:
            break
        if later.said_unit is not None:
            return later.said_unit
    return None


def _values_ahead(text: str, amounts: list[doses.Amount], position: int) -> list[float]:
    end = _sentence_end(text, amounts[position].end)
    return [a.value for a in amounts[position + 1 :] if a.unit is not None and a.start <= end]


def _dosed(
    text: str, amount: doses.Amount, here: list[Mention], talk: _Talk, index: int
) -> str | None:
    """The medication a measured amount is a dose of: "4.5 mg of LDN", then the drug being
    talked about just before it, then one named later in the same sentence."""
    after = [mention for mention in here if mention.start >= amount.end]
    if after and OF_AFTER_DOSE.match(text[amount.end : after[0].start]):
        return after[0].medication
    if any(mention.end <= amount.start for mention in here):
        return talk.focus(index, amount.start)
    if after and after[0].start < _sentence_end(text, amount.end):
        return after[0].medication
    return talk.focus(index, amount.start)


def _corrected(amounts: list[doses.Amount], position: int) -> bool:
    if position + 1 >= len(amounts):
        return False
    this, following = amounts[position], amounts[position + 1]
    close = following.start - this.end <= CORRECTION_REACH
    alike = abs(following.value - this.value) <= CORRECTION_RATIO * max(this.value, 1e-9)
    return close and alike


def _warnings(document: Document, mentions: list[Mention], talk: _Talk) -> list[Warning]:
    found: list[Warning] = []
    for index, segment in enumerate(document.segments):
        here = [mention for mention in mentions if mention.segment == index]
        for caution in warnings.find_warnings(segment.text):
            inside = [m for m in here if caution.start <= m.start < caution.end]
            name = inside[0].medication if inside else None
            pronoun = PRONOUN.search(segment.text, caution.start, caution.end)
            if not inside or (pronoun is not None and pronoun.start() < inside[0].start):
                name = talk.focus(index, caution.start) or name
            if name is not None:
                found.append(Warning(index, caution.text, name, caution.kind))
    return found


def _quotes(document: Document) -> list[Quote]:
    found = []
    for item in document.summary:
        if "quote" not in item.section.lower():
            continue
        text = strip_quotes(item.text)
        segment, score = ground(text, document.segments)
        found.append(Quote(text, item.seconds, segment, round(score / 100, 3)))
    return found


def _summary(
    document: Document, mentions: list[Mention], dosages: list[Dosage], names: lexicon.Lexicon
) -> list[SummaryPoint]:
    """Every claim-making line of the summary, with the segment that best supports it."""
    drugs: list[set[str]] = [set() for _ in document.segments]
    for mention in mentions:
        drugs[mention.segment].add(mention.medication)
    amounts: list[set[tuple[float, str]]] = [set() for _ in document.segments]
    for dosage in dosages:
        amounts[dosage.segment].add((dosage.value, dosage.unit))
        if dosage.max_value is not None:
            amounts[dosage.segment].add((dosage.max_value, dosage.unit))
    segments = [
        Evidence.of(segment.text, drugs[index], amounts[index])
        for index, segment in enumerate(document.segments)
    ]
    seconds = [segment.seconds for segment in document.segments]
    points = []
    for item in document.summary:
        if any(word in item.section.lower() for word in NOT_CLAIMS) or NOT_A_CLAIM.search(
            item.text
        ):
            continue
        said = [a for a in doses.find_amounts(item.text) if a.unit is not None]
        claim = Evidence.of(
            item.text,
            medications.exact_names(item.text, lexicon=names),
            [(a.value, a.unit) for a in said if a.unit]
            + [(a.max_value, a.unit) for a in said if a.unit and a.max_value is not None],
        )
        if claim.empty:
            continue
        segment, score = support(claim, segments, seconds, item.seconds)
        points.append(SummaryPoint(item.section, item.text, item.seconds, segment, score))
    return points
