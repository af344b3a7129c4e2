# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
AUDIT := tests/gateway/http_audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed
UI := examples/caseload-ui
UI_STAMP := $(UI)/node_modules/.installed

.PHONY: run test lint install bench clean ui schema-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The graphql-http conformance audit runs under node; its packages are pinned by the lock file.
$(AUDIT_STAMP): $(AUDIT)/package-lock.json
	cd $(AUDIT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(AUDIT_STAMP)

# Front-end tooling the tests run against a live gateway (graphql-codegen, relay-compiler, urql).
$(CLIENTS_STAMP): $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	touch $(CLIENTS_STAMP)

# The example caseload UI: its build is committed (so `make run` needs no node); `make ui`
# rebuilds it after a change to its source, and a test checks the two agree.
$(UI_STAMP): $(UI)/package-lock.json
	cd $(UI) && npm ci --no-audit --no-fund --loglevel=error
	touch $(UI_STAMP)

ui: $(UI_STAMP)
	cd $(UI) && npm run build

install: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP) $(UI_STAMP)

run: $(STAMP)
	$(BIN)/casegraph serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP) $(UI_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# What a schema change does to clients, before committing it (`make test` checks history too).
schema-check: $(STAMP)
	$(BIN)/casegraph schema print | $(BIN)/casegraph schema diff tests/snapshots/schema.graphql - \
		--accepted tests/snapshots/schema-breaking.toml

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.enforcement

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
