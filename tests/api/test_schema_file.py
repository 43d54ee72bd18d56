import subprocess
import sys
from pathlib import Path

from api.schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_is_exported_from_the_code() -> None:
    exported = subprocess.run(
        [str(Path(sys.executable).parent / "strawberry"), "export-schema", "api.schema:schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert exported.strip() == schema.as_str().strip()
    written = (ROOT / "schema.graphql").read_text()
    assert written.strip() == exported.strip(), "schema.graphql is stale: run `make schema`"
