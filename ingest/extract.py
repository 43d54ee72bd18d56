"""Extraction: from a parsed document to its mentions, doses, warnings and grounded quotes."""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from ingest import (
    conditions,
    doses,
    indications,
    lexicon,
    medications,
    speakers,
    sponsors,
    text,
    warnings,
)
from ingest.grounding import NOT_A_CLAIM, NOT_CLAIMS, Evidence, ground, strip_quotes, support
from ingest.records import (
    Condition,
    Document,
    Dosage,
    Extraction,
    Indication,
    MatchedBy,
    Medication,
    Mention,
    Quote,
    SummaryPoint,
    Warning,
)
from ingest.regimen import regimen_at
from ingest.stance import stance_after
from ingest.timestamps import format_timestamp
from ingest.units import to_canonical

C = TypeVar("C", Dosage, Warning, Indication)  # a claim said by someone, somewhere
log = logging.getLogger(__name__)

# "anybody on it, I'm checking B12": a pronoun before any name keeps the drug being discussed.
PRONOUN = re.compile(r"\b(?:it|this drug|this medication|this one|that drug|that one)\b", re.I)
# "4.5 mg of LDN", "200 mg TCA", "5 g/m2 bolus ifosfamide": a drug right after a dose, with at
# most one word between that is not a conjunction, is what the dose is of.
OF_AFTER_DOSE = re.compile(
    r"^\s*(?:(?:(?:a\s+)?(?:doses?|dosages?)\s+)?of\s+(?:the\s+|your\s+|his\s+|her\s+|that\s+)?)?"
    r"(?:(?!and\b|or\b|but\b|then\b|with\b|plus\b|to\b)[a-z.]+\s+)?$",
    re.IGNORECASE,
)
# "300 milligrams of alpha-GPC": the words after "of" name what the amount is of. When they are
# no known drug, the amount is of something unknown and is given to no drug at all.
OF_WHAT = re.compile(
    r"\s*(?:-\s*)?of\s+(?:(?:the|your|his|her|their|my|our|a|an|that|this|pure|"
    r"just|about|like|um|uh)\s+)*([a-z][a-z0-9'-]*)",
    re.IGNORECASE,
)
HOW_OFTEN = re.compile(
    r"\s*(?:(?:a|per|each|every|once\s+a|twice\s+a)\s+(?:day|week|month|night|morning|evening)"
    r"|daily|weekly|nightly)\b(?=\s+of\b)",
    re.IGNORECASE,
)
# Between two measured amounts of one list: "a 50 milligram or 40 milligram dose of fluoxetine".
LISTED_AMOUNTS = re.compile(r"\s*(?:,|/)?\s*(?:or|and|,)\s*(?:even\s+|maybe\s+)?$", re.IGNORECASE)
ADJECTIVES_BEFORE = re.compile(r"(?:(?!and\b|or\b|with\b|to\b)[a-z-]+\s+){1,2}", re.IGNORECASE)
# Words after "of" that point back to the drug under discussion rather than name another.
REFERS_BACK = {
    "it", "that", "this", "these", "those", "them", "which", "what", "each", "either", "both",
    "one", "drug", "drugs", "medication", "medications", "medicine", "supplement",
    "supplements", "compound", "stuff", "substance", "pill", "pills", "powder", "product",
    "form", "active", "dose", "per", "daily", "a", "an", "the", "body", "bodyweight", "weight",
}  # fmt: skip
# Foods and nutrients: an amount said of these ("30 grams of protein", "60 grams of carbs an
# hour") is food, and they count as the thing being talked about, so that no drug takes it.
FOOD = frozenset(
    """protein proteins carb carbs carbohydrate carbohydrates fiber fibre fibers fibres fat
    fats sugar sugars calories water fluid fluids food foods meal meals steak rice broccoli
    beans meat egg eggs milk juice soda sodas starch""".split()
)
NOT_A_DRUG = ""  # the "medication" of a food word, which no dose is given to
# "if you lost three grams of sodium", "you sweat out 1250 milligrams": losses are not doses.
LOST_BEFORE = re.compile(
    r"\b(?:lose|loses|losing|lost|sweat|sweats|sweating|sweated|excret\w*|deplet\w*)\b"
    r"(?:\s+[\w']+){0,3}\s*$",
    re.IGNORECASE,
)
LOST_REACH = 40
# Amounts said after what the body puts out, in one sentence, measure it; they dose nothing.
EXCRETED = re.compile(r"\b(?:excret\w*|urinary\s+output)\b", re.IGNORECASE)
MEASURED_AFTER = re.compile(
    r"\s*(?:excretion|loss|levels?|concentrations?|in\s+(?:the|your)\s+(?:blood|urine|sweat))\b",
    re.IGNORECASE,
)
# A drug class named in a caution with no drug ("when you come off an antidepressant").
DRUG_CLASS = re.compile(
    r"\b(?:an?|any|other|most|some|all)\s+(?:"
    + "|".join(re.escape(name) for name in sorted(lexicon.drug_classes(), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
IN_PARENTHESES = re.compile(r"\s*\(\s*")
UNKNOWN_REACH = 40
# The word right before an amount ("fluoresone 750 mg"), with an optional route word between.
UNKNOWN_BEFORE = re.compile(r"\b([A-Za-z][A-Za-z-]+)\s+(?:(?:oral|iv|im|po)\s+)?$")
# "5 milligrams of caffeine per kilogram": a per-body-weight unit after the drug's name.
PER_KILOGRAM_AFTER = re.compile(
    r"\s*(?:per|a|/)\s*(?:(\d+(?:\.\d+)?)\s*)?(?:kilogram|kilo|kg)s?\b(?:\s+of\s+body\s*weight)?",
    re.IGNORECASE,
)
# Between an amount and the same amount in other words.
RESTATED = re.compile(
    r"[\s,;(-]*(?:that's|that\s+is|which\s+is|meaning|i\.?e\.?|or|so|about|roughly)"
    r"(?:\s+(?:about|roughly|around))?[\s,]*",
    re.IGNORECASE,
)
# A bare number this close to a like amount is the speaker correcting themselves ("13, 13 and a
# half"), not a second dose.
CORRECTION_REACH = 40
CORRECTION_RATIO = 0.2
# How fast a mention's pull on what follows fades: in characters within a segment, and by a
# factor per segment before it, up to FOCUS_REACH segments back.
SALIENCE_REACH = 150
SEGMENT_DECAY = 0.4
FOCUS_REACH = 3
LATENT_PULL = 0.1
RANGE_ECHO = 40  # characters after a range within which its end said again is the same claim
TOPIC_PULL = 2.0
# With it, the drug the segment before ended on (0.4 + 0.5) outweighs another named twice there.
LAST_SAID_PULL = 0.5
# "alcohol addiction", "opioid withdrawal": a drug named as part of a condition is not the drug
# a nearby dose is of.
CONDITION_AFTER = re.compile(
    r"\s*(?:use\s+disorder|addiction|dependence|dependency|abuse|withdrawal|overdose|"
    r"poisoning|toxicity|intoxication|cravings?|allergy|allergies)\b",
    re.IGNORECASE,
)
# A carried unit belongs to a stretch of talk: doses within a factor of ten of the drug's own,
# said within this many characters of it.
CARRY_RANGE = 10.0
CARRY_REACH = 1200
SENTENCE_ENDS = ".?!"
FOOD_REACH = 40  # characters before an amount within which a food word still claims it
# In unpunctuated captions a "sentence" runs on for minutes: the drug named last counts for an
# amount only this many characters on (about twenty seconds of speech).
NAMED_LAST_REACH = 300
SENTENCE_STOP = re.compile(r"[.?!](?=\s)")  # not the point of "4.5"
# "I'll take it in dosages of 500 milligrams": a sentence that names no drug but takes "it"
# means the drug named last before it, this many characters back at most.
TAKES_IT = re.compile(
    r"\b(?:take|takes|taking|took|taken|use|uses|using|used|dose|doses|dosing|give|gives|"
    r"giving|gave|start|starting)\s+(?:it|this|them)\b",
    re.IGNORECASE,
)
REFERENT_REACH = 400
# "How much should one take? -- Almost all of it's absorbed. 500 milligrams": an answer is of
# the drug its question named, a question this many characters back at most.
QUESTION_REACH = 300


class _Talk:
    """Which medication the speaker is talking about at each point of the transcript.

    Within a segment, each earlier mention pulls, the nearer the more. Where a segment names
    no drug yet ("the shot", "it"), the drugs of the segments before count, each mention less
    the further back it is: a drug discussed at length outweighs one named once in passing,
    but the drug the segment just before ended on pulls LAST_SAID_PULL more, since the talk
    had turned to it ("HCG ... HCG ... HCG. | Fadogia, what dose? | 300 milligrams").
    """

    def __init__(self, weighted: Sequence[tuple[Mention, float]]) -> None:
        self.by_segment: dict[int, list[tuple[Mention, float]]] = {}
        for mention, weight in weighted:
            if weight > 0:
                self.by_segment.setdefault(mention.segment, []).append((mention, weight))
        names = {m.medication for m, weight in weighted if weight >= 1.0} - {NOT_A_DRUG}
        self.only = next(iter(names)) if len(names) == 1 else None

    def latest(self, segment: int, start: int, end: int) -> str | None:
        """The drug last named, and named as a drug, between two offsets of a segment. A food
        counts only right before: "with fruit juice ... then 10 grams a day" is no food's."""
        named = [
            mention
            for mention, weight in self.by_segment.get(segment, [])
            if weight >= 1.0
            and start <= mention.start
            and mention.end <= end
            and (mention.medication != NOT_A_DRUG or end - mention.end <= FOOD_REACH)
        ]
        return max(named, key=lambda mention: mention.end).medication if named else None

    def focus(self, segment: int, offset: int, *, reach: int = FOCUS_REACH) -> str | None:
        weights: dict[str, float] = {}
        before = [(m, w) for m, w in self.by_segment.get(segment, []) if m.end <= offset]
        # A food named well before, with nothing else said since the paragraph began ("with
        # fruit juice ... reducing to 10 grams a day"), leaves the drug of the talk before.
        if all(m.medication == NOT_A_DRUG and offset - m.end > FOOD_REACH for m, _ in before):
            before = []
        for mention, weight in before:
            pull = weight / (1 + (offset - mention.end) / SALIENCE_REACH)
            weights[mention.medication] = weights.get(mention.medication, 0.0) + pull
        if not weights:
            for back in range(1, reach + 1):
                earlier = self.by_segment.get(segment - back, [])
                last = max((m.end for m, w in earlier if w >= 1.0), default=None)
                for mention, weight in earlier:
                    pull = weight * SEGMENT_DECAY**back
                    if back == 1 and mention.end == last:
                        pull += LAST_SAID_PULL
                    weights[mention.medication] = weights.get(mention.medication, 0.0) + pull
        if not weights:
            return self.only
        return max(weights, key=lambda name: weights[name])


def extract(document: Document, *, names: lexicon.Lexicon | None = None) -> Extraction:
    """Every claim in `document`, each tied to the transcript segment where it is said."""
    names = names or lexicon.load()
    result = Extraction(document=document)
    scans = [medications.scan(segment.text, lexicon=names) for segment in document.segments]
    around = "\n".join(
        [document.meta.title, document.meta.description, *(i.text for i in document.summary)]
    )
    # A near miss is believed more readily when the episode names the drug somewhere.
    topic = medications.exact_names(around, lexicon=names)
    context = topic.union(*(s.names for s in scans))
    targets = medications.Targets(names, context)
    spoken: dict[str, set[str]] = {}
    latent: list[Mention] = []
    for index, segment in enumerate(document.segments):
        try:
            found = medications.mentions_in(
                scans[index],
                lexicon=names,
                targets=targets,
                dose_follows=partial(doses.dose_follows, segment.text),
            )
        except Exception as error:  # noqa: BLE001 - one bad paragraph never loses the episode
            result.dropped += 1
            _left_out("mentions", document, index, error)
            found = list(scans[index].exact)
        for hit in found:
            mention = Mention(
                index, hit.start, hit.end, hit.text, hit.medication, hit.confidence,
                hit.matched_by,
            )  # fmt: skip
            (latent if hit.latent else result.mentions).append(mention)
    foods = [
        Mention(index, token.start, token.end, token.text, NOT_A_DRUG, 1.0, MatchedBy.EXACT)
        for index, segment in enumerate(document.segments)
        for token in text.tokenize(segment.text)
        if token.text.lower() in FOOD
    ]
    # A latent mention ("testosterone" with no word of taking next to it) still says which
    # drug an amount beside it is of; a dose given to it makes it a mention.
    every = sorted(result.mentions + latent + foods, key=lambda m: (m.segment, m.start))
    talk = _Talk(
        [(m, _pull(document, m, 1.0, topic)) for m in result.mentions + foods]
        + [(m, _pull(document, m, LATENT_PULL, topic)) for m in latent]
    )
    result.dosages, dropped = _dosages(document, every, talk)
    dosed = {(dosage.segment, dosage.medication) for dosage in result.dosages}
    result.mentions += [m for m in latent if (m.segment, m.medication) in dosed]
    result.mentions.sort(key=lambda m: (m.segment, m.start))
    for mention in result.mentions:
        spoken.setdefault(mention.medication, set()).add(mention.text.lower())
    # A warning goes to a drug said to be taken: "testosterone levels" draws none.
    said = _Talk([(m, _pull(document, m, 1.0, topic)) for m in result.mentions])
    result.warnings, dropped_warnings = _warnings(document, result.mentions, said)
    result.dropped += dropped + dropped_warnings
    result.indications = indications.find_indications(document.segments, result.mentions)
    result.dosages = indications.dose_purposes(result.dosages, result.indications)
    vocabulary = conditions.vocabulary()
    for indication in result.indications:
        name = indication.condition
        result.conditions[name] = Condition(name, indication.code, vocabulary.aliases.get(name, ()))
    _attribute(result)
    result.quotes = _quotes(document)
    result.summary = _summary(document, result.mentions, result.dosages, names)
    used = {mention.medication for mention in result.mentions}
    used |= {claim.medication for claim in result.dosages + result.warnings}
    for name in sorted(used):
        aliases = names.aliases.get(name, ())
        heard = spoken.get(name, set()) - {alias.lower() for alias in aliases} - {name.lower()}
        result.medications[name] = Medication(name, aliases, tuple(sorted(heard)))
    return result


def _attribute(result: Extraction) -> None:
    """Who says each segment and claim, and which are sponsor reads: a dose read out for a
    sponsor is an advertisement, not advice."""
    texts = [segment.text for segment in result.document.segments]
    paragraphs = speakers.turns(texts, [segment.voices for segment in result.document.segments])
    sponsored = sponsors.sponsor_paragraphs(texts, result.document.meta.channel)
    # A paragraph's first turn is whoever says its first words, labelled or carried over.
    result.speakers = [turns[0].speaker if turns else None for turns in paragraphs]
    result.sponsored = [index in sponsored for index in range(len(texts))]

    def said(claim: C) -> C:
        turns = paragraphs[claim.segment]
        at = speakers.speaker_at(turns, claim.start)
        return replace(claim, speaker=at, sponsored=claim.segment in sponsored)

    result.dosages = [said(dosage) for dosage in result.dosages]
    result.warnings = [said(warning) for warning in result.warnings]
    result.indications = [said(indication) for indication in result.indications]


def _by_segment(mentions: list[Mention]) -> dict[int, list[Mention]]:
    """Mentions grouped by segment, in the order given."""
    grouped: dict[int, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.segment, []).append(mention)
    return grouped


def _pull(document: Document, mention: Mention, weight: float, topic: set[str]) -> float:
    """How strongly a mention makes its drug the one being talked about: a drug the episode's
    title, description or summary names more, a latent mention ("testosterone levels") less,
    and a drug named as a condition ("alcohol addiction") not at all."""
    if CONDITION_AFTER.match(document.segments[mention.segment].text, mention.end):
        return 0.0
    return weight * (TOPIC_PULL if mention.medication in topic else 1.0)


def _dosages(document: Document, mentions: list[Mention], talk: _Talk) -> tuple[list[Dosage], int]:
    """Every dose, and how many were dropped by an error while reading them."""
    found: list[Dosage] = []
    dropped = 0
    # The same amount of a drug said twice in a paragraph is one claim; said with two
    # frequencies ("4 mg once a day, then 4 mg twice a day") it is two.
    seen: set[tuple[int, str, float, str, float | None, str | None]] = set()
    carried: dict[str, _Said] = {}  # the unit each drug was last dosed in, and where
    history: dict[str, list[float]] = {}
    by_segment = _by_segment(mentions)
    found_amounts = _amounts([segment.text for segment in document.segments])
    for index in range(len(document.segments)):
        here = by_segment.get(index, [])
        amounts = found_amounts[index]
        for position in range(len(amounts)):
            try:
                dosage = _dosage(document, index, here, amounts, position, talk, carried, history)
            except Exception as error:  # noqa: BLE001 - one bad claim never loses the episode
                dropped += 1
                _left_out("an amount", document, index, error)
                continue
            if dosage is None:
                continue
            key = (
                index, dosage.medication, dosage.value, dosage.unit, dosage.max_value,
                dosage.frequency,
            )  # fmt: skip
            if key not in seen:
                seen.add(key)
                found.append(dosage)
    return _without_range_ends(found), dropped


def _amounts(texts: list[str]) -> list[list[doses.Amount]]:
    """Each paragraph's amounts. One that a paragraph break cuts between its number and its
    unit ("a 50 | milligram dose") belongs to the paragraph its unit opens."""
    found = [doses.find_amounts(text) for text in texts]
    for index in range(1, len(texts)):
        if (wrapped := doses.wrapped_amount(texts[index - 1], texts[index])) is None:
            continue
        cut, amount = wrapped
        found[index - 1] = [a for a in found[index - 1] if a.end <= cut]
        found[index] = [amount, *(a for a in found[index] if a.start >= amount.end)]
    return found


def _without_range_ends(found: list[Dosage]) -> list[Dosage]:
    """ "One to three grams, again, three grams": an end of a range said again right after it
    is the same claim, not a second dose."""
    ranges = [d for d in found if d.max_value is not None]

    def repeats(dose: Dosage) -> bool:
        return any(
            r.segment == dose.segment
            and r.medication == dose.medication
            and r.unit == dose.unit
            and dose.value in (r.value, r.max_value)
            and 0 <= dose.start - r.end <= RANGE_ECHO
            for r in ranges
        )

    return [dose for dose in found if dose.max_value is not None or not repeats(dose)]


@dataclass(frozen=True, slots=True)
class _Said:
    """Where a drug's dose was last said with its unit: a bare number nearby may carry it."""

    segment: int
    end: int
    unit: str


def _dosage(
    document: Document,
    index: int,
    here: list[Mention],
    amounts: list[doses.Amount],
    position: int,
    talk: _Talk,
    carried: dict[str, _Said],
    history: dict[str, list[float]],
) -> Dosage | None:
    """The dose an amount says, given to its drug, or None when it is no dose of a known drug."""
    text = document.segments[index].text
    amount = amounts[position]
    if amount.unit is not None:
        if _said_again(text, amounts, position):
            return None  # the restatement right after says what it is of
        name = _dosed(document, amounts, position, here, talk, index)
        if not name or LOST_BEFORE.search(text, max(0, amount.start - LOST_REACH), amount.start):
            return None
        if EXCRETED.search(text, _sentence_start(text, amount.start), amount.start):
            return None  # "sodium excretion of about 2 grams per day ... 4 and 5 grams per day"
        amount = _per_kilogram(text, amount, here)
        if amount.unit is None:
            return None
        if amount.said_unit is not None:
            carried[name] = _Said(index, amount.end, amount.said_unit)
        value, unit, top = amount.value, amount.unit, amount.max_value
    else:
        ahead = _measured_ahead(text, amounts, position)
        if ahead is None:
            name = talk.focus(index, amount.start, reach=1)
        else:
            # "from 7 to 8 to 10 and out towards 12 grams of sodium excretion": a number that
            # takes its unit from an amount later in its sentence is of what that one is of.
            later = _dosage(
                document, index, here, amounts, ahead, talk, dict(carried), dict(history)
            )
            name = later.medication if later is not None else None
        if not name or _corrected(amounts, position):
            return None
        last = carried.get(name)
        said = _carried(document, last, index, amount.start) or (
            amounts[ahead].said_unit if ahead is not None else None
        )
        if said is None and last is not None:
            # Far from the drug's last dose, a bare number is a dose only when it repeats one
            # already said: "it has to be compounded at 4.5".
            repeated = to_canonical(amount.value, last.unit)[0] in history.get(name, ())
            said = last.unit if repeated and amount.max_value is None else None
        if said is None:
            return None
        value, unit = to_canonical(amount.value, said)
        top = to_canonical(amount.max_value, said)[0] if amount.max_value else None
        earlier = history.get(name, []) + _values_ahead(text, amounts, position)
        if not earlier or not (min(earlier) / CARRY_RANGE <= value <= max(earlier) * CARRY_RANGE):
            return None
    history.setdefault(name, []).append(value)
    per_day = value * amount.per_day if amount.per_day is not None else None
    before = document.segments[index - 1].text if index else ""
    said = stance_after(before, text, amount.start)
    return Dosage(
        index, amount.start, amount.end, amount.text, name, value, unit, top, amount.frequency,
        per_day, said, regimen=regimen_at(text, amount.start, amount.end, said),
    )  # fmt: skip


def _carried(document: Document, said: _Said | None, index: int, offset: int) -> str | None:
    """The unit a bare number at `offset` carries from the drug's last dose: only in the same
    stretch of talk, within CARRY_REACH characters."""
    if said is None or said.segment not in (index, index - 1):
        return None
    distance = offset - said.end
    if said.segment != index:
        distance += len(document.segments[said.segment].text)
    return said.unit if 0 <= distance <= CARRY_REACH else None


def _left_out(what: str, document: Document, index: int, error: Exception) -> None:
    """Logs a claim dropped by an error: the episode is stored without it."""
    clock = format_timestamp(document.segments[index].seconds)
    log.warning(
        "left out %s in %r at %s: %s: %s",
        what,
        document.meta.title,
        clock,
        type(error).__name__,
        error,
    )


def _sentence_start(text: str, offset: int) -> int:
    """Where the sentence holding `offset` begins: after the last full stop, question or
    exclamation mark before it (a speaker's question and its answer are two sentences)."""
    stops = [stop.end() for stop in SENTENCE_STOP.finditer(text, 0, offset)]
    return stops[-1] if stops else 0


def _sentence_end(text: str, offset: int) -> int:
    ends = [found for mark in SENTENCE_ENDS if (found := text.find(mark, offset)) >= 0]
    return min(ends, default=len(text))


def _measured_ahead(text: str, amounts: list[doses.Amount], position: int) -> int | None:
    """The next amount said with its unit in the same sentence: "start at 25 and go up to 100
    milligrams" says the 25 in milligrams too."""
    end = _sentence_end(text, amounts[position].end)
    for later, amount in enumerate(amounts[position + 1 :], start=position + 1):
        if amount.start > end:
            break
        if amount.said_unit is not None:
            return later
    return None


def _values_ahead(text: str, amounts: list[doses.Amount], position: int) -> list[float]:
    end = _sentence_end(text, amounts[position].end)
    return [a.value for a in amounts[position + 1 :] if a.unit is not None and a.start <= end]


def _dosed(
    document: Document,
    amounts: list[doses.Amount],
    position: int,
    here: list[Mention],
    talk: _Talk,
    index: int,
) -> str | None:
    """The medication a measured amount is a dose of: "4.5 mg of LDN", then the drug being
    talked about just before it, then one named later in the same sentence. None when the
    amount is said to be of something that is no known drug ("300 mg of alpha-GPC")."""
    text = document.segments[index].text
    amount = amounts[position]
    # A listed amount ("300, 600 milligrams of alpha-GPC", "50 milligrams or 40 milligrams of
    # fluoxetine") reads on from the list's end, and past how often it is taken ("100
    # milligrams a week of testosterone").
    end = amount.list_end or _list_end(text, amounts, position)
    if often := HOW_OFTEN.match(text, end):
        end = often.end()
    after = [mention for mention in here if mention.start >= end]
    if after and OF_AFTER_DOSE.match(text[end : after[0].start]):
        # "12 grams of sodium excretion" is a measurement, not a dose.
        return None if MEASURED_AFTER.match(text, after[0].end) else after[0].medication
    if (of := OF_WHAT.match(text, end)) and of[1].lower() not in REFERS_BACK:
        # "of a concentrated fish oil": a word or two that describe the drug named next.
        if after and ADJECTIVES_BEFORE.fullmatch(text[of.start(1) : after[0].start]):
            return after[0].medication
        return None
    before = [mention for mention in here if mention.end <= amount.start]
    if before and IN_PARENTHESES.fullmatch(text[before[-1].end : amount.start]):
        return before[-1].medication  # "paclitaxel (60 mg/m2)"
    word = UNKNOWN_BEFORE.search(text, max(0, amount.start - UNKNOWN_REACH), amount.start)
    if (
        word is not None
        and _unknown_name(word[1])
        and not any(m.start <= word.start(1) < m.end for m in here)
    ):
        return None  # "fluoresone 750 mg": the name right before the amount is no known drug
    # The drug named last in the amount's own sentence is what it is of: "and then boron, 5 to
    # 12 milligrams", "cissus quadrangularis, when taken in dosages of 300 to 600 milligrams",
    # however often another drug came up before.
    if latest := _named_last_in_sentence(document, index, amount.start, talk):
        return latest
    if referred := _referred_to(document, index, amount.start, talk):
        return referred
    if any(mention.end <= amount.start for mention in here):
        return talk.focus(index, amount.start)
    if after and after[0].start < _sentence_end(text, amount.end):
        return after[0].medication
    return talk.focus(index, amount.start)


def _list_end(text: str, amounts: list[doses.Amount], position: int) -> int:
    """Where the list of measured amounts that starts at `position` ends."""
    end = amounts[position].end
    for later in amounts[position + 1 :]:
        if later.unit is None or not LISTED_AMOUNTS.fullmatch(text[end : later.start]):
            break
        end = later.end
    return end


def _named_last_in_sentence(document: Document, index: int, offset: int, talk: _Talk) -> str | None:
    """The drug named last before an offset in its own sentence, within NAMED_LAST_REACH
    characters. Captions break paragraphs mid-sentence, so a sentence that opens a paragraph
    begins in the paragraph before when that one ends without a full stop."""
    text = document.segments[index].text
    start = max(_sentence_start(text, offset), offset - NAMED_LAST_REACH)
    if name := talk.latest(index, start, offset):
        return name
    if start > 0 or index == 0:
        return None
    before = document.segments[index - 1].text.rstrip()
    if not before or before[-1] in SENTENCE_ENDS:
        return None
    reach = len(before) - (NAMED_LAST_REACH - offset)
    return talk.latest(index - 1, max(_sentence_start(before, len(before)), reach), len(before))


def _referred_to(document: Document, index: int, offset: int, talk: _Talk) -> str | None:
    """The drug that a sentence naming none is about: the one named last before it when it
    takes "it" ("I'll take it in dosages of..."), or the one a question just before it named,
    when nothing since has named another."""
    text = document.segments[index].text
    start = _sentence_start(text, offset)
    if TAKES_IT.search(text, start, offset):
        return _named_last(document, index, start - REFERENT_REACH, start, talk)
    asked = text.rfind("?", max(0, start - QUESTION_REACH), start)
    if asked < 0 or talk.latest(index, asked, start):
        return None
    return talk.latest(index, _sentence_start(text, asked), asked)


def _named_last(document: Document, index: int, start: int, end: int, talk: _Talk) -> str | None:
    """The drug named last between two offsets of a segment; a `start` below zero reaches
    that far back into the segment before, since captions break paragraphs mid-talk."""
    if name := talk.latest(index, max(start, 0), end):
        return name
    if start >= 0 or index == 0:
        return None
    before = len(document.segments[index - 1].text)
    return talk.latest(index - 1, before + start, before)


def _unknown_name(word: str) -> bool:
    """Whether a word right before an amount reads as the name of a substance no vocabulary
    holds: no English word, and not a unit, number or filler."""
    return len(word) >= 4 and word.isalpha() and not lexicon.is_ordinary_word(word, zipf=2.5)


def _per_kilogram(text: str, amount: doses.Amount, here: list[Mention]) -> doses.Amount:
    """ "5 milligrams of caffeine per kilogram" is 5 mg/kg: the body-weight unit comes after
    the drug's name."""
    if amount.unit is None or "/" in amount.unit:
        return amount
    after = [mention for mention in here if mention.start >= amount.end]
    if not after or not OF_AFTER_DOSE.match(text[amount.end : after[0].start]):
        return amount
    weight = PER_KILOGRAM_AFTER.match(text, after[0].end)
    if weight is None:
        return amount
    said = f"{amount.said_unit}/kg" if amount.said_unit else None
    # "30 milligrams of psilocybin per 70 kilograms" is 0.43 mg/kg.
    kilograms = float(weight[1]) if weight[1] else 1.0
    if not kilograms:
        return amount
    top = amount.max_value / kilograms if amount.max_value is not None else None
    return replace(
        amount,
        value=amount.value / kilograms,
        max_value=top,
        unit=f"{amount.unit}/kg",
        said_unit=said if kilograms == 1.0 else None,
    )


def _said_again(text: str, amounts: list[doses.Amount], position: int) -> bool:
    """Whether a measured amount is said again in other words right after it: "1,000
    milligrams, that's one gram of sodium", "2,300 milligrams, meaning 2.3 grams"."""
    if position + 1 >= len(amounts):
        return False
    this, following = amounts[position], amounts[position + 1]
    return (
        this.unit is not None
        and following.unit == this.unit
        and (following.value, following.max_value) == (this.value, this.max_value)
        and RESTATED.fullmatch(text[this.end : following.start]) is not None
    )


def _corrected(amounts: list[doses.Amount], position: int) -> bool:
    if position + 1 >= len(amounts):
        return False
    this, following = amounts[position], amounts[position + 1]
    close = following.start - this.end <= CORRECTION_REACH
    alike = abs(following.value - this.value) <= CORRECTION_RATIO * max(this.value, 1e-9)
    return close and alike


def _warnings(
    document: Document, mentions: list[Mention], talk: _Talk
) -> tuple[list[Warning], int]:
    """Every warning, and how many paragraphs' warnings an error dropped."""
    found: list[Warning] = []
    dropped = 0
    by_segment = _by_segment(mentions)
    for index, segment in enumerate(document.segments):
        here = by_segment.get(index, [])
        try:
            cautions = warnings.find_warnings(segment.text)
        except Exception as error:  # noqa: BLE001 - one bad paragraph never loses the episode
            dropped += 1
            _left_out("warnings", document, index, error)
            continue
        for caution in cautions:
            inside = [m for m in here if caution.start <= m.start < caution.end]
            pronoun = PRONOUN.search(segment.text, caution.start, caution.end)
            if not inside and pronoun is None and DRUG_CLASS.search(caution.text):
                continue  # "when you come off an antidepressant": said of a class, not a drug
            name = inside[0].medication if inside else None
            if not inside or (pronoun is not None and pronoun.start() < inside[0].start):
                name = talk.focus(index, caution.start) or name
            if name is not None:
                before = document.segments[index - 1].text if index else ""
                said = stance_after(before, segment.text, caution.start)
                found.append(Warning(index, caution.text, name, caution.kind, said, caution.start))
    return found, dropped


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
