"""The output shapes, each written once: a claim, the moment it was said, an episode's record.

REST rows, CSV and NDJSON lines, the CLI's export and tables, the FHIR and chapters exports
and the GraphQL types all build from these; the OpenAPI document reads its schemas from the
TypedDicts, so a column added here is documented where it is served.
"""

import csv
import json
import types
from collections.abc import Iterable, Mapping
from datetime import date
from typing import IO, Any, Literal, NotRequired, TypedDict, Union, cast, get_args, get_origin
from typing import get_type_hints as hints

from sqlalchemy import Row

from api.links import deep_link, format_timestamp
from api.types.node import to_global_id
from api.writes import FeedSynced
from db import across, feeds, models, queries
from db.search import Hit


class Said(TypedDict):
    """Where and when something was said, and the link that opens the video there."""

    episode_id: str
    episode_title: str
    seconds: int
    timestamp: str
    link: str | None


class SaidBy(TypedDict):
    """How a claim was said (a Stance's name; null if stored before stances were), who said
    it, where the transcript labels speakers, and whether in a sponsor read."""

    stance: str | None
    speaker: str | None
    sponsored: bool


class Purpose(TypedDict):
    """The condition a dose is said to be for, and its ICD-10-CM code; null where the speech
    does not say."""

    indication: str | None
    indication_code: str | None


class Role(TypedDict):
    """The role a dose plays in its regimen (a Regimen's name: STANDARD, STARTING, TITRATION,
    MAXIMUM, STUDY); null where the speech gives it none."""

    regimen: str | None


class DosageRow(Said, SaidBy, Purpose, Role):
    kind: Literal["dosage"]
    medication: str
    value: float
    max_value: float | None
    unit: str
    frequency: str | None
    per_day: float | None
    text: str


class WarningRow(Said, SaidBy):
    kind: Literal["warning"]
    medication: str
    warning_kind: str
    text: str


class IndicationRow(Said, SaidBy):
    kind: Literal["indication"]
    medication: str
    condition: str
    condition_code: str | None  # ICD-10-CM
    text: str


class AcrossFields(TypedDict):
    """What the episodes say of a medication for one condition: the typical (median) dose of
    those advised, given or studied, their spread in its unit, and how many episodes and named
    speakers tie the two."""

    unit: str | None
    typical_dose: float | None
    min_dose: float | None
    max_dose: float | None
    doses: int
    episodes: int
    speakers: int


class AcrossRow(Purpose, AcrossFields):
    medication: str


class DisagreementRow(TypedDict):
    """Two claims from different episodes about one medication and condition that disagree:
    DOSE (doses more than twice apart, `a` the lower) or NEGATED (`b` denies the use `a`
    claims)."""

    medication: str
    reason: str
    indication: str
    indication_code: str | None
    a: DosageRow | IndicationRow
    b: DosageRow | IndicationRow


class ConditionRow(TypedDict):
    id: str
    name: str
    code: str | None  # ICD-10-CM
    aliases: list[str]


class EpisodeFields(TypedDict):
    """What describes an episode wherever it is listed: GraphQL's Episode and the REST row."""

    title: str
    channel: str | None
    upload_date: date | None
    url: str | None
    duration_seconds: int | None


class EpisodeRow(TypedDict):
    id: str
    title: str
    channel: str | None
    upload_date: str | None  # ISO 8601
    url: str | None
    duration_seconds: int | None


class MedicationStatsRow(TypedDict):
    id: str
    name: str
    episodes: int
    mentions: int
    dosages: int
    unit: str | None
    min_dose: float | None
    median_dose: float | None
    max_dose: float | None


class MedicationRow(TypedDict):
    id: str
    name: str
    aliases: list[str]
    dosages: str  # the URL of its dosages


class SearchRow(Said):
    score: float
    snippet: str


class SegmentRow(Said):
    text: str


class QuoteRow(TypedDict):
    """A summary's quote; the moment's fields only where its words were found."""

    text: str
    claimed_seconds: int | None
    seconds: int | None
    episode_id: NotRequired[str]
    episode_title: NotRequired[str]
    timestamp: NotRequired[str]
    link: NotRequired[str | None]


class FeedRow(TypedDict):
    """A remembered feed: its URL (or, added on the server's command line, a file's path)."""

    url: str
    title: str | None  # the feed's own, once a sync has read it
    items_stored: int
    last_synced: str | None  # ISO 8601; null before the first sync


class FeedSyncRow(TypedDict):
    """What a sync did with a feed (item null: the feed as a whole) or one of its items."""

    feed: str
    item: str | None
    outcome: str  # added, replaced, unchanged, skipped or failed
    detail: str
    episode_id: str | None  # the episode added or replaced


class EpisodeDetail(EpisodeRow):
    description: str
    segments: list[SegmentRow]
    claims: list[DosageRow | WarningRow]
    quotes: list[QuoteRow]


# --- the moment a thing was said ---------------------------------------------------------------


def moment(seconds: int, url: str | None) -> tuple[str, str | None]:
    """The second as "HH:MM:SS", and the link that opens the episode's video there."""
    return format_timestamp(seconds), deep_link(url, seconds)


def said_at(episode_id: int, title: str, url: str | None, seconds: int) -> Said:
    timestamp, link = moment(seconds, url)
    return {
        "episode_id": to_global_id("Episode", episode_id),
        "episode_title": title,
        "seconds": seconds,
        "timestamp": timestamp,
        "link": link,
    }


def claim_said(claim: Row[Any]) -> Said:
    """Where a claim read by `db.claims` was said."""
    return said_at(claim.episode_id, claim.episode_title, claim.episode_url, claim.seconds)


def said_by(claim: Row[Any]) -> SaidBy:
    """How, by whom and whether in a sponsor read a claim read by `db.claims` was said."""
    return {"stance": claim.stance, "speaker": claim.speaker, "sponsored": claim.sponsored}


def segment_said(segment: models.Segment) -> Said:
    return said_at(segment.episode_id, segment.episode.title, segment.episode.url, segment.seconds)


# --- claims ------------------------------------------------------------------------------------


def dosage_fields(dosage: Row[Any]) -> dict[str, Any]:
    """The amount and its words, as GraphQL's Dosage and the flat row both give them."""
    return {
        "value": dosage.value,
        "max_value": dosage.max_value,
        "unit": dosage.unit,
        "frequency": dosage.frequency,
        "per_day": dosage.per_day,
        "text": dosage.text,
    }


def dosage_row(dosage: Row[Any], medication: str) -> DosageRow:
    """A dosage read by `db.claims`, flat."""
    head = {"kind": "dosage", "medication": medication} | dosage_fields(dosage)
    purpose: Purpose = {
        "indication": dosage.condition_name,
        "indication_code": dosage.condition_code,
    }
    role: Role = {"regimen": dosage.regimen}
    return cast(DosageRow, head | claim_said(dosage) | said_by(dosage) | purpose | role)


def indication_row(indication: Row[Any], medication: str) -> IndicationRow:
    """An indication read by `db.claims`, flat."""
    return {
        "kind": "indication",
        "medication": medication,
        "condition": indication.condition_name,
        "condition_code": indication.condition_code,
        "text": indication.text,
        **claim_said(indication),
        **said_by(indication),
    }


def warning_row(warning: Row[Any], medication: str) -> WarningRow:
    """A warning read by `db.claims`, flat."""
    return {
        "kind": "warning",
        "medication": medication,
        "warning_kind": warning.kind,
        "text": warning.text,
        **claim_said(warning),
        **said_by(warning),
    }


def across_fields(summary: across.Summary) -> AcrossFields:
    return {
        "unit": summary.unit,
        "typical_dose": summary.typical,
        "min_dose": summary.low,
        "max_dose": summary.high,
        "doses": summary.doses,
        "episodes": summary.episodes,
        "speakers": summary.speakers,
    }


def across_row(summary: across.Summary, medication: str) -> AcrossRow:
    condition = summary.condition
    purpose: Purpose = {
        "indication": condition.name if condition is not None else None,
        "indication_code": condition.code if condition is not None else None,
    }
    return cast(AcrossRow, {"medication": medication} | purpose | across_fields(summary))


def disagreement_row(disagreement: across.Disagreement, medication: str) -> DisagreementRow:
    def claim(row: Row[Any], model: type[models.Dosage | models.Indication]) -> Any:
        if model is models.Dosage:
            return dosage_row(row, medication)
        return indication_row(row, medication)

    return {
        "medication": medication,
        "reason": disagreement.reason,
        "indication": disagreement.condition.name,
        "indication_code": disagreement.condition.code,
        "a": claim(disagreement.a, disagreement.a_model),
        "b": claim(disagreement.b, disagreement.b_model),
    }


def dose(dosage: Row[Any]) -> str:
    """The amount as people write it: "4.5 mg", "5-6 mg"."""
    high = f"-{dosage.max_value:g}" if dosage.max_value is not None else ""
    return f"{dosage.value:g}{high} {dosage.unit}"


def caution(warning: Row[Any]) -> str:
    """A warning's kind in words: "side effect" for SIDE_EFFECT."""
    return str(warning.kind).replace("_", " ").lower()


def quote_row(quote: models.Quote) -> QuoteRow:
    head = {"text": quote.text, "claimed_seconds": quote.claimed_seconds}
    where = segment_said(quote.segment) if quote.segment is not None else {"seconds": None}
    return cast(QuoteRow, head | where)


def segment_row(segment: models.Segment) -> SegmentRow:
    return {"text": segment.text, **segment_said(segment)}


def search_row(hit: Hit, segment: models.Segment) -> SearchRow:
    return {"score": hit.score, "snippet": hit.snippet, **segment_said(segment)}


# --- episodes and medications ------------------------------------------------------------------


def episode_fields(episode: models.Episode) -> EpisodeFields:
    return {
        "title": episode.title,
        "channel": episode.channel,
        "upload_date": episode.upload_date,
        "url": episode.url,
        "duration_seconds": episode.duration_seconds,
    }


def episode_row(episode: models.Episode) -> EpisodeRow:
    fields = episode_fields(episode)
    upload = fields["upload_date"]
    row = {"id": to_global_id("Episode", episode.id), **fields}
    return cast(EpisodeRow, row | {"upload_date": upload.isoformat() if upload else None})


def condition_row(condition: models.Condition, aliases: list[str]) -> ConditionRow:
    return {
        "id": to_global_id("Condition", condition.id),
        "name": condition.name,
        "code": condition.code,
        "aliases": aliases,
    }


def stats_row(stats: queries.MedicationStats) -> MedicationStatsRow:
    return {
        "id": to_global_id("Medication", stats.medication.id),
        "name": stats.medication.name,
        "episodes": stats.episodes,
        "mentions": stats.mentions,
        "dosages": stats.dosages,
        "unit": stats.unit,
        "min_dose": stats.low,
        "median_dose": stats.median,
        "max_dose": stats.high,
    }


def feed_row(feed: feeds.Listed) -> FeedRow:
    return {
        "url": feed.location,
        "title": feed.title,
        "items_stored": feed.items,
        "last_synced": feed.synced_at.isoformat() if feed.synced_at else None,
    }


def feed_sync_row(synced: FeedSynced) -> FeedSyncRow:
    episode = synced.episode_id
    return {
        "feed": synced.feed,
        "item": synced.item,
        "outcome": synced.outcome,
        "detail": synced.detail,
        "episode_id": to_global_id("Episode", episode) if episode is not None else None,
    }


# --- writing rows ------------------------------------------------------------------------------

ROW_FORMATS = ("csv", "ndjson", "json")


def write_rows(out: IO[str], rows: Iterable[Mapping[str, Any]], output_format: str) -> None:
    """Rows as CSV (a header of every key, in the order first seen), NDJSON (a row a line) or
    one JSON array."""
    if output_format == "ndjson":
        out.writelines(json.dumps(row, default=str) + "\n" for row in rows)
        return
    rows = list(rows)
    if output_format == "json":
        out.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    if output_format != "csv":
        raise ValueError(f"{output_format!r} is not one of {', '.join(ROW_FORMATS)}")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


# --- the shapes as JSON Schema, for the OpenAPI document ---------------------------------------

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schema(shape: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a type used above; each TypedDict goes into `schemas` under its name
    and is referred to there."""
    if shape in JSON_TYPES:
        return {"type": JSON_TYPES[shape]}
    if shape is date:
        return {"type": "string", "format": "date"}
    origin, args = get_origin(shape), get_args(shape)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is list:
        return {"type": "array", "items": json_schema(args[0], schemas)}
    if origin in (Union, types.UnionType):
        choices = [json_schema(arg, schemas) for arg in args if arg is not type(None)]
        found = choices[0] if len(choices) == 1 else {"anyOf": choices}
        return {"anyOf": [found, {"type": "null"}]} if type(None) in args else found
    if isinstance(shape, type) and issubclass(shape, dict):  # a TypedDict
        name = shape.__name__
        if name not in schemas:
            schemas[name] = {}  # claimed first: a shape may hold itself
            fields = hints(shape)
            schemas[name] = {
                "type": "object",
                "required": sorted(getattr(shape, "__required_keys__", fields)),
                "properties": {key: json_schema(kind, schemas) for key, kind in fields.items()},
            }
        return {"$ref": f"#/components/schemas/{name}"}
    raise TypeError(f"no JSON Schema for {shape!r}")
