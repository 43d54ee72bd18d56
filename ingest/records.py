"""Typed records passed from parsing to extraction to storage."""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class MatchedBy(StrEnum):
    """How a medication name in the text was resolved to a canonical drug."""

    EXACT = "EXACT"  # the vocabulary's own name for the drug
    ALIAS = "ALIAS"  # a brand, abbreviation or synonym
    FUZZY = "FUZZY"  # a close misspelling, accepted on its own strength
    CONTEXT = "CONTEXT"  # a looser misspelling of a drug the episode names elsewhere


class WarningKind(StrEnum):
    SIDE_EFFECT = "SIDE_EFFECT"
    STOP_CONDITION = "STOP_CONDITION"
    CONTRAINDICATION = "CONTRAINDICATION"
    INTERACTION = "INTERACTION"
    TIMING = "TIMING"
    MONITORING = "MONITORING"


class Stance(StrEnum):
    """How a claim was said (see ingest/stance.py)."""

    RECOMMENDATION = "RECOMMENDATION"  # advice: "you should", "we tell them to"
    PRACTICE = "PRACTICE"  # what the clinician does: "I give it in 4.5 mg"
    PERSONAL = "PERSONAL"  # the speaker's own use: "I take"
    ANECDOTE = "ANECDOTE"  # a patient's or person's story
    STUDY = "STUDY"  # a trial's or paper's result
    GENERAL = "GENERAL"  # a stated fact
    NEGATED = "NEGATED"  # denied: "it does not treat"
    HYPOTHETICAL = "HYPOTHETICAL"  # a question, a maybe, a proposed trial


class Regimen(StrEnum):
    """The role a dose plays, where the speech gives it one (see ingest/regimen.py)."""

    STANDARD = "STANDARD"  # the usual or ongoing dose: "the dose is", "where most people stay"
    STARTING = "STARTING"  # where people start, or a loading phase: "I start at"
    TITRATION = "TITRATION"  # a later step up or down: "then go up to", "drop to"
    MAXIMUM = "MAXIMUM"  # a ceiling: "no more than"
    STUDY = "STUDY"  # what a study or trial used


@dataclass(frozen=True, slots=True)
class Segment:
    """One timestamped paragraph of the transcript."""

    seconds: int
    text: str
    line: int  # 1-based line of the document, for error messages
    # Where a speaker the source names starts, as (character offset, name): WebVTT voice
    # spans. Empty where the source marks speakers in the words, or not at all.
    voices: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """One line of the AI summary, with its section heading and claimed timestamp."""

    section: str
    text: str
    seconds: int | None


@dataclass(frozen=True, slots=True)
class EpisodeMeta:
    """What is known of an episode besides its words: a markdown document's header, a caption
    file's sidecar, a feed's item. The one record of it from parsing to storage."""

    title: str
    channel: str | None
    upload_date: date | None
    url: str | None
    duration_seconds: int | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed episode document."""

    meta: EpisodeMeta
    summary: tuple[SummaryItem, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    segment: int  # index into Document.segments
    start: int  # character offsets in the segment's text
    end: int
    text: str
    medication: str  # canonical name
    confidence: float
    matched_by: MatchedBy


@dataclass(frozen=True, slots=True)
class Dosage:
    segment: int
    start: int
    end: int
    text: str
    medication: str
    value: float
    unit: str
    max_value: float | None = None
    frequency: str | None = None
    per_day: float | None = None
    stance: Stance = Stance.GENERAL
    speaker: str | None = None  # who says it, where the transcript labels speakers
    sponsored: bool = False  # said in a sponsor read
    indication: str | None = None  # the condition it is said to be for (canonical name)
    regimen: Regimen | None = None  # its role, where said


@dataclass(frozen=True, slots=True)
class Warning:
    segment: int
    text: str
    medication: str
    kind: WarningKind
    stance: Stance = Stance.GENERAL
    start: int = 0  # character offset of the clause in the segment's text
    speaker: str | None = None
    sponsored: bool = False


@dataclass(frozen=True, slots=True)
class Indication:
    """A medication said to be used for, help, or be tried in a condition."""

    segment: int
    medication: str
    condition: str  # canonical name (ingest/data/conditions.toml)
    code: str | None  # ICD-10-CM
    stance: Stance
    text: str  # the clause that ties the two
    start: int = 0  # character offset of the clause in the segment's text
    speaker: str | None = None
    sponsored: bool = False


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition some indication names: its canonical name, ICD-10-CM code, and the lay and
    clinical terms that name it (ingest/data/conditions.toml)."""

    name: str
    code: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """A notable quote from the summary, grounded in the segment where its words are said."""

    text: str
    claimed_seconds: int | None
    segment: int | None
    score: float


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    """A line of the AI summary, linked to the segment that supports it (None: unsupported)."""

    section: str
    text: str
    claimed_seconds: int | None
    segment: int | None
    score: float


@dataclass(frozen=True, slots=True)
class Medication:
    name: str
    aliases: tuple[str, ...]  # names from the vocabulary: brands, abbreviations, synonyms
    heard: tuple[str, ...] = ()  # other spellings the transcript used ("nalrexone")


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one document, ready to store."""

    document: Document
    medications: dict[str, Medication] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    dosages: list[Dosage] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    indications: list[Indication] = field(default_factory=list)
    conditions: dict[str, Condition] = field(default_factory=dict)  # those the indications name
    quotes: list[Quote] = field(default_factory=list)
    summary: list[SummaryPoint] = field(default_factory=list)
    # Per segment of the document: who is speaking as it starts, and whether it is (part of)
    # a sponsor read.
    speakers: list[str | None] = field(default_factory=list)
    sponsored: list[bool] = field(default_factory=list)
    dropped: int = 0  # claims left out because an error occurred while extracting them
