"""The output shapes and their writer, without a database: rows stand in for db.claims'."""

import csv
import io
import json
from types import SimpleNamespace

import pytest

from api import shapes
from api.types.node import to_global_id

DOSAGE = SimpleNamespace(
    value=4.5,
    max_value=None,
    unit="mg",
    frequency="nightly",
    per_day=4.5,
    text="4.5 milligrams at night",
    episode_id=3,
    episode_title="Low-dose naltrexone",
    episode_url="https://www.youtube.com/watch?v=abc",
    seconds=106,
    stance="PRACTICE",
    speaker="Peter Attia",
    sponsored=False,
    condition_id=7,
    condition_name="complex regional pain syndrome",
    condition_code="G90.5",
    regimen="STANDARD",
)


def test_a_dosage_row_keeps_its_columns_in_order() -> None:
    row = shapes.dosage_row(DOSAGE, "naltrexone")
    assert list(row) == [
        "kind", "medication", "value", "max_value", "unit", "frequency", "per_day", "text",
        "episode_id", "episode_title", "seconds", "timestamp", "link", "stance", "speaker",
        "sponsored", "indication", "indication_code", "regimen",
    ]  # fmt: skip
    assert (row["indication"], row["indication_code"]) == (
        "complex regional pain syndrome",
        "G90.5",
    )
    assert row["regimen"] == "STANDARD"
    assert row["episode_id"] == to_global_id("Episode", 3)
    assert row["timestamp"] == "00:01:46"
    assert row["link"] == "https://www.youtube.com/watch?v=abc&t=106s"


@pytest.mark.parametrize(
    ("value", "high", "said"),
    [(4.5, None, "4.5 mg"), (5.0, 6.0, "5-6 mg"), (0.5, 1.5, "0.5-1.5 mg")],
)
def test_a_dose_reads_as_people_write_it(value: float, high: float | None, said: str) -> None:
    assert shapes.dose(SimpleNamespace(value=value, max_value=high, unit="mg")) == said


def test_a_warning_kind_in_words() -> None:
    assert shapes.caution(SimpleNamespace(kind="SIDE_EFFECT")) == "side effect"


def test_csv_has_every_column_in_the_order_first_seen() -> None:
    out = io.StringIO()
    shapes.write_rows(out, [{"a": 1, "b": None}, {"a": 2, "c": "x, y"}], "csv")
    assert out.getvalue().splitlines()[0] == "a,b,c"
    assert list(csv.DictReader(io.StringIO(out.getvalue())))[1] == {"a": "2", "b": "", "c": "x, y"}


def test_ndjson_and_json_carry_the_same_rows() -> None:
    rows = [shapes.dosage_row(DOSAGE, "naltrexone")]
    lines, whole = io.StringIO(), io.StringIO()
    shapes.write_rows(lines, rows, "ndjson")
    shapes.write_rows(whole, rows, "json")
    assert [json.loads(line) for line in lines.getvalue().splitlines()] == json.loads(
        whole.getvalue()
    )


def test_an_unknown_format_is_named() -> None:
    with pytest.raises(ValueError, match="'xml' is not one of csv, ndjson, json"):
        shapes.write_rows(io.StringIO(), [], "xml")


def test_json_schema_of_a_shape_says_what_may_be_null() -> None:
    schemas: dict[str, object] = {}
    assert shapes.json_schema(list[shapes.QuoteRow], schemas) == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/QuoteRow"},
    }
    quote = schemas["QuoteRow"]
    assert isinstance(quote, dict)
    assert quote["required"] == ["claimed_seconds", "seconds", "text"]  # the moment may be absent
    assert quote["properties"]["seconds"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert quote["properties"]["link"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
