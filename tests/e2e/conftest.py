"""Fixtures for end-to-end tests: cadence-py as a subprocess, driven by the real CLI."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gevent import subprocess as gsubprocess

from tests.conftest import drop_keyspaces, new_keyspace, setup_cadence_keyspaces
from tests.harness.elasticsearch import ElasticsearchNode
from tests.harness.server import CASSANDRA_CONFIG, SQLITE_CONFIG, ServerProcess

# SQLite main store plus advanced visibility on the harness's Elasticsearch node.
ES_CONFIG = SQLITE_CONFIG.replace(
    "  datastores:\n", "  advancedVisibilityStore: es-visibility\n  datastores:\n") + """\
    es-visibility:
      elasticsearch:
        version: v7
        url: {{scheme: http, host: "{host}:{port}"}}
        indices: {{visibility: {index}}}
"""


@dataclass
class CliResult:
    code: int
    output: str


@pytest.fixture(params=["sqlite", "cassandra"])
def backend(request: pytest.FixtureRequest) -> str:
    """The server's stores. A test may parametrize it itself, also with "es" (SQLite with
    Elasticsearch advanced visibility): ``@pytest.mark.parametrize("backend", ["es"])``."""
    return request.param


@pytest.fixture(scope="module")
def es_index(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh visibility index on the shared Elasticsearch node for each test module,
    deleted when the module is done."""
    node: ElasticsearchNode = request.getfixturevalue("elasticsearch_node")
    index = f"cadence-visibility-e2e-{uuid.uuid4().hex[:12]}"
    yield index
    try:
        urllib.request.urlopen(urllib.request.Request(f"{node.url}/{index}", method="DELETE"),
                               timeout=30).close()
    except (urllib.error.URLError, OSError):
        pass  # never created (404), or the node is gone: nothing to clean up


def write_es_config(path: Path, node: ElasticsearchNode, index: str) -> Path:
    path.write_text(ES_CONFIG.format(log_level="info", host=node.host, port=node.port,
                                     index=index))
    return path


@pytest.fixture(scope="module")
def es_server(elasticsearch_node: ElasticsearchNode, es_index: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One cadence-py (SQLite + Elasticsearch) for a whole test module."""
    workdir = tmp_path_factory.mktemp("es-server")
    config = write_es_config(workdir / "config.yaml", elasticsearch_node, es_index)
    proc = ServerProcess(config, workdir / "data").start()
    yield proc
    proc.stop()


@pytest.fixture
def server(backend: str, tmp_path: Path, request: pytest.FixtureRequest
           ) -> Iterator[ServerProcess]:
    """A running cadence-py on the chosen backend (Cassandra keyspaces set up fresh)."""
    config = tmp_path / "config.yaml"
    keyspaces: tuple[str, ...] = ()
    node = None
    if backend == "sqlite":
        config.write_text(SQLITE_CONFIG.format(log_level="info"))
    elif backend == "es":
        write_es_config(config, request.getfixturevalue("elasticsearch_node"),
                        request.getfixturevalue("es_index"))
    else:
        node = request.getfixturevalue("cassandra_node")
        keyspace, visibility = new_keyspace("cadence"), new_keyspace("cadence_visibility")
        keyspaces = (keyspace, visibility)
        setup_cadence_keyspaces(node, keyspace, visibility)
        config.write_text(CASSANDRA_CONFIG.format(
            log_level="info", host=node.contact_point, port=node.port, keyspace=keyspace,
            visibility=visibility))
    proc = ServerProcess(config, tmp_path / "data").start()
    yield proc
    proc.stop()
    if node is not None:
        drop_keyspaces(node, *keyspaces)


def cli_runner(cadence_cli_bin: Path, server: ServerProcess) -> Callable[..., CliResult]:
    """``run("--do", "d", "re", stdin="y\\n")``: the real Cadence CLI against ``server``."""
    def run(*args: str, timeout: float = 60, stdin: str = "") -> CliResult:
        # gevent's subprocess: greenlets of the test (e.g. a worker) keep running meanwhile
        done = gsubprocess.run([str(cadence_cli_bin), "--address", server.address, *args],
                              input=stdin, capture_output=True, text=True, timeout=timeout)
        return CliResult(done.returncode, done.stdout + done.stderr)
    return run


@pytest.fixture
def cli(cadence_cli_bin: Path, server: ServerProcess) -> Callable[..., CliResult]:
    """Run the real Cadence CLI against ``server``: ``cli("--do", "d", "re")``."""
    return cli_runner(cadence_cli_bin, server)


@pytest.fixture(scope="module")
def es_cli(cadence_cli_bin: Path, es_server: ServerProcess) -> Callable[..., CliResult]:
    """The real Cadence CLI against the module's ``es_server``."""
    return cli_runner(cadence_cli_bin, es_server)
