"""How a claim was said: advice, a clinician's practice, the speaker's own use, a story, a
study's result, a plain fact, a denial or a question.

Read from the words of the sentence that holds the claim, by cue phrases, in an order that
gives the most particular source first: a sentence that says "in the trial they gave 50 mg"
is a study's result even though it also says what was given. Cue lists follow the classes of
medspaCy's ConText rules (negated, hypothetical, historical, about someone else) and the
way clinicians speak on podcasts; none is written for one sentence.
"""

import re
from functools import lru_cache

from ingest.records import Stance
from ingest.text import sentences

# A denial of the claim itself; "don't go above", "no more than" are limits, said as advice.
NEGATED = re.compile(
    r"\b(?:not|never|doesn't|don't|didn't|isn't|aren't|wasn't|won't|wouldn't)"
    r"(?: really| actually| always| necessarily)? (?:help|helps|helped|work|works|worked|treat|"
    r"treats|treating|cure|cures|recommend|prescribe|effective|indicated|approved|"
    r"the (?:fix|answer|solution))\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\?|\b(?:what if|I wonder|wondering|would it|could it|could that|might it|whether|"
    r"is it possible|we don't know (?:yet|if)|hasn't been (?:studied|tested)|"
    r"(?:plan|planning|hope|hoping|want|going) to (?:study|test|run a trial|do a trial))\b",
    re.IGNORECASE,
)
STUDY = re.compile(
    r"\b(?:stud(?:y|ies|ied)|trials?(?! (?:him|her|them|it|someone|somebody)\b)|randomi[sz]ed|"
    r"placebo|participants|subjects|cohort|meta-analys[ie]s|paper|papers|published|"
    r"researchers|evidence|(?:been |was |were )?shown to|found that|"
    r"the data (?:show|showed|suggest)|literature|associated with|examined|explored|"
    r"dose[- ]dependent|people who (?:took|were given|received)|"
    r"in (?:rats|mice|rodents|animals|animal models)|the rat|data|turns out|"
    r"(?:we|they)(?:'ve| have)? (?:found|looked at|measured))\b",
    re.IGNORECASE,
)
ANECDOTE = re.compile(
    # One particular person: "this patient", "I had a guy", "a woman came in", not "if you're a
    # woman who's pregnant".
    r"\b(?:(?:one|this|that|my|another|I had a|I saw a|I've got a|there was a) (?:patient|"
    r"client|guy|gentleman|woman|man|lady|friend|colleague|athlete)|"
    r"a (?:patient|client|guy|gentleman|woman|man|lady) (?:of mine|came|who came|I saw)|"
    r"patient of mine|(?:he|she) (?:was|had|took|came|started|got|"
    r"went|tried|said|needed|ended up|goes|comes|says|takes|tells|starts|gets|is having)|"
    r"(?:his|her) (?:doctor|dose|pain|symptoms)|"
    r"(?:put|trial|start|started|bump|bumped|take|took|move|moved) (?:him|her) (?:on|up|off|to)"
    r")\b",
    re.IGNORECASE,
)
PERSONAL = re.compile(
    r"\bI(?:'ve|'ll|'d| have| will| would)?(?: personally| myself| also| usually| typically|"
    r" just| still| actually| always| often| generally| sometimes| tend to| like to| used to)*"
    r" (?:take|took|taking|been taking|swear by|supplement with|been using|been supplementing)\b"
    # "I don't go past about 100 milligrams", "for myself, I notice", "my experience with".
    r"|\bI (?:don't|never) (?:go|take) (?:past|above|over|beyond|more than)\b"
    r"|\b(?:for myself|I use \w+ myself|my (?:own )?experience|"
    r"(?:enough|plenty|too much|works|worked|right) for me)\b"
    # A clinician "uses" a drug on patients; one's own use says so.
    r"|\bI(?:'ve| have)?(?: personally| myself)+ (?:use|used|been using)\b"
    r"|\bI'm (?:on|taking|using)\b|\bmy (?:own )?(?:dose|stack|protocol|routine)\b",
    re.IGNORECASE,
)
# The clinician's own doing: I or we, perhaps "'ll usually", and a verb of prescribing.
PRACTICE = re.compile(
    r"\b(?:I|we)(?:'ll|'d| will| would| usually| typically| often| generally| always|"
    r" normally| tend to| routinely| sometimes| then| might| just| actually| also| really|"
    r" still)*"
    r" (?:prescribe|give|start|dose|do|titrate|taper|bump|move|go|increase|drop|add|"
    r"switch|cross|check|monitor|order|use|have (?:them|people|patients|him|her)|avoid|"
    r"stop|hold|shave|cut|keep|reach for|prefer|"
    # Not "I put up a post" or "we'll put a link": putting a patient on a drug.
    r"put (?:him|her|them|people|patients|someone|somebody|everyone)(?: \w+)? on)\b"
    r"|\b(?:my|our) (?:patients|clinic|practice|usual|go-to|default)\b"
    r"|\bin (?:my|our) (?:clinic|practice)\b",
    re.IGNORECASE,
)
RECOMMENDATION = re.compile(
    r"\byou (?:should|shouldn't|want to|need to|must|have to|'ll want|might want)\b"
    r"|\b(?:I|we|he|she|they) (?:'d |would )?(?:recommend|suggest|advise)[sd]?(?:ed)?\b"
    # "most people do quite well to ingest", "one way to prevent it is to take".
    r"|\bmost people (?:do|will do) (?:quite |very |really )?(?:well|fine|best)\b"
    r"|\bfor most people\b|\bis to take\b"
    # "you can also do something like 500 milligrams", "the recommendation is".
    r"|\b(?:the|a|my|our|his|her|their|general) recommendations? (?:is|was|are|were|that)\b"
    r"|\b(?:I|we) (?:always )?tell (?:them|people|patients|everyone|you|every)\b"
    r"|\b(?:I|we)(?:'ll| will)? (?:say|said) (?:is |to them |to people )?(?:take|start|stop|use)\b"
    # An instruction after a condition: "if you're dehydrated, ..., stop it".
    r"|\bif you\b[^.?!]{0,160}?,\s*(?:then\s+)?(?:stop|take|start|hold|avoid|call|skip|cut|"
    r"drop|switch|don't|do not)\b"
    r"|\byou (?:stop|take|hold|avoid|start|skip|keep|don't|do not|never|call)\b"
    # "you can also do something like 500 milligrams", "you could just take a capsule".
    # A bare "you can take it for an attack" tells how a drug is used, not what to do.
    r"|\byou (?:could(?: also| just| even| then| still)?|can (?:also|just|even|still)) "
    r"(?:take|do|use|try|add|increase|go up|start|get away with)\b"
    r"|\bnever (?:combine|take|mix|use|stop)\b"
    r"|\b(?:make sure|be careful|don't exceed|never exceed|no more than|don't go above)\b"
    r"|^\s*(?:so |and |but |then )?(?:take|start|use|avoid|keep|stay|try|stop|don't|do not)\b",
    re.IGNORECASE,
)
# The most particular source first; a question or a denial outranks everything.
ORDER = (
    (Stance.NEGATED, NEGATED),
    (Stance.HYPOTHETICAL, HYPOTHETICAL),
    # The speaker's own use, said in the first person, outranks the study talk around it.
    (Stance.PERSONAL, PERSONAL),
    (Stance.STUDY, STUDY),
    (Stance.ANECDOTE, ANECDOTE),
    (Stance.PRACTICE, PRACTICE),
    (Stance.RECOMMENDATION, RECOMMENDATION),
)


# A question asking for advice: its answer, with no cue of its own, is the advice.
ASKED_ADVICE = re.compile(
    r"\b(?:do|would|will|should) (?:you|people|I|we)\b[^?]*"
    r"\b(?:recommend|suggest|advise|tell people)\b[^?]*\?",
    re.IGNORECASE,
)


def stance(sentence: str) -> Stance:
    """The stance of a claim said in `sentence`; GENERAL when no cue says otherwise."""
    for kind, cue in ORDER:
        if cue.search(sentence):
            return kind
    return Stance.GENERAL


# A study, a story or a practice goes on into the sentence after the one that says so: "Most
# of the small trials used 250 mg. A few went up to a gram a day." "I start at 25. Typically 50
# to 100 milligrams." A story goes on to its end.
CARRIED = (Stance.STUDY, Stance.ANECDOTE, Stance.PRACTICE)
STORIES = (Stance.ANECDOTE,)
CLAUSE_BEFORE = 150
CLAUSE_AFTER = 150


def stance_at(text: str, offset: int) -> Stance:
    """The stance of a claim at `offset` of a paragraph: that of the words around it in its
    sentence, or, where they say nothing of their own, the story, study or practice the
    sentences before it tell; within a story, what the clinician did ("I go up to nine") is
    still the story. Unpunctuated speech runs on for a paragraph, so only CLAUSE_BEFORE
    characters before the claim and CLAUSE_AFTER after it are read."""
    spans, states = _told(text)
    for (start, end), (before, asked) in zip(spans, states, strict=True):
        if start <= offset < end:
            return _in_context(stance(_around(text, start, end, offset)), before, asked)
    return stance(_around(text, 0, len(text), offset))


# Every claim of a paragraph reads the same sentences before it: they are read once.
PARAGRAPHS_KEPT = 64


@lru_cache(maxsize=PARAGRAPHS_KEPT)
def _told(text: str) -> tuple[list[tuple[int, int]], list[tuple[Stance, bool]]]:
    """The sentences of `text`, and for each what the sentences before it leave a claim in it:
    the stance they carry into it, and whether the one before asked for advice."""
    spans = sentences(text)
    states = []
    before, asked = Stance.GENERAL, False
    for start, end in spans:
        states.append((before, asked))
        own = stance(_around(text, start, end, end))
        here = _in_context(own, before, asked)
        # A story goes on; a study or a practice colours only the sentence after it.
        before = here if here in STORIES else own
        asked = ASKED_ADVICE.search(text, start, end) is not None
    return spans, states


def _in_context(own: Stance, before: Stance, asked: bool) -> Stance:
    """A sentence's stance given what the sentences before it carry into it."""
    if own is Stance.GENERAL and before in CARRIED:
        return before
    if own is Stance.GENERAL and asked:
        return Stance.RECOMMENDATION
    if own is Stance.PRACTICE and before is Stance.ANECDOTE:
        return before
    return own


def _around(text: str, start: int, end: int, offset: int) -> str:
    """The words of the sentence text[start:end] near `offset`; cut short, it does not begin
    the sentence, so no imperative is read at its head."""
    first = max(start, offset - CLAUSE_BEFORE)
    near = text[first : min(end, offset + CLAUSE_AFTER)]
    return near if first == start else f"... {near}"


def stance_after(before: str, text: str, offset: int) -> Stance:
    """`stance_at` for a claim at `offset` of the paragraph `text`, read on from the paragraph
    `before` it: captions cut paragraphs by the clock, mid-sentence, so the words that open a
    claim's sentence, or the study the sentence before it tells, may end the paragraph
    before ("there's actually data going up as | high as 10 milligrams per kilogram")."""
    if not before:
        return stance_at(text, offset)
    return stance_at(f"{before} {text}", len(before) + 1 + offset)
