# One entry point for every task. The first target that needs it creates .venv and installs
# the project with its test tools; later runs reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test lint schema eval bench bench-large clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(INSTALLED)

install: $(INSTALLED)

serve: install
	$(BIN)/claimdex ingest seeds/
	$(BIN)/claimdex serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: install
	$(BIN)/strawberry export-schema api.schema:schema --output schema.graphql

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache claimdex.db claimdex.db-wal claimdex.db-shm

# The gold documents, the real-speech development and sealed sets, and the ADE corpus; exits 1
# under any floor. The sealed set prints its scores only, never its errors.
eval: install
	$(BIN)/claimdex eval --ade ../shared/benchmarks/ade-corpus-v2/DRUG-DOSE.rel \
		--real tests/gold-real/dev --real tests/gold-real/sealed \
		--transcripts ../shared/realspeech/huberman-dev

bench: install
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.lexicon
	$(BIN)/python -m bench.run --sizes 100 1000 --title "Quick benchmarks"

bench-large: install
	$(BIN)/python -m bench.run --sizes 10000 --repeats 1 --serve-requests 10000 --seed-copies 0 --title "Large benchmarks"
