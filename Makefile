# One entry point for every task. The first target that needs it creates .venv and installs
# the project with its test tools; later runs reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test lint schema eval bench bench-large clean graphiql-assets

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
	$(BIN)/pytest -n auto

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
		--meaning tests/gold-real/meaning/dev --meaning tests/gold-real/meaning/sealed \
		--stance tests/gold-meaning/dev --stance tests/gold-meaning/sealed \
		--regimen tests/gold-meaning/dev --regimen tests/gold-meaning/sealed \
		--indications tests/gold-meaning/dev --indications tests/gold-meaning/sealed \
		--transcripts ../shared/realspeech/huberman-dev

bench: install
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.lexicon
	$(BIN)/python -m bench.run --sizes 100 1000 --title "Quick benchmarks"

bench-large: install
	$(BIN)/python -m bench.run --sizes 10000 --repeats 1 --serve-requests 10000 --seed-copies 0 --title "Large benchmarks"

# GraphiQL at /graphql loads its scripts from api/static/graphiql, never from a CDN. To move to
# other versions, change them here and in api/static/graphiql/README.md, run this, and commit
# the files it copies. Needs npm and the registry; nothing runs it at build or start-up.
GRAPHIQL_PACKAGES := graphiql@3.8.3 react@18.3.1 react-dom@18.3.1
GRAPHIQL_ASSETS := api/static/graphiql
graphiql-assets:
	rm -rf build/graphiql && mkdir -p build/graphiql
	cd build/graphiql && for package in $(GRAPHIQL_PACKAGES); do \
		name=$${package%@*}; mkdir $$name; \
		tar -xzf "$$(npm pack --silent $$package)" -C $$name --strip-components=1; \
	done
	cp build/graphiql/graphiql/graphiql.min.js build/graphiql/graphiql/graphiql.min.css \
		build/graphiql/react/umd/react.production.min.js \
		build/graphiql/react-dom/umd/react-dom.production.min.js $(GRAPHIQL_ASSETS)/
	for name in graphiql react react-dom; do \
		cp build/graphiql/$$name/LICENSE $(GRAPHIQL_ASSETS)/LICENSE.$$name; \
	done
