"""The lexicon's cache: read back equal, keyed by what it is built from, rebuilt when damaged."""

import logging
import os
import pickle
import shutil
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path

import pytest

from ingest import lexicon
from ingest.lexicon import Lexicon


def small() -> Lexicon:
    """A lexicon of the curated names alone, built in milliseconds."""
    return lexicon.build({}, {}, lexicon.curated_names(), lexicon.ignored_names())


def cache_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_cached_lexicon_reads_back_equal(
    names: Lexicon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexicon, "build_full", lambda: names)
    assert lexicon.cached(tmp_path) is names
    monkeypatch.setattr(lexicon, "build_full", small)
    read = lexicon.cached(tmp_path)
    assert read is not names
    assert vars(read) == vars(names)
    for phrase in ["LDN", "Vivitrol", "fish oil", "B12", "melatonins", "receptor"]:
        assert read.resolve(phrase) == names.resolve(phrase)
    for misspelt in ["nalrexone", "mellowtonin", "metforman"]:
        assert read.closest(misspelt) == names.closest(misspelt)


def test_only_the_cache_file_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is written under a temporary name and renamed, never left half-written."""
    monkeypatch.setattr(lexicon, "build_full", small)
    lexicon.cached(tmp_path / "cache")
    assert cache_files(tmp_path / "cache") == [f"lexicon-{lexicon.cache_key()}.pickle"]
    assert (tmp_path / "cache").stat().st_mode & 0o077 == 0


def test_a_changed_data_file_changes_the_key(tmp_path: Path) -> None:
    code = tmp_path / "ingest"
    shutil.copytree(Path(str(resources.files("ingest"))), code)
    assert lexicon.cache_key(code) == lexicon.cache_key()
    substances = code / "data" / "substances.toml"
    substances.write_text(substances.read_text() + '\n["zorbulax"]\naliases = ["zorb"]\n')
    assert lexicon.cache_key(code) != lexicon.cache_key()


def test_another_version_of_the_vocabulary_changes_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = lexicon.cache_key()
    installed = metadata.version
    monkeypatch.setattr(
        metadata,
        "version",
        lambda package: (
            "0.0.1" if package == "drug-named-entity-recognition" else installed(package)
        ),
    )
    assert lexicon.cache_key() != before


@pytest.mark.parametrize("content", [b"not a pickle", pickle.dumps({"names": {}})])
def test_a_damaged_cache_file_is_rebuilt(
    content: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(lexicon, "build_full", small)
    path = tmp_path / f"lexicon-{lexicon.cache_key()}.pickle"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="ingest.lexicon"):
        found = lexicon.cached(tmp_path)
    assert found.resolve("LDN") is not None
    assert "rebuilding it" in caplog.text
    with path.open("rb") as file:
        assert vars(pickle.load(file)) == vars(found)


def test_an_unwritable_folder_builds_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A folder under a file cannot be made, whoever runs the tests (root ignores permissions).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(lexicon, "build_full", small)
    with caplog.at_level(logging.WARNING, logger="ingest.lexicon"):
        found = lexicon.cached(blocker / "cache")
    assert found.resolve("LDN") is not None
    assert "cannot write the lexicon cache" in caplog.text
    assert cache_files(tmp_path) == ["a-file"]


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMDEX_CACHE_DIR", str(tmp_path / "set"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert lexicon.cache_dir() == tmp_path / "set"
    monkeypatch.delenv("CLAIMDEX_CACHE_DIR")
    assert lexicon.cache_dir() == tmp_path / "xdg" / "claimdex"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lexicon.cache_dir() == tmp_path / "home" / ".cache" / "claimdex"


def test_a_warm_cache_never_imports_the_vocabulary(names: Lexicon) -> None:
    """The session's `names` came through load(), which left the cache warm for this child."""
    probe = (
        "import sys; from ingest import lexicon; found = lexicon.load(); "
        "print(len(found.names), 'drug_named_entity_recognition' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=os.environ, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == [str(len(names.names)), "False"]


def test_phrases_of_everyday_words_name_no_vocabulary_drug() -> None:
    vocabulary = {
        "brown rice": ["rice"],
        "natural killer cell": ["natural killer cell"],
        "regular insulin": ["insulin"],
        "insulin": ["insulin"],
        "amiodarone hydrochloride": ["amiodarone"],
    }
    data = {name[0]: {"drugbank_id": "DB0"} for name in vocabulary.values()}
    built = lexicon.build(vocabulary, data, {})
    assert built.resolve("brown rice") is None
    assert built.resolve("natural killer cell") is None
    # A phrase one of whose words is itself a drug's name, or a rare word, is kept.
    assert built.resolve("regular insulin") is not None
    assert built.resolve("amiodarone hydrochloride") is not None
