"""The GraphQL contract, through the real ASGI app, on each database."""

import pytest
from sqlalchemy import Engine

from api.app import create_app
from ingest.extract import extract
from ingest.parse import parse_document
from tests.conftest import SEED, gold_documents, gold_path, post_graphql, send_graphql

DOSING_ADVICE = """
query DosingAdvice($name: String!) {
  medication(name: $name) {
    name
    aliases
    mentions { text confidence matchedBy source { seconds } }
    dosages { value unit text source { seconds timestamp url text episode { title url } } }
    warnings { text kind source { seconds timestamp url } }
  }
}
"""

EPISODES = """
{ episodes(first: 10) { totalCount nodes { id title channel uploadDate url durationSeconds
    segments { seconds timestamp text url }
    quotes { text claimedSeconds source { seconds } } } } }
"""


@pytest.fixture
def app(shared_engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(shared_engine)


@pytest.mark.parametrize("name", ["LDN", "naltrexone", "low-dose naltrexone", "Vivitrol"])
def test_dosing_advice_for_any_name(app, name: str) -> None:  # type: ignore[no-untyped-def]
    medication = post_graphql(app, DOSING_ADVICE, {"name": name})["medication"]
    assert medication["name"] == "naltrexone"
    assert {"ldn", "vivitrol"} <= {alias.lower() for alias in medication["aliases"]}
    mentioned = {m["source"]["seconds"] for m in medication["mentions"]}
    assert len(mentioned & {0, 106, 143, 190, 224, 439, 519}) >= 6
    doses = {(d["value"], d["unit"], d["source"]["seconds"]) for d in medication["dosages"]}
    assert {(4.5, "mg", 106), (9.0, "mg", 224), (13.5, "mg", 275), (50.0, "mg", 0)} <= doses
    at_106 = next(d for d in medication["dosages"] if d["source"]["seconds"] == 106)
    assert at_106["text"] == "four and a half milligrams"
    assert at_106["source"]["timestamp"] == "00:01:46"
    assert at_106["source"]["url"] == "https://www.youtube.com/watch?v=d0S7_H0UdjY&t=106s"
    assert at_106["source"]["text"].startswith("And so what I mean by that")
    assert at_106["source"]["episode"]["title"].startswith("Low-Dose Naltrexone")
    warnings = [(w["source"]["timestamp"], w["text"]) for w in medication["warnings"]]
    assert any(t == "00:05:50" and "infection" in text for t, text in warnings)
    assert any(t == "00:04:35" and "vivid dreams" in text for t, text in warnings)
    assert any(t == "00:05:50" and "morning" in text for t, text in warnings)


def test_unknown_medication_is_null(app) -> None:  # type: ignore[no-untyped-def]
    assert post_graphql(app, DOSING_ADVICE, {"name": "parsecs"})["medication"] is None


def test_money_and_percentages_are_not_dosages(app) -> None:  # type: ignore[no-untyped-def]
    medication = post_graphql(app, DOSING_ADVICE, {"name": "LDN"})["medication"]
    texts = " ".join(d["text"] for d in medication["dosages"])
    assert "30" not in texts and "%" not in texts


def test_medications_are_drugs_only(app) -> None:  # type: ignore[no-untyped-def]
    names = {m["name"] for m in post_graphql(app, "{ medications { name } }")["medications"]}
    assert "naltrexone" in names
    assert not names & {"receptor", "microglia", "toll-like receptor 4", "stroke", "serotonin"}


def test_episodes_segments_and_grounded_quotes(app) -> None:  # type: ignore[no-untyped-def]
    episodes = post_graphql(app, EPISODES)["episodes"]
    assert episodes["totalCount"] == len(gold_documents())
    seed = next(e for e in episodes["nodes"] if e["channel"] == "Peter Attia MD")
    assert seed["uploadDate"] == "2025-04-25"
    assert seed["durationSeconds"] == 540
    assert len(seed["segments"]) == 12
    assert seed["segments"][2] == {
        "seconds": 106,
        "timestamp": "00:01:46",
        "text": seed["segments"][2]["text"],
        "url": "https://www.youtube.com/watch?v=d0S7_H0UdjY&t=106s",
    }
    magical = next(q for q in seed["quotes"] if "magical" in q["text"])
    assert magical["text"] == "In some patients, Peter, this drug's been magical, like magical."
    assert magical["source"]["seconds"] == 106
    assert magical["claimedSeconds"] == 143


def test_claim_details_ranges_frequencies_and_kinds(app) -> None:  # type: ignore[no-untyped-def]
    query = """
    { medication(name: "Rapamune") { name
        mentions { text confidence matchedBy }
        dosages { value maxValue unit frequency perDay text }
        warnings { kind text } } }
    """
    medication = post_graphql(app, query)["medication"]
    assert medication["name"] == "sirolimus"
    weekly = next(d for d in medication["dosages"] if d["maxValue"] is not None)
    assert (weekly["value"], weekly["maxValue"], weekly["unit"]) == (5.0, 6.0, "mg")
    assert weekly["frequency"] == "weekly"
    assert weekly["perDay"] == pytest.approx(5 / 7)
    assert {"SIDE_EFFECT", "STOP_CONDITION"} <= {w["kind"] for w in medication["warnings"]}
    how = {m["matchedBy"] for m in medication["mentions"]}
    assert {"EXACT", "ALIAS"} <= how
    misspelt = next(m for m in medication["mentions"] if m["text"].endswith("rapamyacin"))
    assert misspelt["matchedBy"] in {"FUZZY", "CONTEXT"} and 0.7 < misspelt["confidence"] < 1


def test_summary_lines_are_grounded_or_flagged(app) -> None:  # type: ignore[no-untyped-def]
    query = """
    { episodes { nodes { channel summary { section text claimedSeconds grounded score
        source { seconds } } } } }
    """
    nodes = post_graphql(app, query)["episodes"]["nodes"]
    seed = next(node for node in nodes if node["channel"] == "Peter Attia MD")
    lines = {line["text"]: line for line in seed["summary"]}
    bedtime = lines["Take LDN two hours before bedtime"]
    assert bedtime["grounded"] and bedtime["source"]["seconds"] == 350
    assert all((line["source"] is None) == (not line["grounded"]) for line in seed["summary"])
    assert not any(line["text"].startswith("Not discussed") for line in seed["summary"])
    without_summary = [node for node in nodes if not node["summary"]]
    expected = [g for g in gold_documents() if "## AI Summary" not in gold_path(g).read_text()]
    assert len(without_summary) == len(expected) >= 1


SAID_BY = """
query SaidBy($stance: [Stance!], $speaker: String, $includeSponsored: Boolean = false) {
  dosages(stance: $stance, speaker: $speaker, includeSponsored: $includeSponsored) {
    totalCount nodes { value stance speaker sponsored }
  }
}
"""


def test_dosages_say_how_and_by_whom_and_leave_out_sponsor_reads(spoken) -> None:  # type: ignore[no-untyped-def]
    def said(**variables: object) -> list[tuple[float, str, str, bool]]:
        dosages = post_graphql(spoken, SAID_BY, variables)["dosages"]
        assert dosages["totalCount"] == len(dosages["nodes"])
        return [(d["value"], d["stance"], d["speaker"], d["sponsored"]) for d in dosages["nodes"]]

    advice = (200.0, "RECOMMENDATION", "John Roe", False)
    plain = (300.0, "GENERAL", "John Roe", False)
    advert = (400.0, "PERSONAL", "Jane Doe", True)
    assert said() == [advice, plain]
    assert said(includeSponsored=True) == [advert, advice, plain]
    assert said(stance=["RECOMMENDATION", "PERSONAL"]) == [advice]
    assert said(stance=["PERSONAL"], includeSponsored=True) == [advert]
    assert said(speaker="John Roe") == [advice, plain]
    assert said(speaker="Jane Doe") == []
    assert said(speaker="Jane Doe", includeSponsored=True) == [advert]


def test_warnings_and_segments_say_who_and_whether_sponsored(spoken) -> None:  # type: ignore[no-untyped-def]
    query = """{
      medication(name: "magnesium") { warnings { stance speaker sponsored } }
      episodes { nodes { segments { speaker sponsored } } }
    }"""
    data = post_graphql(spoken, query)
    assert data["medication"]["warnings"] == [
        {"stance": "RECOMMENDATION", "speaker": "John Roe", "sponsored": False}
    ]
    segments = data["episodes"]["nodes"][0]["segments"]
    assert [(s["speaker"], s["sponsored"]) for s in segments] == [
        ("Jane Doe", False), ("Jane Doe", True), ("John Roe", False), ("Jane Doe", False),
    ]  # fmt: skip


def test_medication_stats_leave_out_sponsor_reads(spoken) -> None:  # type: ignore[no-untyped-def]
    query = "{ medicationStats { nodes { medication { name } mentions dosages minDose maxDose } } }"
    stats = post_graphql(spoken, query)["medicationStats"]["nodes"]
    magnesium = next(s for s in stats if s["medication"]["name"] == "magnesium")
    # The read names magnesium once and doses it at 400 mg; neither counts.
    assert (magnesium["dosages"], magnesium["minDose"], magnesium["maxDose"]) == (2, 200.0, 300.0)
    assert magnesium["mentions"] == 4


def seed_indications() -> set[tuple[int, str, str | None, str, str]]:
    """What extraction finds in the seed for naltrexone: (seconds, condition, code, stance,
    words), to hold the served answer to."""
    document = parse_document(SEED.read_text(), source=str(SEED))
    return {
        (document.segments[i.segment].seconds, i.condition, i.code, i.stance.value, i.text)
        for i in extract(document).indications
        if i.medication == "naltrexone"
    }


INDICATIONS = """
query Indications($name: String!) {
  medication(name: $name) {
    indications(first: 100) {
      condition { name code } stance speaker sponsored text medication { name }
      source { seconds timestamp url episode { title } } cursor
    }
  }
}
"""


def test_the_seeds_indications_come_back_as_extracted(app) -> None:  # type: ignore[no-untyped-def]
    found = post_graphql(app, INDICATIONS, {"name": "LDN"})["medication"]["indications"]
    expected = seed_indications()
    assert expected  # the seed ties naltrexone to some condition
    seed = [i for i in found if i["source"]["episode"]["title"].startswith("Low-Dose Naltrexone")]
    served = {
        (i["source"]["seconds"], i["condition"]["name"], i["condition"]["code"], i["stance"],
         i["text"])
        for i in seed
    }  # fmt: skip
    assert served == expected and len(seed) == len(expected)
    assert {i["medication"]["name"] for i in found} == {"naltrexone"}
    assert all(i["source"]["url"].endswith(f"t={i['source']['seconds']}s") for i in seed)
    # A page at a time, in transcript order: the cursor of one continues after it.
    first = post_graphql(app, '{ medication(name: "LDN") { indications(first: 1) { cursor } } }')
    cursor = first["medication"]["indications"][0]["cursor"]
    rest = post_graphql(
        app,
        'query($after: String) { medication(name: "LDN") { indications(first: 100, '
        "after: $after) { text } } }",
        {"after": cursor},
    )["medication"]["indications"]
    assert [i["text"] for i in rest] == [i["text"] for i in found[1:]]


CONDITION = """
query Condition($name: String!) {
  condition(name: $name) {
    id name code aliases medications(first: 10) { name }
    indications(first: 10) { text stance medication { name } }
  }
}
"""


def test_a_condition_by_any_of_its_names(app) -> None:  # type: ignore[no-untyped-def]
    expected = {(name, code) for _, name, code, _, _ in seed_indications()}
    for name, code in expected:
        condition = post_graphql(app, CONDITION, {"name": name.upper()})["condition"]
        assert (condition["name"], condition["code"]) == (name, code)
        assert "naltrexone" in {m["name"] for m in condition["medications"]}
        assert condition["indications"] and all(i["text"] for i in condition["indications"])
        by_alias = post_graphql(app, CONDITION, {"name": condition["aliases"][0]})["condition"]
        assert by_alias["name"] == name
        node = post_graphql(
            app, "query($id: ID!) { node(id: $id) { ... on Condition { name } } }",
            {"id": condition["id"]},
        )["node"]  # fmt: skip
        assert node == {"name": name}
    assert post_graphql(app, CONDITION, {"name": "no such illness"})["condition"] is None


def test_conditions_are_a_connection_by_name(app) -> None:  # type: ignore[no-untyped-def]
    every = post_graphql(app, "{ conditions(first: 100) { totalCount nodes { name code } } }")
    names = [c["name"] for c in every["conditions"]["nodes"]]
    assert names == sorted(names) and every["conditions"]["totalCount"] == len(names) > 1
    first = post_graphql(app, "{ conditions(first: 1) { pageInfo { hasNextPage endCursor } } }")
    info = first["conditions"]["pageInfo"]
    assert info["hasNextPage"]
    rest = post_graphql(
        app, "query($a: String) { conditions(first: 100, after: $a) { nodes { name } } }",
        {"a": info["endCursor"]},
    )  # fmt: skip
    assert [c["name"] for c in rest["conditions"]["nodes"]] == names[1:]


def test_the_lists_of_conditions_count_toward_the_cost_limit(app) -> None:  # type: ignore[no-untyped-def]
    body = send_graphql(app, "{ conditions(first: 100) { nodes { indications { text } } } }")
    assert "CLAIMDEX_MAX_COST" in body["errors"][0]["message"]
    body = send_graphql(app, "{ conditions(first: 100) { nodes { medications { name } } } }")
    assert "CLAIMDEX_MAX_COST" in body["errors"][0]["message"]


PURPOSES = """
query Purposes($indication: String, $includeSponsored: Boolean = false) {
  dosages(indication: $indication, includeSponsored: $includeSponsored) {
    totalCount nodes { value indication { name code } }
  }
}
"""


def test_dosages_say_what_they_are_for_and_filter_by_it(spoken) -> None:  # type: ignore[no-untyped-def]
    def purposes(**variables: object) -> list[tuple[float, str | None]]:
        dosages = post_graphql(spoken, PURPOSES, variables)["dosages"]
        assert dosages["totalCount"] == len(dosages["nodes"])
        return [(d["value"], d["indication"] and d["indication"]["code"]) for d in dosages["nodes"]]

    assert purposes(includeSponsored=True) == [(400.0, "G47.00"), (200.0, "G47.00"), (300.0, None)]
    assert purposes(indication="trouble sleeping") == [(200.0, "G47.00")]
    assert purposes(indication="insomnia", includeSponsored=True) == [
        (400.0, "G47.00"), (200.0, "G47.00"),
    ]  # fmt: skip
    assert purposes(indication="no such illness") == []


def test_indications_say_who_and_whether_sponsored(spoken) -> None:  # type: ignore[no-untyped-def]
    query = """{
      medication(name: "magnesium") { indications { condition { name } stance speaker sponsored } }
      condition(name: "insomnia") { medications { name } }
    }"""
    data = post_graphql(spoken, query)
    assert data["medication"]["indications"] == [
        {"condition": {"name": "insomnia"}, "stance": "PERSONAL", "speaker": "Jane Doe",
         "sponsored": True},
        {"condition": {"name": "insomnia"}, "stance": "RECOMMENDATION", "speaker": "John Roe",
         "sponsored": False},
    ]  # fmt: skip
    assert data["condition"]["medications"] == [{"name": "magnesium"}]


ACROSS_EPISODES = """
query Across($name: String!, $first: Int, $after: String) {
  medication(name: $name) {
    acrossEpisodes {
      indication { name code } typicalDose { value unit } minDose maxDose doses episodes speakers
    }
    disagreements(first: $first, after: $after) {
      reason indication { name }
      a {
        text stance speaker sponsored source { timestamp episode { title } }
        ... on Dosage { value unit }
      }
      b {
        text stance speaker ... on Dosage { value unit } ... on Indication { condition { name } }
      }
      cursor
    }
  }
}
"""


def test_a_medication_across_episodes_and_where_they_disagree(disagreeing_app) -> None:  # type: ignore[no-untyped-def]
    medication = post_graphql(disagreeing_app, ACROSS_EPISODES, {"name": "LDN"})["medication"]
    by_condition = {
        (row["indication"] or {}).get("name"): row for row in medication["acrossEpisodes"]
    }
    assert by_condition["multiple sclerosis"] == {
        "indication": {"name": "multiple sclerosis", "code": "G35"},
        "typicalDose": {"value": 4.5, "unit": "mg"},
        "minDose": 3.0, "maxDose": 12.0, "doses": 3, "episodes": 3, "speakers": 2,
    }  # fmt: skip
    assert by_condition["fibromyalgia"]["typicalDose"] is None
    assert medication["acrossEpisodes"][-1]["indication"] is None
    dose, denial = medication["disagreements"]
    assert (dose["reason"], dose["a"]["value"], dose["b"]["value"]) == ("DOSE", 4.5, 12.0)
    assert dose["a"]["speaker"] == "Ann Lee" and dose["a"]["source"]["timestamp"] == "00:00:20"
    assert denial["reason"] == "NEGATED" and denial["b"]["stance"] == "NEGATED"
    assert denial["b"]["condition"] == {"name": "fibromyalgia"}
    rest = post_graphql(
        disagreeing_app, ACROSS_EPISODES, {"name": "LDN", "first": 5, "after": dose["cursor"]}
    )["medication"]["disagreements"]
    assert rest == [denial]


def test_the_seeds_doses_say_their_role_in_the_regimen(app) -> None:  # type: ignore[no-untyped-def]
    query = '{ medication(name: "LDN") { dosages { value regimen source { seconds } } } }'
    doses = post_graphql(app, query)["medication"]["dosages"]
    roles = {(d["source"]["seconds"], d["value"]): d["regimen"] for d in doses}
    # "I give it in 4.5" is his usual dose; the stroke patient's is a titration.
    assert roles[106, 4.5] == "STANDARD"
    assert (roles[224, 4.5], roles[224, 9.0], roles[275, 13.5]) == (
        "STARTING", "TITRATION", "TITRATION",
    )  # fmt: skip
    assert roles[0, 4.5] == "STUDY"
