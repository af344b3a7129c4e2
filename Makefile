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

.PHONY: run test lint install bench clean

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

install: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP)

run: $(STAMP)
	$(BIN)/casegraph serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.enforcement

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
