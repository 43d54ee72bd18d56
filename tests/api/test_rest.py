"""REST under /api/v1: formats, pagination, errors, caching, CORS and the OpenAPI document."""

import asyncio
import csv
import io
import json

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from api.app import create_app
from tests.api.test_graphql import seed_indications
from tests.conftest import get, post_graphql


@pytest.fixture
def app(shared_engine: Engine) -> Starlette:
    return create_app(shared_engine)


def test_dosages_as_csv_one_row_per_dosage(app: Starlette) -> None:
    response = get(app, "/api/v1/medications/LDN/dosages?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 8
    assert {"value", "unit", "timestamp", "link", "text"} <= set(rows[0])
    at_106 = [r for r in rows if r["timestamp"] == "00:01:46"]
    assert at_106[0]["value"] == "4.5" and at_106[0]["link"].endswith("&t=106s")


def test_dosage_filters_and_ndjson(app: Starlette) -> None:
    response = get(app, "/api/v1/medications/Vivitrol/dosages?min=5%20mg&max=20%20mg&format=ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert sorted(line["value"] for line in lines) == [9.0, 13.5]


def test_search_matches_graphql(app: Starlette) -> None:
    rest = get(app, "/api/v1/search?q=microglia").json()
    graphql = post_graphql(
        app, '{ search(query: "microglia") { nodes { score source { seconds } } } }'
    )
    first = graphql["search"]["nodes"][0]
    assert rest["data"][0]["seconds"] == first["source"]["seconds"] == 82
    assert rest["data"][0]["score"] == first["score"]
    assert rest["total"] == len(rest["data"])


def test_pages_follow_next_links(app: Starlette) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/episodes?first=3"
    while url:
        body = get(app, url).json()
        seen += [row["id"] for row in body["data"]]
        url = body["next"].removeprefix("http://test") if body["next"] else None
    assert len(seen) == len(set(seen)) == body["total"] >= 8


@pytest.mark.parametrize(
    ("path", "status", "code", "words"),
    [
        ("/api/v1/medications/potatoes", 404, "not_found", "potatoes"),
        ("/api/v1/medications/LDN/dosages?min=4%20parsecs", 400, "bad_request", "min:"),
        ("/api/v1/episodes?first=1000", 400, "bad_request", "first:"),
        ("/api/v1/episodes?after=nonsense", 400, "bad_request", "after:"),
        ("/api/v1/episodes/RXBpc29kZTo5OTk5", 404, "not_found", "no episode"),
        ("/api/v1/search", 400, "bad_request", "q:"),
        ("/api/v1/medications?format=xml", 400, "bad_format", "format:"),
    ],
)
def test_errors_are_json_with_a_code(
    app: Starlette, path: str, status: int, code: str, words: str
) -> None:
    response = get(app, path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and words in error["message"]


def test_episode_with_claims(app: Starlette) -> None:
    listing = get(app, "/api/v1/episodes?first=100").json()["data"]
    seed = next(row for row in listing if row["channel"] == "Peter Attia MD")
    body = get(app, f"/api/v1/episodes/{seed['id']}").json()["data"]
    assert len(body["segments"]) == 12
    assert any(c["kind"] == "warning" and c["timestamp"] == "00:05:50" for c in body["claims"])
    claims = list(
        csv.DictReader(io.StringIO(get(app, f"/api/v1/episodes/{seed['id']}?format=csv").text))
    )
    assert len(claims) == len(body["claims"])


def test_get_responses_carry_an_etag_and_answer_304(app: Starlette) -> None:
    first = get(app, "/api/v1/medications/LDN")
    assert first.headers["cache-control"].startswith("public")
    again = get(app, "/api/v1/medications/LDN", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    changed = get(app, "/api/v1/medications/LDN", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_cors_allows_listed_origins_only(
    shared_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMDEX_CORS_ORIGINS", "https://app.example.org")
    app = create_app(shared_engine)
    allowed = get(app, "/api/v1/medications", headers={"Origin": "https://app.example.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    other = get(app, "/api/v1/medications", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_openapi_matches_the_routes(app: Starlette) -> None:
    document = get(app, "/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    routes = {
        route.path
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith("/api/v1/")
    } - {"/api/v1/openapi.json"}
    assert set(document["paths"]) == routes
    for path, item in document["paths"].items():
        for method, operation in item.items():
            found = operation.get("parameters", [])
            declared = {p["name"] for p in found if p["in"] == "path"}
            assert declared == set(path.replace("}", "{").split("{")[1::2]), (method, path)


def test_graphiql_opens_with_dosing_advice_for_ldn(app: Starlette) -> None:
    page = get(app, "/graphql", headers={"Accept": "text/html"}).text
    start = page.index('<script id="defaults" type="application/json">')
    defaults = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert defaults["query"].startswith("query DosingAdvice")
    assert json.loads(defaults["variables"]) == {"name": "LDN"}


def send(app: Starlette, method: str, path: str) -> httpx.Response:
    """The real ASGI app's answer to one request of any method."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/medications/LDN/nothing", "/api/v2/medications", "/nope"]
)
def test_unknown_paths_answer_the_error_envelope(app: Starlette, path: str) -> None:
    response = get(app, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found" and path in error["message"]


def test_a_method_a_path_does_not_take_answers_405_in_the_envelope(app: Starlette) -> None:
    response = send(app, "PUT", "/api/v1/episodes")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed" and "PUT" in error["message"]


def test_the_page_static_files_and_graphql_still_answer(app: Starlette) -> None:
    assert "<html" in get(app, "/").text.lower()
    assert get(app, "/static/app.js").status_code == 200
    assert post_graphql(app, '{ medication(name: "LDN") { name } }') == {
        "medication": {"name": "naltrexone"}
    }


@pytest.mark.parametrize(
    ("path", "choices"),
    [
        ("/api/v1/medications/LDN/dosages?format=xml", "json, csv, ndjson, fhir"),
        ("/api/v1/medications?format=fhir", "json, csv, ndjson"),
        ("/api/v1/medications/LDN?format=csv", "json"),
    ],
)
def test_a_format_error_lists_every_format_the_endpoint_gives(
    app: Starlette, path: str, choices: str
) -> None:
    response = get(app, path)
    assert response.status_code == 400
    assert response.json()["error"]["message"].endswith(f"is not one of {choices}")


def test_an_unmentioned_medication_is_said_to_be_missing_from_the_index(app: Starlette) -> None:
    # Warfarin is a drug no seeded episode mentions; the server has no vocabulary to tell it
    # from a name of nothing, and the message is true of both.
    response = get(app, "/api/v1/medications/warfarin")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no episode in this index mentions 'warfarin'"


def test_dosage_rows_end_with_how_and_by_whom_they_were_said(app: Starlette) -> None:
    response = get(app, "/api/v1/medications/LDN/dosages?format=csv")
    header, *rows = csv.reader(io.StringIO(response.text))
    # The newest column comes last, so a script reading columns by position keeps working.
    assert header[-7:] == [
        "link",
        "stance",
        "speaker",
        "sponsored",
        "indication",
        "indication_code",
        "regimen",
    ]
    assert {(row[header.index("timestamp")], row[-1]) for row in rows} >= {
        ("00:03:44", "STARTING"), ("00:04:35", "TITRATION"),
    }  # fmt: skip


def test_dosage_filters_by_stance_speaker_and_sponsor_reads(spoken: Starlette) -> None:
    def said(query: str) -> list[tuple[str, str, str, str]]:
        response = get(spoken, f"/api/v1/medications/magnesium/dosages?format=csv&{query}")
        assert response.status_code == 200, response.text
        rows = csv.DictReader(io.StringIO(response.text))
        return [(r["value"], r["stance"], r["speaker"], r["sponsored"]) for r in rows]

    advice = ("200.0", "RECOMMENDATION", "John Roe", "False")
    advert = ("400.0", "PERSONAL", "Jane Doe", "True")
    assert said("speaker=John%20Roe&stance=RECOMMENDATION,PRACTICE") == [advice]
    assert said("include_sponsored=true&stance=personal") == [advert]
    assert said("stance=PERSONAL") == []
    wrong = get(spoken, "/api/v1/medications/magnesium/dosages?stance=ADVERT")
    assert wrong.status_code == 400
    assert "stance: 'ADVERT' is not one of RECOMMENDATION" in wrong.json()["error"]["message"]


def test_openapi_documents_the_dosage_filters(app: Starlette) -> None:
    document = get(app, "/api/v1/openapi.json").json()
    dosages = document["paths"]["/api/v1/medications/{name}/dosages"]["get"]
    named = {p["name"] for p in dosages["parameters"]}
    assert {"stance", "speaker", "include_sponsored"} <= named
    row = document["components"]["schemas"]["DosageRow"]["properties"]
    assert {"stance", "speaker", "sponsored", "regimen"} <= set(row)


def test_the_seeds_indications_as_rows(app: Starlette) -> None:
    response = get(app, "/api/v1/medications/LDN/indications?format=csv&first=100")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    seed = [r for r in rows if r["episode_title"].startswith("Low-Dose Naltrexone")]
    served = {
        (int(r["seconds"]), r["condition"], r["condition_code"] or None, r["stance"], r["text"])
        for r in seed
    }
    assert served == seed_indications() and len(seed) == len(served) >= 1
    assert {r["kind"] for r in rows} == {"indication"}
    assert {r["medication"] for r in rows} == {"naltrexone"}
    body = get(app, "/api/v1/medications/LDN/indications?first=1").json()
    assert body["total"] == len(rows) and len(body["data"]) == 1
    condition = seed[0]["condition"]
    one = get(app, f"/api/v1/medications/LDN/indications?format=csv&condition={condition}")
    assert {r["condition"] for r in csv.DictReader(io.StringIO(one.text))} == {condition}


def test_conditions_as_rows_with_their_terms(app: Starlette) -> None:
    body = get(app, "/api/v1/conditions?first=100").json()
    names = [row["name"] for row in body["data"]]
    assert names == sorted(names) and body["total"] == len(names) and body["next"] is None
    sclerosis = next(row for row in body["data"] if row["name"] == "multiple sclerosis")
    assert sclerosis["code"] == "G35" and "MS" in sclerosis["aliases"]


def test_dosage_rows_say_what_each_dose_is_for(spoken: Starlette) -> None:
    def purposes(query: str) -> list[tuple[str, str, str]]:
        response = get(spoken, f"/api/v1/medications/magnesium/dosages?format=csv&{query}")
        assert response.status_code == 200, response.text
        rows = csv.DictReader(io.StringIO(response.text))
        return [(r["value"], r["indication"], r["indication_code"]) for r in rows]

    assert purposes("include_sponsored=true") == [
        ("400.0", "insomnia", "G47.00"), ("200.0", "insomnia", "G47.00"), ("300.0", "", ""),
    ]  # fmt: skip
    assert purposes("indication=trouble%20sleeping") == [("200.0", "insomnia", "G47.00")]
    assert purposes("indication=gout") == []


def test_openapi_documents_indications_and_conditions(app: Starlette) -> None:
    document = get(app, "/api/v1/openapi.json").json()
    assert {"/api/v1/medications/{name}/indications", "/api/v1/conditions"} <= set(
        document["paths"]
    )
    schemas = document["components"]["schemas"]
    assert {"condition", "condition_code", "stance", "speaker"} <= set(
        schemas["IndicationRow"]["properties"]
    )
    assert {"indication", "indication_code"} <= set(schemas["DosageRow"]["properties"])


def test_a_medication_across_episodes_and_its_disagreements_as_rows(
    disagreeing_app: Starlette,
) -> None:
    response = get(disagreeing_app, "/api/v1/medications/LDN/across-episodes?format=csv")
    assert response.status_code == 200, response.text
    rows = {r["indication"]: r for r in csv.DictReader(io.StringIO(response.text))}
    ms = rows["multiple sclerosis"]
    assert (ms["indication_code"], ms["typical_dose"], ms["unit"], ms["episodes"]) == (
        "G35", "4.5", "mg", "3",
    )  # fmt: skip
    body = get(disagreeing_app, "/api/v1/medications/LDN/disagreements?first=1").json()
    assert body["total"] == 2 and body["next"] is not None
    (first,) = body["data"]
    assert (first["reason"], first["a"]["value"], first["b"]["value"]) == ("DOSE", 4.5, 12.0)
    assert first["a"]["kind"] == "dosage" and first["b"]["speaker"] == "Carl Moss"
    following = get(disagreeing_app, body["next"].removeprefix("http://test")).json()
    assert [row["reason"] for row in following["data"]] == ["NEGATED"]
    assert following["next"] is None
    refused = get(disagreeing_app, "/api/v1/medications/LDN/disagreements?format=csv")
    assert refused.status_code == 400 and "ndjson" in refused.json()["error"]["message"]
