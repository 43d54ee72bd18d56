"""Standard shapes out: FHIR R4 MedicationKnowledge bundles and Podcasting 2.0 chapters.

The FHIR is read back with fhir.resources' R4B models: the package models R5 by default and
R4B (4.3) beside it, and R4B's Bundle, MedicationKnowledge and Dosage are R4's.
"""

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.medicationknowledge import MedicationKnowledge
from fhir.resources.R4B.quantity import Quantity
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.app import create_app
from tests.conftest import get

UCUM = "http://unitsofmeasure.org"


@pytest.fixture
def app(shared_engine: Engine) -> Starlette:
    return create_app(shared_engine)


def check_quantity(quantity: Quantity) -> None:
    assert quantity.system == UCUM
    assert quantity.code in {"mg", "mL", "[iU]", "mg/kg", "mg/m2"}


def dosages(bundle: Bundle) -> list[tuple[MedicationKnowledge, Dosage]]:
    """Each entry's MedicationKnowledge with its one Dosage."""
    found = []
    for entry in bundle.entry or []:
        knowledge = entry.resource
        assert isinstance(knowledge, MedicationKnowledge)
        (guideline,) = knowledge.administrationGuidelines or []
        (group,) = guideline.dosage or []
        (dosage,) = group.dosage
        found.append((knowledge, dosage))
    return found


def fhir(app: Starlette, path: str) -> Bundle:
    """The answer to `path`, which must be JSON that parses as a FHIR R4(B) Bundle."""
    response = get(app, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    return Bundle.model_validate_json(response.content)


def test_fhir_dosages_are_a_bundle_of_medication_knowledge(app: Starlette) -> None:
    bundle = fhir(app, "/api/v1/medications/LDN/dosages?format=fhir&first=100")
    assert bundle.get_resource_type() == "Bundle" and bundle.type == "collection"
    assert [link.relation for link in bundle.link or []] == ["self"]
    found = dosages(bundle)
    assert {knowledge.code.text for knowledge, _ in found if knowledge.code} == {"naltrexone"}
    amounts = []
    for _, dosage in found:
        (rate,) = dosage.doseAndRate or []
        assert rate.doseQuantity is not None
        check_quantity(rate.doseQuantity)
        amounts.append((float(rate.doseQuantity.value or 0), rate.doseQuantity.code))
        (said,) = dosage.extension or []
        assert said.url.endswith("/said-at") and said.valueUrl.startswith("https://www.youtube")
    assert sorted(amounts) == [(4.5, "mg")] * 4 + [(9.0, "mg"), (13.5, "mg")] + [(50.0, "mg")] * 2
    at_106 = next(d for _, d in found if str(d.extension[0].valueUrl).endswith("&t=106s"))
    assert at_106.text is not None and "00:01:46" in at_106.text


def test_fhir_ranges_timings_and_units(app: Starlette) -> None:
    found = dosages(fhir(app, "/api/v1/medications/rapamycin/dosages?format=fhir"))
    ranged = [d for _, d in found if (d.doseAndRate or [])[0].doseRange is not None]
    weekly = ranged[0]
    dose_range = (weekly.doseAndRate or [])[0].doseRange
    assert dose_range is not None and dose_range.low and dose_range.high
    check_quantity(dose_range.low)
    check_quantity(dose_range.high)
    assert weekly.timing and weekly.timing.repeat
    repeat = weekly.timing.repeat
    assert (repeat.frequency, repeat.period, repeat.periodUnit) == (1, 1, "wk")
    d3 = dosages(fhir(app, "/api/v1/medications/D3/dosages?format=fhir"))
    assert {(d.doseAndRate or [])[0].doseQuantity.code for _, d in d3} == {"[iU]"}


def test_fhir_pages_link_to_the_next(app: Starlette) -> None:
    seen = []
    url: str | None = "/api/v1/medications/LDN/dosages?format=fhir&first=3"
    while url is not None:
        bundle = fhir(app, url)
        seen += [knowledge.id for knowledge, _ in dosages(bundle)]
        links = {link.relation: link.url for link in bundle.link or []}
        url = str(links["next"]).removeprefix("http://test") if "next" in links else None
    assert len(seen) == len(set(seen)) == 8


def test_chapters(app: Starlette) -> None:
    listing = get(app, "/api/v1/episodes?first=100").json()["data"]
    seed = next(row for row in listing if row["channel"] == "Peter Attia MD")
    body = get(app, f"/api/v1/episodes/{seed['id']}/chapters.json").json()
    assert body["version"] == "1.2.0" and body["chapters"]
    starts = [chapter["startTime"] for chapter in body["chapters"]]
    assert starts == sorted(starts) and all(isinstance(s, int | float) for s in starts)
    at_106 = next(c for c in body["chapters"] if c["startTime"] == 106)
    assert "4.5 mg naltrexone" in at_106["title"] and at_106["url"].endswith("&t=106s")


def test_fhir_gives_what_a_dose_is_for_in_icd_10_cm(spoken: Starlette) -> None:
    bundle = fhir(
        spoken, "/api/v1/medications/magnesium/dosages?format=fhir&include_sponsored=true"
    )
    purposes = []
    for entry in bundle.entry or []:
        knowledge = entry.resource
        assert isinstance(knowledge, MedicationKnowledge)
        (guideline,) = knowledge.administrationGuidelines or []
        concept = guideline.indicationCodeableConcept
        codes = [(c.system, c.code) for c in concept.coding or []] if concept else []
        purposes.append((concept.text if concept else None, codes))
    icd = [("http://hl7.org/fhir/sid/icd-10-cm", "G47.00")]
    assert purposes == [("insomnia", icd), ("insomnia", icd), (None, [])]
