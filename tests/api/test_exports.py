"""Standard shapes out: FHIR R4 Dosage and Podcasting 2.0 chapters."""

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from api.app import create_app
from tests.conftest import get

UCUM = "http://unitsofmeasure.org"
PERIOD_UNITS = {"s", "min", "h", "d", "wk", "mo", "a"}


@pytest.fixture
def app(engine: Engine, seeded: sessionmaker[Session]) -> Starlette:
    return create_app(engine)


def check_quantity(quantity: dict[str, object]) -> None:
    assert isinstance(quantity["value"], float | int)
    assert quantity["system"] == UCUM
    assert quantity["code"] in {"mg", "mL", "[iU]", "mg/kg", "mg/m2"}


def test_fhir_dosages(app: Starlette) -> None:
    response = get(app, "/api/v1/medications/rapamycin/dosages?format=fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["medication"] == "sirolimus" and body["dosage"]
    for dosage in body["dosage"]:
        assert set(dosage) <= {"sequence", "text", "doseAndRate", "timing", "extension"}
        assert isinstance(dosage["sequence"], int) and isinstance(dosage["text"], str)
        (rate,) = dosage["doseAndRate"]
        if "doseQuantity" in rate:
            check_quantity(rate["doseQuantity"])
        else:
            check_quantity(rate["doseRange"]["low"])
            check_quantity(rate["doseRange"]["high"])
        if "timing" in dosage:
            repeat = dosage["timing"]["repeat"]
            assert repeat["periodUnit"] in PERIOD_UNITS and repeat["frequency"] >= 1
    weekly = next(d for d in body["dosage"] if "doseRange" in d["doseAndRate"][0])
    assert weekly["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    iu = get(app, "/api/v1/medications/D3/dosages?format=fhir").json()
    assert {d["doseAndRate"][0]["doseQuantity"]["code"] for d in iu["dosage"]} == {"[iU]"}


def test_chapters(app: Starlette) -> None:
    listing = get(app, "/api/v1/episodes?first=100").json()["data"]
    seed = next(row for row in listing if row["channel"] == "Peter Attia MD")
    body = get(app, f"/api/v1/episodes/{seed['id']}/chapters.json").json()
    assert body["version"] == "1.2.0" and body["chapters"]
    starts = [chapter["startTime"] for chapter in body["chapters"]]
    assert starts == sorted(starts) and all(isinstance(s, int | float) for s in starts)
    at_106 = next(c for c in body["chapters"] if c["startTime"] == 106)
    assert "4.5 mg naltrexone" in at_106["title"] and at_106["url"].endswith("&t=106s")
