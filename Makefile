# cadence-py developer entry points. Two of them matter most (see README):
#   make run    install and start the server on the embedded SQLite store
#   make test   install everything the tests need and run the whole suite
#
# Downloads (Cassandra and Elasticsearch jars, Maven repo, the built Cadence CLI) are cached in CACHE_DIR,
# outside the clone so that fresh clones on the same machine reuse them.

PYTHON    ?= python3
CACHE_DIR ?= $(HOME)/.cache/cadence-py
export CADENCE_PY_CACHE := $(CACHE_DIR)
GO        ?= $(shell command -v go || echo /usr/local/go/bin/go)
PYTEST_ARGS ?=

.PHONY: run install install-test deps cli go-client bench-driver java-client cassandra-jars es-jars graphite compose-spec test test-fast clean-cache

install:
	$(PYTHON) -m pip install -q -e .

run: install
	cadence-py server start

install-test:
	$(PYTHON) -m pip install -q -e ".[test]"

cli:
	PATH="$(dir $(GO)):$$PATH" $(PYTHON) -m tests.harness.cadence_cli

# Our Go program (tests/e2e/go) that drives cadence-py with the real Cadence Go client.
go-client:
	PATH="$(dir $(GO)):$$PATH" $(PYTHON) -m tests.harness.go_client

# The Go benchmark driver (bench/go); the Cassandra fault tests drive their load with it.
bench-driver:
	PATH="$(dir $(GO)):$$PATH" $(PYTHON) -m bench.driver

# Our Java program (tests/e2e/java) that drives cadence-py with the real Cadence Java client
# (Maven; jar and Maven repo cached in CACHE_DIR).
java-client:
	$(PYTHON) -m tests.harness.java_client

cassandra-jars:
	$(PYTHON) -m tests.harness.cassandra fetch

# Elasticsearch 7.10.2 jars from Maven Central plus our compiled launcher (EsNode.java).
es-jars:
	$(PYTHON) -m tests.harness.elasticsearch fetch

# The metrics pipeline: graphite-carbon + graphite-web (apt, needs root; apt-get update
# runs only when one is missing) and the npm statsd daemon (cached in CACHE_DIR).
graphite:
	$(PYTHON) -m tests.harness.graphite fetch

# compose-go's validator, for the test that checks the docker-compose files.
compose-spec:
	PATH="$(dir $(GO)):$$PATH" $(PYTHON) -m tests.harness.compose_spec

deps: install-test cli go-client bench-driver java-client cassandra-jars es-jars graphite compose-spec

test: deps
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Unit tests only: no Cassandra, no CLI.
test-fast: install-test
	$(PYTHON) -m pytest tests --ignore=tests/e2e -m "not cassandra" $(PYTEST_ARGS)

clean-cache:
	rm -rf $(CACHE_DIR)
