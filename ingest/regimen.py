"""The role a dose plays in a regimen, where the speech gives it one: where people start, a
step up or down, the ceiling, the usual dose, or what a study used.

Read from cue phrases around the amount in its sentence, the words attached to the dose first
("10 milligrams is my usual starting dose", "fifty, which is where most people stay"), then
the nearest cue before it ("I start at", "then go up to", "no more than"), then a phase that
a later dose follows ("for about three months and then recheck"). A dose with no cue is the
usual dose when it is said as advice, practice or a plain fact, and has no role when it is
someone's own use, a story, a denial or a question. A study's dose is the study's.
"""

import re
from dataclasses import dataclass

from ingest.records import Regimen, Stance
from ingest.text import sentences

STARTING = (
    r"start(?:s|ed|ing)?(?:\s+(?:\w+\s+){0,2}?(?:at|on|with|around|out)\b|\s+(?:them|him|her|"
    r"you|people|patients)\s+(?:at|on)\b)|(?:usual\s+|typical\s+)?starting\s+dose|"
    r"initial(?:ly)?(?:\s+dose)?|to\s+begin\s+with|begin\s+(?:at|with)|first\s+dose|"
    r"loading(?:\s+(?:phase|dose))?|load(?:\s+(?:it|up))?\s+(?:at|with)|"
    r"trial(?:led|ed)?\s+(?:him|her|them|you|people|patients)\s+on"
)
TITRATION = (
    r"(?:go|goes|went|going|move|moved|bump|bumped|work|worked|titrate|titrated|step|stepped)"
    r"(?:\s+(?:on|it|him|her|them|his\s+dose|the\s+dose))?\s+(?:up|down)(?:\s+\w+)?\s+to|"
    r"(?:go|goes|went|going)\s+to|(?:increase|increased|raise|raised|titrate|titrated|"
    r"drop|dropped|reduce|reduced|cut|lower|lowered|taper|tapered|wean|weaned)"
    r"(?:\s+(?:it|him|her|them|you|the\s+dose))?(?:\s+down)?\s+to|"
    r"near\s+the\s+end|at\s+the\s+(?:very\s+)?end|then|"
    r"if\s+(?:that|it|this)(?:'s|\s+is)?\s+not\s+(?:doing|working|enough)|"
    r"if\s+(?:that|it|this)\s+(?:doesn't|does\s+not)\s+(?:work|help|do)"
)
MAXIMUM = (
    r"no\s+more\s+than|at\s+(?:the\s+)?most|max(?:imum)?(?:\s+dose)?(?:\s+(?:is|of))?|"
    r"(?:don't|do\s+not|never)\s+(?:go\s+(?:above|over|past)|exceed)|ceiling|tops?\s+out\s+at|"
    r"up\s+to"
)
STANDARD = (
    r"(?:the|your|a)\s+(?:usual\s+|typical\s+|standard\s+|normal\s+)?dose\s+(?:is|was)|"
    r"typical(?:ly)?|standard(?:\s+dose)?|usual\s+dose|maintenance|"
    r"end(?:s)?\s+up(?:\s+somewhere)?\s+(?:at|around|on)|"
    r"(?:most|a\s+lot\s+of|many)\s+(?:\w+\s+){0,5}?(?:stay|land|are\s+doing|are\s+on)|"
    r"somewhere\s+around|target(?:\s+dose)?(?:\s+is)?"
)
# Words that make an amount a product's strength, which plays no role: "compounded at 4.5".
STRENGTH = re.compile(
    r"\b(?:compounded\s+(?:at|to|in)|comes?\s+(?:in|as)|capsules?\s+(?:of|are|is)|"
    r"tablets?\s+(?:of|are|is)|strength\s+of)\s*$",
    re.IGNORECASE,
)
STRENGTH_REACH = 30

BEFORE = [
    (Regimen.STARTING, STARTING),
    (Regimen.TITRATION, TITRATION),
    (Regimen.MAXIMUM, MAXIMUM),
    (Regimen.STANDARD, STANDARD),
]
CUES = re.compile(
    "|".join(rf"(?P<{role.value}>\b(?:{pattern})\b)" for role, pattern in BEFORE),
    re.IGNORECASE,
)
# Words right after an amount that name its role: "is my usual starting dose", "to start",
# "which is where most people stay", "and a lot of people do fine lower than that".
ATTACHED = [
    (Regimen.STARTING, r"(?:is\s+)?(?:my|the|a|your)\s+(?:usual\s+|typical\s+)?starting\s+dose|"
     r"to\s+(?:start|begin)(?:\s+with)?|for\s+the\s+first\s+(?:week|few\s+days|month|dose)"),
    (Regimen.MAXIMUM, r"(?:is\s+)?(?:the\s+)?(?:max(?:imum)?|ceiling|most\s+(?:I|we|you)\s+"
     r"(?:give|go|use))|(?:and\s+)?(?:a\s+lot\s+of|most|many)\s+(?:people|patients|folks)\s+"
     r"(?:do\s+fine|stay|stop)\s+(?:lower|below|under)"),
    (Regimen.STANDARD, r"(?:which\s+is\s+)?where\s+(?:a\s+lot\s+of|most|many)\s+(?:people|"
     r"patients|folks)\s+(?:stay|end\s+up|land)|for\s+maintenance|(?:is|are)\s+(?:plenty|"
     r"enough|the\s+(?:usual|typical|standard)\s+dose)"),
]  # fmt: skip
AFTER = re.compile(
    "|".join(rf"(?P<{role.value}>{pattern})" for role, pattern in ATTACHED), re.IGNORECASE
)
ATTACHED_REACH = 45  # characters after an amount within which its own words begin
# A phase of a stated length that another step follows: a starting, loading or repletion dose.
PHASE_THEN = re.compile(
    r"^[^.?!]{0,40}?\bfor\s+(?:about\s+|around\s+|a\s+couple\s+of\s+|a\s+few\s+|the\s+first\s+)?"
    r"(?:\w+\s+)?(?:days?|weeks?|months?)\b[^?!]{0,20}?\bthen\b(?!\s+stop)",
    re.IGNORECASE,
)
# A number said between a starting cue and the amount makes the amount a later step: "I start
# at 25 and, if that's not enough, fifty".
NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
    r"hundred|half)\b",
    re.IGNORECASE,
)
# Stances whose doses are the usual dose unless said otherwise.
USUAL = (Stance.PRACTICE, Stance.RECOMMENDATION, Stance.GENERAL)


@dataclass(frozen=True, slots=True)
class _Cue:
    role: Regimen
    start: int
    end: int


def regimen_at(text: str, start: int, end: int, stance: Stance) -> Regimen | None:
    """The role of a dose said at text[start:end] of a paragraph, with this stance; None where
    the speech gives it none."""
    if stance is Stance.STUDY:
        return Regimen.STUDY
    if STRENGTH.search(text, max(0, start - STRENGTH_REACH), start):
        return None
    attached = AFTER.match(text, _after_amount(text, end))
    if attached is not None and attached.lastgroup is not None:
        if attached.start() - end <= ATTACHED_REACH:
            return Regimen(attached.lastgroup)
    sentence = _sentence_start(text, start)
    cue = _nearest(text, sentence, start)
    if cue is not None:
        later_step = cue.role is Regimen.STARTING and NUMBER.search(text, cue.end, start)
        return Regimen.TITRATION if later_step else cue.role
    if PHASE_THEN.search(text[end:]):
        return Regimen.STARTING
    return Regimen.STANDARD if stance in USUAL else None


def _after_amount(text: str, end: int) -> int:
    """Where the words after an amount begin, past its frequency and filler: "10 milligrams
    a day, which is where..." reads from "which"."""
    rest = re.match(r"[\s,]*(?:(?:a|per|each|every|once|twice)\s+\w+[\s,]*|um[\s,]*|uh[\s,]*)*",
                    text[end:])  # fmt: skip
    return end + (rest.end() if rest else 0)


def _sentence_start(text: str, offset: int) -> int:
    for start, stop in sentences(text):
        if start <= offset < stop:
            return start
    return 0


def _nearest(text: str, start: int, offset: int) -> _Cue | None:
    """The cue that ends nearest before `offset` in text[start:offset]; of two ending at one
    place, the longer."""
    found: _Cue | None = None
    for match in CUES.finditer(text, start, offset):
        if match.lastgroup is None:
            continue
        cue = _Cue(Regimen(match.lastgroup), match.start(), match.end())
        if found is None or (cue.end, -cue.start) > (found.end, -found.start):
            found = cue
    return found
