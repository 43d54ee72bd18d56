"""Standard shapes out: FHIR R4 bundles of MedicationKnowledge for doses, Podcasting 2.0 JSON
chapters for episodes."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from api.links import deep_link
from api.shapes import caution, claim_said, dose
from db import models

UCUM = "http://unitsofmeasure.org"
ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
# The canonical units in UCUM's codes; international units are "[iU]" there.
UCUM_CODES = {"mg": "mg", "mL": "mL", "IU": "[iU]", "mg/kg": "mg/kg", "mg/m2": "mg/m2"}
# A frequency as FHIR Timing.repeat: so many times per period of periodUnit; bedtime as `when`.
TIMINGS: dict[str, dict[str, Any]] = {
    "daily": {"frequency": 1, "period": 1, "periodUnit": "d"},
    "twice daily": {"frequency": 2, "period": 1, "periodUnit": "d"},
    "three times daily": {"frequency": 3, "period": 1, "periodUnit": "d"},
    "nightly": {"frequency": 1, "period": 1, "periodUnit": "d", "when": ["HS"]},
    "every other day": {"frequency": 1, "period": 2, "periodUnit": "d"},
    "weekly": {"frequency": 1, "period": 1, "periodUnit": "wk"},
    "every other week": {"frequency": 1, "period": 2, "periodUnit": "wk"},
    "monthly": {"frequency": 1, "period": 1, "periodUnit": "mo"},
}
CHAPTERS_VERSION = "1.2.0"
SOURCE_EXTENSION = "https://claimdex.example/fhir/StructureDefinition/said-at"
# MedicationKnowledge's dosage type (prophylaxis, maintenance...): what is known is only that it
# was said.
SAID = "said in a podcast episode"


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": UCUM_CODES.get(unit, unit)}


def fhir_dosage(dosage: Row[Any]) -> dict[str, Any]:
    """A FHIR R4 Dosage, from a row of `db.claims`: the amount (or range) with UCUM units, the
    timing, and the words and moment it was said. The moment's deep link rides in an extension
    as a `valueUrl`, where software can follow it; `text` says it too, for readers that show
    only text. `patientInstruction` and `additionalInstruction` are left alone: they hold
    instructions to a patient, which words heard on a podcast are not."""
    said = claim_said(dosage)
    if dosage.max_value is None:
        rate: dict[str, Any] = {"doseQuantity": quantity(dosage.value, dosage.unit)}
    else:
        rate = {
            "doseRange": {
                "low": quantity(dosage.value, dosage.unit),
                "high": quantity(dosage.max_value, dosage.unit),
            }
        }
    found: dict[str, Any] = {
        "text": f"{dosage.text} (said at {said['timestamp']} in {said['episode_title']})",
        "doseAndRate": [rate],
    }
    if said["link"] is not None:
        found["extension"] = [{"url": SOURCE_EXTENSION, "valueUrl": said["link"]}]
    if dosage.frequency in TIMINGS:
        found["timing"] = {"repeat": dict(TIMINGS[dosage.frequency])}
    return found


def fhir_guideline(dosage: Row[Any]) -> dict[str, Any]:
    """A MedicationKnowledge administration guideline: the Dosage, and the condition it is
    said to be for as `indicationCodeableConcept`, coded in ICD-10-CM where a code fits."""
    guideline: dict[str, Any] = {
        "dosage": [{"type": {"text": SAID}, "dosage": [fhir_dosage(dosage)]}]
    }
    if dosage.condition_name is not None:
        concept: dict[str, Any] = {"text": dosage.condition_name}
        if dosage.condition_code is not None:
            concept["coding"] = [{"system": ICD_10_CM, "code": dosage.condition_code}]
        guideline["indicationCodeableConcept"] = concept
    return guideline


def fhir_bundle(
    dosages: Sequence[Row[Any]], medication: str, *, url: str, next_url: str | None
) -> dict[str, Any]:
    """A FHIR R4 Bundle (a collection) of one MedicationKnowledge per dose said: its code is the
    medication's name, its one administration guideline the Dosage and what it is for. One
    resource per claim keeps a page of the bundle a page of claims, and each dose with its own
    moment; `link` holds this page's URL and the next page's."""
    links = [{"relation": "self", "url": url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "link": links}
    entries = [
        {
            "resource": {
                "resourceType": "MedicationKnowledge",
                "id": f"dosage-{dosage.id}",
                "code": {"text": medication},
                "administrationGuidelines": [fhir_guideline(dosage)],
            }
        }
        for dosage in dosages
    ]
    if entries:  # FHIR JSON has no empty arrays
        bundle["entry"] = entries
    return bundle


def chapters(
    episode: models.Episode,
    dosages: list[tuple[Row[Any], str]],
    warnings: list[tuple[Row[Any], str]],
) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters: one chapter per moment a claim is made, titled with the
    claims ("4.5 mg naltrexone"), linking to that second of the video."""
    titles: dict[int, list[str]] = {}
    for dosage, name in dosages:
        titles.setdefault(dosage.seconds, []).append(f"{dose(dosage)} {name}")
    for warning, name in warnings:
        titles.setdefault(warning.seconds, []).append(f"{name}: {caution(warning)}")
    found = []
    for seconds in sorted(titles):
        chapter: dict[str, Any] = {
            "startTime": seconds,
            "title": "; ".join(dict.fromkeys(titles[seconds])),
        }
        link = deep_link(episode.url, seconds)
        if link:
            chapter["url"] = link
        found.append(chapter)
    return {"version": CHAPTERS_VERSION, "title": episode.title, "chapters": found}
