"""Indications: the conditions a medication is said to be used for, to treat or help, or to
have been tried or studied in, each with the stance it is said in.

A medication and a condition are linked when one sentence names both and a cue word ties them:
the cue between the drug and the condition ("metformin has been around for decades for
diabetes", "LDN in patients with MS"), or governing a condition said first ("for sleep, most
take Ambien", "a diabetes drug"). A pronoun ("we use this in...") stands for the one drug the
paragraph, or the one before it, names. One indication per paragraph, drug and condition.
"""

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest.conditions import ConditionMention, Vocabulary, vocabulary
from ingest.records import Dosage, Indication, Mention, Segment, Stance
from ingest.stance import stance_at
from ingest.text import sentences

# Words that say a drug is used for, treats, helps or was tried in what follows them.
LINK = re.compile(
    r"\b(?:for|treat|treats|treated|treating|treatment|therapy|helps?|helped|helping|"
    r"(?:use|used|using|uses|tried|trialed|trialled|studied|tested|works?|worked|working|given|"
    r"prescribed?|approved|indicated|effective|trials?|studies|study|evidence)\s+"
    r"(?:(?:it|this|them|him|her)\s+)?(?:in|for|on|with)|"
    r"in\s+(?:patients|people|those|men|women|adults|kids|children|folks|someone|anyone|"
    r"individuals?|somebody)\s+(?:with|who\s+have)|"
    r"prevent|prevents|prevented|preventing|prevention|manage|manages|managing|management|"
    r"relieve|relieves|relieved|relief|reduce|reduces|reduced|reducing|reduction|lower|lowers|"
    r"lowering|improve|improves|improved|improving|improvement|fix|fixes|fixed|cure|cures|"
    r"cured|reverse|reverses|reversed|against|better|controls?|controlled)\b",
    re.IGNORECASE,
)
# "tested naltrexone in fibromyalgia": a bare "in" after the drug links when a verb of using or
# trying comes just before the drug.
BARE_IN = re.compile(r"\s+in\s+(?:the\s+|patients\s+with\s+)?", re.IGNORECASE)
USE_BEFORE = re.compile(
    r"\b(?:use|used|uses|using|tested|tried|trialed|trialled|studied|gave|give|given|"
    r"prescribe|prescribed|of)\b[^.?!]*$",
    re.IGNORECASE,
)
# Words that, right before a condition said first, make it the target of a drug said after:
# "for sleep, most of the time it's Ambien", "to treat migraine, sumatriptan".
TARGET_BEFORE = re.compile(
    r"\b(?:for|to\s+treat|to\s+prevent|to\s+help(?:\s+with)?|treating|treatment\s+of)"
    r"(?:\s+(?:the|a|an|your|their|his|her|my|some|real|bad|severe|chronic|acute))*\s+$",
    re.IGNORECASE,
)
# "a diabetes drug", "migraine medication": the condition names what the drug is for.
DRUG_AFTER = re.compile(
    r"\s+(?:drugs?|medications?|meds?|medicines?|treatments?|pills?|therapy|therapies)\b",
    re.IGNORECASE,
)
# A contraindication or a harm between the drug and the condition: "I avoid trazodone in anyone
# with a heart rhythm problem", "it can cause headaches".
AVOID = re.compile(
    r"\b(?:avoid|avoiding|not\s+(?:for|in|on|safe)|shouldn't|should\s+not|contraindicat\w*|"
    r"careful|caution|risk|risks|cause|causes|caused|causing|side\s+effects?|interact\w*|"
    r"worsen\w*|trigger\w*|stop|stopped|unless|without)\b",
    re.IGNORECASE,
)
PRONOUN = re.compile(
    r"\b(?:it|this|this drug|this medication|this medicine|the drug|the medication)\b",
    re.IGNORECASE,
)
REACH = 150  # characters between a drug and its condition within one sentence
# When a paragraph says a link several ways, the most particular source is kept (STUDY first);
# a denial or a question only when every saying of it is one.
STRENGTH = (
    Stance.STUDY, Stance.ANECDOTE, Stance.PERSONAL, Stance.PRACTICE, Stance.RECOMMENDATION,
    Stance.GENERAL, Stance.NEGATED, Stance.HYPOTHETICAL,
)  # fmt: skip


def find_indications(
    segments: Sequence[Segment], mentions: Sequence[Mention], *, names: Vocabulary | None = None
) -> list[Indication]:
    """Every indication in the transcript, in paragraph order; `mentions` are the medication
    mentions the extractor found."""
    names = names or vocabulary()
    by_segment: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_segment.setdefault(mention.segment, []).append(mention)
    found: dict[tuple[int, str, str], Indication] = {}
    for index, segment in enumerate(segments):
        here = by_segment.get(index, [])
        around = " ".join(s.text for s in segments[max(0, index - 1) : index + 2])
        conditions = names.find(
            segment.text, around=around, medications=[(m.start, m.end) for m in here]
        )
        if not conditions:
            continue
        # A drug named as part of a condition ("alcohol addiction") is not a drug being used.
        here = [m for m in here if not any(c.start <= m.start < c.end for c in conditions)]
        # Nor is one that is the substance of a condition the paragraph names ("the rewarding
        # experiences of alcohol" beside "alcohol addiction"), when "this" is the drug meant.
        substances = " ".join(condition.name for condition in conditions)
        meant = [m for m in here if m.medication.lower() not in substances]
        referent = _only_drug(meant) or (
            None if meant else _only_drug(by_segment.get(index - 1, []))
        )
        for start, end in sentences(segment.text):
            drugs = [m for m in here if start <= m.start < end]
            inside = [c for c in conditions if start <= c.start < end]
            for medication, condition in _links(segment.text, start, end, drugs, inside, referent):
                said = stance_at(segment.text, start)
                key = (index, medication, condition.name)
                text = segment.text[start:end].strip()
                known = found.get(key)
                if known is None or STRENGTH.index(said) < STRENGTH.index(known.stance):
                    found[key] = Indication(
                        index, medication, condition.name, condition.code, said, text, start
                    )
    return list(found.values())


def dose_purposes(dosages: Sequence[Dosage], found: Sequence[Indication]) -> list[Dosage]:
    """The doses, each with the condition it is for where the paragraph says so: a dose of a
    drug in a paragraph that ties that drug to exactly one condition is for that condition. A
    denied link ("it does not treat pain") gives a dose no purpose, and two or more conditions
    leave the dose without one rather than guess between them."""
    conditions: dict[tuple[int, str], set[str]] = {}
    for indication in found:
        if indication.stance is not Stance.NEGATED:
            key = (indication.segment, indication.medication)
            conditions.setdefault(key, set()).add(indication.condition)
    purposes = []
    for dosage in dosages:
        named = conditions.get((dosage.segment, dosage.medication), set())
        only = next(iter(named)) if len(named) == 1 else None
        purposes.append(replace(dosage, indication=only))
    return purposes


def _only_drug(mentions: Sequence[Mention]) -> str | None:
    names = {mention.medication for mention in mentions}
    return next(iter(names)) if len(names) == 1 else None


def _links(
    text: str,
    start: int,
    end: int,
    drugs: Sequence[Mention],
    conditions: Sequence[ConditionMention],
    referent: str | None,
) -> list[tuple[str, ConditionMention]]:
    """(medication, condition) pairs a cue ties within the sentence text[start:end]."""
    if AVOID.search(text, start, end):
        return []
    # "the treatment of opioid and alcohol addiction ... experiences of alcohol": a drug that is
    # the substance of a condition said beside it is no treatment.
    substances = " ".join(condition.name for condition in conditions)
    drugs = [drug for drug in drugs if drug.medication.lower() not in substances]
    pairs = []
    for condition in conditions:
        named = [drug.medication for drug in drugs if _tied(text, drug.start, drug.end, condition)]
        if not named and not drugs and referent is not None:
            pronoun = PRONOUN.search(text, start, end)
            if pronoun is not None and _tied(text, pronoun.start(), pronoun.end(), condition):
                named = [referent]
        pairs += [(medication, condition) for medication in named]
    return pairs


def _tied(text: str, start: int, end: int, condition: ConditionMention) -> bool:
    """Whether a cue ties the drug said at text[start:end] to the condition."""
    if DRUG_AFTER.match(text, condition.end) and abs(start - condition.end) <= REACH:
        return True
    if end <= condition.start:
        between = text[end : condition.start]
        if BARE_IN.fullmatch(between):  # "a trial tested naltrexone in fibromyalgia"
            return USE_BEFORE.search(text, max(0, start - 40), start) is not None
        return len(between) <= REACH and LINK.search(between) is not None
    if condition.end <= start and start - condition.end <= REACH:
        before = text[max(0, condition.start - 40) : condition.start]
        return TARGET_BEFORE.search(before) is not None
    return False
