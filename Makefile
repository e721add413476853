# cadence-py developer entry points. Two of them matter most (see README):
#   make run    install and start the server on the embedded SQLite store
#   make test   install everything the tests need and run the whole suite
#
# Downloads (Cassandra jars, Maven repo, the built Cadence CLI) are cached in CACHE_DIR,
# outside the clone so that fresh clones on the same machine reuse them.

PYTHON    ?= python3
CACHE_DIR ?= $(HOME)/.cache/cadence-py
export CADENCE_PY_CACHE := $(CACHE_DIR)
GO        ?= $(shell command -v go || echo /usr/local/go/bin/go)
PYTEST_ARGS ?=

.PHONY: run install install-test deps cli cassandra-jars test test-fast clean-cache

install:
	$(PYTHON) -m pip install -q -e .

run: install
	cadence-py server start

install-test:
	$(PYTHON) -m pip install -q -e ".[test]"

cli:
	PATH="$(dir $(GO)):$$PATH" $(PYTHON) -m tests.harness.cadence_cli

cassandra-jars:
	$(PYTHON) -m tests.harness.cassandra fetch

deps: install-test cli cassandra-jars

test: deps
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Unit tests only: no Cassandra, no CLI.
test-fast: install-test
	$(PYTHON) -m pytest tests --ignore=tests/e2e -m "not cassandra" $(PYTEST_ARGS)

clean-cache:
	rm -rf $(CACHE_DIR)
