"""Finds cautionary advice in transcript text and says what kind it is.

Each clause is tested against cue patterns per kind; the medication it concerns is decided in
`extract`, which follows the drug being talked about.
"""

import re
from dataclasses import dataclass

from ingest.doses import find_amounts
from ingest.records import WarningKind
from ingest.text import clauses

# Effects that, said of a drug, are its side effects whatever the wording.
ADVERSE = (
    r"(?:vivid|technicolou?r|weird|strange|bad) dreams|nightmares|nausea|nauseous|vomiting"
    r"|diarrh?o?ea|constipation|bloating|gi (?:upset|issues|side effects|symptoms)"
    r"|stomach (?:upset|issues)|upset stomach|(?:next[- ]day )?grogg(?:y|iness)|hung ?over"
    r"|hangover|weight gain|hair loss|rash(?:es)?|(?:mouth|canker) (?:ulcers|sores)|mouth sores"
    r"|muscle (?:aches?|cramps|weakness)|myalgias?|dry mouth|palpitations"
    r"|sexual (?:side effects|dysfunction)|low libido|brain zaps|jitter(?:y|iness)|bruising"
    r"|hypoglyc(?:a)?emia|sleepwalking|sleep[- ]?driving|complex sleep behaviou?rs"
    r"|withdrawal|discontinuation syndrome|fishy burps|reflux|heartburn|flushing|brain fog"
    r"|word[- ]finding|tingling|pins and needles|acne|kidney stones|injection site"
)
# Symptoms that may be the illness itself ("he has burning pain"): a side effect only when the
# speaker says the drug brings them.
GENERAL = (
    r"headaches?|insomnia|drows(?:y|iness)|dizz(?:y|iness)|lighthead(?:ed|edness)|fatigue"
    r"|tired(?:ness)?|itch(?:ing|iness)?|ulcers|(?:muscle |joint )?pain|anxiety|agitation"
    r"|irritability|bleeding|swelling|edema|sweating|tremors?|acidosis|memory (?:loss|problems)"
    r"|activat(?:es|ed|ing) (?:them|you|him|her)|wired|foggy|ach(?:e|es|ing|y)"
)
BRINGS = (
    r"side[- ]effects?|complaints?|common|downside|catch|cause[sd]?|causing|gives?|giving|get"
    r"|gets|getting|experience[sd]?|report\w*|notice[sd]?|develop\w*|leads? to|makes? (?:you|them"
    r"|people|some)|feel|felt|say it|risk|start(?:s|ed)? to|too much|classic sign"
)
CUES: dict[WarningKind, re.Pattern[str]] = {
    kind: re.compile(pattern)
    for kind, pattern in {
        WarningKind.STOP_CONDITION: (
            r"\b(?:stop(?:ping|ped)?|discontinu\w*|hold(?:ing)? (?:it|off|them|the \w+|your \w+)"
            r"|pause|come off"
            r"|get off|skip(?:ping)? it|taper\w*|cold turkey|abrupt\w*)\b"
            r"(?=.*\b(?:if|when|during|before|while|until|in case|abrupt\w*|surgery|infection)\b)"
            r"|\b(?:if|when|during|before|while)\b.*\b(?:stop(?:ping)?|discontinu\w*"
            r"|hold(?:ing)? (?:it|off|them|the \w+|your \w+)|pause|come off|get off|skip it)\b"
            r"|\bdon'?t (?:ever )?(?:stop|quit)\b|\bnever (?:stop|quit)\b"
        ),
        WarningKind.INTERACTION: (
            r"\binteract\w*\b|\bserotonin syndrome\b|\bgrapefruit\b|\bblood thinners?\b"
            r"|\b(?:combin\w+|mix\w*)\b.*\bwith\b|\bwith (?:alcohol|a drink|drinking)\b"
            r"|\bdrink\w* (?:alcohol )?(?:on|with) (?:it|this|them)\b|\bon top of\b"
            r"|\btogether with\b|\bmaois?\b|\bwarfarin\b"
        ),
        WarningKind.CONTRAINDICATION: (
            r"\bcontraindicat\w*|\bpregnan\w*|\bbreastfeeding\b|\bnursing mothers?\b"
            r"|\b(?:shouldn'?t|should not|can'?t|cannot|must not|don'?t|do not|never) (?:take|use"
            r"|give|be on|prescribe|put)\b|\bavoid\w*\b|\bnot (?:safe|for (?:people|anyone|patients"
            r"|someone|you))\b|\bstay away\b|\bunsafe\b|\bhard no\b"
            r"|\bwho (?:can'?t|shouldn'?t|should not|cannot) (?:take|use|be on)\b"
        ),
        WarningKind.TIMING: (
            r"\b(?:before|at|near) (?:bed|bedtime|sleep)\b|\bin the (?:morning|evening|afternoon)\b"
            r"|\bat night\b|\bwith (?:food|a meal|meals|breakfast|dinner|lunch)\b"
            r"|\b(?:on )?an empty stomach\b|\bhours? (?:before|after)\b|\bfirst thing in\b"
            r"|\bbefore (?:breakfast|meals|eating)\b|\bafter (?:meals|eating|dinner)\b"
            r"|\bsame (?:day|time)\b|\bat the (?:first )?(?:sign|onset|start)\b"
        ),
        WarningKind.MONITORING: (
            r"\bmonitor\w* (?:for |your |their |the |his |her )?(?:\w+ )?(?:levels?|labs?|blood"
            r"|liver|kidney|thyroid|enzymes?|function|signs?|symptoms)\b"
            r"|\b(?:check|test|measure|track)(?:s|ed|ing)? (?:your |their |his |her |the )?"
            r"(?:\w+ )?(?:levels?|labs?|blood|liver|kidney|thyroid|enzymes?|ck|b12|a1c|function)\b"
            r"|\bblood (?:work|levels?)\b"
            r"|\b(?:levels?|function) (?:checked|tested)\b"
            r"|\bget (?:it|them|that|those) checked\b|\bliver enzymes\b"
            r"|\b(?:we|i|you|they)(?:'ll| will| should| need to| have to| want to)? (?:check"
            r"|test|measure|monitor|track|watch|recheck)(?:s|ed|ing)?\b"
        ),
    }.items()
}
# Advice on when to take a drug says so: "take it in the morning", not "light in the morning".
TAKING = re.compile(
    r"\b(?:take|takes|taking|took|dose|dosing|dosed|use it|have it|swallow|inject\w*|shots?"
    r"|do (?:it|them)|apply)\b",
    re.I,
)
# A side effect may be named in the clause after the one that announces it ("The main
# complaint. GI upset, diarrhea.").
ANNOUNCES = re.compile(r"\b(?:side[- ]effects?|complaints?|downside|the catch)\b")
ADVERSE_EFFECT = re.compile(r"\b(?:" + ADVERSE + r")\b")
GENERAL_SYMPTOM = re.compile(r"\b(?:" + GENERAL + r")\b")
BRINGS_ABOUT = re.compile(r"\b(?:" + BRINGS + r")\b")
# ConText-style triggers (the NegEx family that medspaCy's ConText ships as rules), applied to
# the clause they occur in: a caution negated, or said not to matter, is no warning.
NEGATED = re.compile(
    r"\b(?:no|zero|without|doesn'?t (?:have|cause|give)|don'?t (?:see|get)|didn'?t)\b"
    r"[^.]{0,25}\b(?:side[- ]effects?|problems?)\b"
    # Fewer of them is a reassurance: "less dependent on the enzymes that cause interactions".
    r"|\b(?:less|fewer)\b[^.]{0,60}\binteractions?\b"
    r"|\b(?:doesn'?t|does not|don'?t|do not) (?:really |actually )?matter\b"
    r"|\bno (?:real |big )?difference\b|\bdoes nothing\b"
)
# "full stop" ends a sentence, and "stop climbing" or "stop eating" another act: neither stops
# the drug.
NOT_STOPPING = re.compile(
    r"\bfull stop\b|\bstop (?:going up|there)\b|\bstop (?!taking|using)\w+ing\b"
)
# "the symptoms, the low libido, the fatigue": the illness's symptoms, not the drug's effects.
SYMPTOMS_OF_ILLNESS = re.compile(r"\b(?:the|his|her|their|your) symptoms\b|\bsymptoms of\b")
REGIMEN_REACH = 20  # characters from a dose to the time of day that belongs to it
# One caution per clause, of its most specific kind: "don't combine it with alcohol" is an
# interaction before it is a contraindication; "stop it if you get dark urine" a stop condition
# before a side effect.
SPECIFICITY = (
    WarningKind.INTERACTION,
    WarningKind.CONTRAINDICATION,
    WarningKind.STOP_CONDITION,
    WarningKind.MONITORING,
    WarningKind.SIDE_EFFECT,
    WarningKind.TIMING,
)


@dataclass(frozen=True, slots=True)
class Caution:
    start: int
    end: int
    text: str
    kind: WarningKind


def _regimen(lowered: str) -> bool:
    """Whether the time of day is part of a dose said just before it: "ten milligrams at
    night" states a regimen, where "take it at night" is advice on timing."""
    timing = CUES[WarningKind.TIMING].search(lowered)
    return timing is not None and any(
        amount.unit and 0 <= timing.start() - amount.end <= REGIMEN_REACH
        for amount in find_amounts(lowered)
    )


def find_warnings(text: str) -> list[Caution]:
    """At most one caution per clause, of its most specific kind, in order. A question ("What
    about grapefruit?") or a negated caution is none."""
    found = []
    announced = False
    for start, end in clauses(text):
        clause = text[start:end].strip()
        # Patterns are written in lower case and matched on lower case: case-insensitive
        # matching costs the regex engine two to three times as much.
        lowered = clause.lower()
        if len(clause) < 8 or NEGATED.search(lowered) or clause.endswith("?"):
            announced = False
            continue
        kinds = {kind for kind, cue in CUES.items() if cue.search(lowered)}
        if WarningKind.TIMING in kinds and (not TAKING.search(lowered) or _regimen(lowered)):
            kinds.discard(WarningKind.TIMING)
        if WarningKind.STOP_CONDITION in kinds and NOT_STOPPING.search(lowered):
            kinds.discard(WarningKind.STOP_CONDITION)
        general = GENERAL_SYMPTOM.search(lowered) is not None
        brings = BRINGS_ABOUT.search(lowered) is not None
        illness = SYMPTOMS_OF_ILLNESS.search(lowered) is not None and not brings
        if (ADVERSE_EFFECT.search(lowered) or (general and (announced or brings))) and not illness:
            kinds.add(WarningKind.SIDE_EFFECT)
        announced = bool(ANNOUNCES.search(lowered))
        kind = next((kind for kind in SPECIFICITY if kind in kinds), None)
        if kind is not None:
            found.append(Caution(start, end, clause, kind))
    return found
