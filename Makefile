# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
AUDIT := tests/gateway/http_audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed
ROUTER := examples/federation/router
ROUTER_STAMP := $(ROUTER)/node_modules/.installed
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed
UI := examples/caseload-ui
UI_STAMP := $(UI)/node_modules/.installed

.PHONY: run test lint typecheck install lock bench bench-peers clean noninterference \
	executor-newest deploy-check ui schema-check

LOCK := requirements/test.txt
UV := uv==0.13.8

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions, checked against their hashes (`make lock` writes the lock from
# pyproject.toml), then the project itself, editable, built by the locked setuptools.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $(STAMP)

# The graphql-http conformance audit runs under node; its packages are pinned by the lock file.
$(AUDIT_STAMP): $(AUDIT)/package-lock.json
	cd $(AUDIT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(AUDIT_STAMP)

# The federation tests' router (Apollo Gateway), pinned by its lock file.
$(ROUTER_STAMP): $(ROUTER)/package-lock.json
	cd $(ROUTER) && npm ci --no-audit --no-fund --loglevel=error
	touch $(ROUTER_STAMP)

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

install: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP) $(UI_STAMP) $(ROUTER_STAMP)

run: $(STAMP)
	$(BIN)/casegraph serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(AUDIT_STAMP) $(CLIENTS_STAMP) $(UI_STAMP) $(ROUTER_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# What a schema change does to clients, before committing it (`make test` checks history too).
schema-check: $(STAMP)
	$(BIN)/casegraph schema print | $(BIN)/casegraph schema diff tests/snapshots/schema.graphql - \
		--accepted tests/snapshots/schema-breaking.toml

# The noninterference property test's full profile: 2,000 examples per principal.
noninterference: $(STAMP)
	CASEGRAPH_NI_EXAMPLES=2000 $(BIN)/python -m pytest tests/policies/test_noninterference.py

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The locks, from pyproject.toml, for every platform and Python 3.11+: runtime.txt is what the
# container installs, test.txt what `make install` (and so CI) installs. Pinned uv, run from
# a throwaway environment so it never lands in .venv.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock && $(VENV)-lock/bin/pip install --quiet $(UV)
	$(VENV)-lock/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements/runtime.txt
	$(VENV)-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra test \
		--constraint requirements/runtime.txt --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements/test.txt
	rm -rf $(VENV)-lock

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.enforcement
	$(BIN)/python -m bench.validation
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.events_broker

# casegraph beside Hive Gateway + GraphQL Mesh over the same simulators (not in CI): the
# peer's npm packages are pinned by bench/peers/package-lock.json.
PEERS := bench/peers
PEERS_STAMP := $(PEERS)/node_modules/.installed
$(PEERS_STAMP): $(PEERS)/package-lock.json
	cd $(PEERS) && npm ci --no-audit --no-fund --loglevel=error
	touch $(PEERS_STAMP)

bench-peers: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python -m bench.peers

# The fast executor against the newest strawberry (and the graphql-core it brings), in a
# throwaway environment: its answers must still equal the policed executor's, with the
# version check skipped; and the start-up check must fall back where a release is unknown.
NEWEST := $(VENV)-newest
executor-newest:
	rm -rf $(NEWEST) && $(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/pip install --quiet --require-hashes --no-deps -r requirements/runtime.txt
	$(NEWEST)/bin/pip install --quiet --upgrade strawberry-graphql pytest pytest-asyncio hypothesis \
		"setuptools>=77"
	$(NEWEST)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	$(NEWEST)/bin/python -c "from importlib.metadata import version as v; \
		print('newest: strawberry-graphql', v('strawberry-graphql'), 'graphql-core', v('graphql-core'))"
	CASEGRAPH_FAST_EXECUTOR=force $(NEWEST)/bin/python -m pytest -q -p no:cacheprovider \
		tests/resolvers/test_execution.py
	rm -rf $(NEWEST)

# The Kubernetes manifests against the Kubernetes schemas, offline (also part of `make test`).
deploy-check: $(STAMP)
	$(BIN)/python -m pytest -q tests/deploy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
