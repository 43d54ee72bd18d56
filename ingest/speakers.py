"""Who is speaking: speaker labels in a transcript's text, as captioners write them.

Captioners mark a change of speaker with the name in capitals and a colon ("ANDREW HUBERMAN:
Welcome ..."), anywhere in a paragraph; some transcripts start a paragraph with the name as
written ("Peter Attia: ..."). A paragraph with no label at its start goes on with whoever was
speaking at the end of the one before. A transcript with no labels has no speakers: none is
ever guessed.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Two to four words in capitals and a colon, not inside a word: "KYLE GILLETT:".
SHOUTED = re.compile(r"(?<![\w'’-])([A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+){1,3}):(?=\s|$)")
# At a paragraph's start only, a name as written: "Peter Attia:", "Dr. Layne Norton:".
WRITTEN = re.compile(r"^((?:Dr\. )?[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2}):\s")
RECURRING = 2  # times a name must label a turn before it is taken for a speaker
NAME_PARTICLES = {"de", "van", "von", "da", "di", "la", "le", "del", "der"}


@dataclass(frozen=True, slots=True)
class Turn:
    start: int  # character offset in the paragraph's text where the speaker starts
    speaker: str


def name(label: str) -> str:
    """A label as a name: "ANDREW HUBERMAN" -> "Andrew Huberman", "MARIA DE SOUZA" -> "Maria de
    Souza"."""
    if not label.isupper():
        return label
    words = [word.lower() for word in label.split()]
    return " ".join(
        word if index and word in NAME_PARTICLES else word.capitalize()
        for index, word in enumerate(words)
    )


def labels(text: str) -> list[tuple[int, Turn]]:
    """Each label in `text`, in order: where the label starts, and the turn it starts (just
    after the label)."""
    found = [
        (match.start(), Turn(match.end(), name(match.group(1)))) for match in SHOUTED.finditer(text)
    ]
    written = WRITTEN.match(text)
    if written is not None:
        found.append((0, Turn(written.end() - 1, name(written.group(1)))))
    return sorted(found, key=lambda labelled: labelled[0])


def turns(
    texts: Sequence[str], voices: Sequence[Sequence[tuple[int, str]]] = ()
) -> list[tuple[Turn, ...]]:
    """Each paragraph's turns: a paragraph that does not open with a label starts with the
    speaker the paragraph before ended with. A name labels turns only where it does so at
    least twice in the transcript ("New York: it was cold" once is no speaker). With no labels
    anywhere, every paragraph has none. Where the source names its speakers (`voices`, per
    paragraph: WebVTT's <v Name>), those are the turns, and labels in the words are not read."""
    if any(voices):
        return voiced(voices)
    every = [labels(text) for text in texts]
    times = Counter(turn.speaker for found in every for _, turn in found)
    found: list[tuple[Turn, ...]] = []
    speaker: str | None = None
    for text, all_labels in zip(texts, every, strict=True):
        labelled = [(at, turn) for at, turn in all_labels if times[turn.speaker] >= RECURRING]
        opening = labelled[0][0] if labelled else len(text)
        here = [turn for _, turn in labelled]
        if here and not text[:opening].strip():
            # The label opens the paragraph: a sentence starting at 0, label and all, is its.
            here[0] = Turn(0, here[0].speaker)
        elif speaker is not None and text[:opening].strip():
            here.insert(0, Turn(0, speaker))
        if here:
            speaker = here[-1].speaker
        found.append(tuple(here))
    return found


def voiced(voices: Sequence[Sequence[tuple[int, str]]]) -> list[tuple[Turn, ...]]:
    """Each paragraph's turns from the speakers its source names, as (offset, name): a
    paragraph that does not open with one goes on with the speaker the one before ended with."""
    found: list[tuple[Turn, ...]] = []
    speaker: str | None = None
    for given in voices:
        here = [Turn(start, who) for start, who in given]
        if speaker is not None and (not here or here[0].start > 0):
            here.insert(0, Turn(0, speaker))
        if here:
            speaker = here[-1].speaker
        found.append(tuple(here))
    return found


def speaker_at(paragraph: Sequence[Turn], offset: int) -> str | None:
    """Who is speaking at `offset` of a paragraph with these turns; None when no one is known."""
    speaking = None
    for turn in paragraph:
        if turn.start > offset:
            break
        speaking = turn.speaker
    return speaking
