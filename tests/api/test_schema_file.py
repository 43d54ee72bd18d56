from pathlib import Path

from api.schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_is_exported_from_the_code() -> None:
    written = (ROOT / "schema.graphql").read_text()
    assert written.strip() == schema.as_str().strip(), "schema.graphql is stale: run `make schema`"
