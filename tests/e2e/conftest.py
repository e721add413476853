"""Fixtures for end-to-end tests: cadence-py as a subprocess, driven by the real CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gevent import subprocess as gsubprocess

from tests.conftest import drop_keyspaces, new_keyspace, setup_cadence_keyspaces
from tests.harness.server import ServerProcess

SQLITE_CONFIG = """\
log: {{level: info}}
persistence:
  defaultStore: sqlite-default
  datastores:
    sqlite-default:
      sqlite: {{path: cadence.db}}
"""

CASSANDRA_CONFIG = """\
log: {{level: info}}
persistence:
  defaultStore: cass-default
  visibilityStore: cass-visibility
  datastores:
    cass-default:
      nosql: {{pluginName: cassandra, hosts: "{host}", port: {port}, keyspace: {keyspace}}}
    cass-visibility:
      nosql: {{pluginName: cassandra, hosts: "{host}", port: {port}, keyspace: {visibility}}}
"""


@dataclass
class CliResult:
    code: int
    output: str


@pytest.fixture(params=["sqlite", "cassandra"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def server(backend: str, tmp_path: Path, request: pytest.FixtureRequest
           ) -> Iterator[ServerProcess]:
    """A running cadence-py on the chosen backend (Cassandra keyspaces set up fresh)."""
    config = tmp_path / "config.yaml"
    keyspaces: tuple[str, ...] = ()
    node = None
    if backend == "sqlite":
        config.write_text(SQLITE_CONFIG.format())
    else:
        node = request.getfixturevalue("cassandra_node")
        keyspace, visibility = new_keyspace("cadence"), new_keyspace("cadence_visibility")
        keyspaces = (keyspace, visibility)
        setup_cadence_keyspaces(node, keyspace, visibility)
        config.write_text(CASSANDRA_CONFIG.format(host=node.contact_point, port=node.port,
                                                  keyspace=keyspace, visibility=visibility))
    proc = ServerProcess(config, tmp_path / "data").start()
    yield proc
    proc.stop()
    if node is not None:
        drop_keyspaces(node, *keyspaces)


@pytest.fixture
def cli(cadence_cli_bin: Path, server: ServerProcess) -> Callable[..., CliResult]:
    """Run the real Cadence CLI against ``server``: ``cli("--do", "d", "re")``."""
    def run(*args: str, timeout: float = 60) -> CliResult:
        # gevent's subprocess: greenlets of the test (e.g. a worker) keep running meanwhile
        done = gsubprocess.run([str(cadence_cli_bin), "--address", server.address, *args],
                              capture_output=True, text=True, timeout=timeout)
        return CliResult(done.returncode, done.stdout + done.stderr)
    return run
