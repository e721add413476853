"""Session-wide fixtures: the real parts (Cassandra and Elasticsearch nodes, Cadence CLI)
and helpers.

A fixture that cannot get its real part skips with the reason, except under CI=true
where that is a failure: nothing may pass by testing nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import cadence_cli
from tests.harness import cassandra as cassandra_harness
from tests.harness import elasticsearch as es_harness

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(ok: bool, reason: str) -> None:
    """Skip (locally) or fail (under CI=true) when a real part is missing."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"required test dependency missing under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cassandra_node(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[cassandra_harness.CassandraNode]:
    """One real Apache Cassandra 5.0 node for the whole run, on loopback.

    ``CADENCE_PY_TEST_CASSANDRA_PORT=N`` uses a node already running on 127.0.0.1:N
    instead (``python -m tests.harness.cassandra run``): quicker reruns while developing.
    """
    running = os.environ.get("CADENCE_PY_TEST_CASSANDRA_PORT")
    if running:
        yield cassandra_harness.CassandraNode(tmp_path_factory.mktemp("cassandra"),
                                              native_port=int(running))
        return
    require(shutil.which("java") is not None, "no java on PATH for Cassandra")
    lib = cassandra_harness.lib_dir()
    if not (lib / cassandra_harness._MARKER).exists():
        try:
            cassandra_harness.fetch()
        except Exception as exc:  # noqa: BLE001 - reported as skip/fail reason
            require(False, f"cannot fetch Cassandra jars: {exc}")
    # The whole suite creates a few hundred tables on this one node (fresh keyspaces per
    # test); 1 GiB of heap ran out during a full run, so give it 3 GiB (RAM is plentiful).
    node = cassandra_harness.CassandraNode(tmp_path_factory.mktemp("cassandra"), heap="3G")
    try:
        node.start()
    except Exception as exc:  # noqa: BLE001
        node.stop()
        require(False, f"cannot start Cassandra: {exc}")
    yield node
    node.stop()


@pytest.fixture(scope="session")
def elasticsearch_node(tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[es_harness.ElasticsearchNode]:
    """One real Elasticsearch 7.10.2 node for the whole run, on loopback (512 MiB heap).

    Skips (locally) only when the JDK or Maven is missing or the jars cannot be fetched;
    once the jars are there, a node that does not start is a failure everywhere.
    """
    require(es_harness.jdk_tool("java") is not None, "no java on PATH for Elasticsearch")
    if not es_harness.is_fetched():
        require(shutil.which("mvn") is not None and es_harness.jdk_tool("javac") is not None,
                "need mvn and javac to fetch Elasticsearch")
        try:
            es_harness.fetch()
        except Exception as exc:  # noqa: BLE001 - reported as skip/fail reason
            require(False, f"cannot fetch Elasticsearch jars: {exc}")
    node = es_harness.ElasticsearchNode(tmp_path_factory.mktemp("elasticsearch"))
    try:
        node.start()
    except Exception as exc:  # noqa: BLE001
        node.stop()
        pytest.fail(f"cannot start Elasticsearch: {exc}")
    yield node
    node.stop()


@pytest.fixture(scope="session")
def cadence_cli_bin() -> Path:
    """The real Cadence CLI v1.4.1 binary (built once from the Go module proxy)."""
    path = cadence_cli.binary_path()
    if not path.exists():
        require(shutil.which("go") is not None or Path("/usr/local/go/bin/go").exists(),
                "no Go toolchain to build the Cadence CLI")
        try:
            cadence_cli.build()
        except subprocess.CalledProcessError as exc:
            require(False, f"cannot build the Cadence CLI: {exc}")
    return path


def new_keyspace(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def drop_keyspaces(node: cassandra_harness.CassandraNode, *keyspaces: str) -> None:
    """Drop test keyspaces so one long run does not pile up tables on the node."""
    from cassandra.cluster import Cluster
    cluster = Cluster([node.contact_point], port=node.port, connect_timeout=10)
    try:
        session = cluster.connect()
        for keyspace in keyspaces:
            session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}", timeout=60)
    finally:
        cluster.shutdown()


def setup_cadence_keyspaces(node: cassandra_harness.CassandraNode, keyspace: str,
                            visibility_keyspace: str) -> None:
    """Create both keyspaces with our cadence-cassandra-tool, as an operator would."""
    base = ["cadence-cassandra-tool", "-ep", node.contact_point, "-p", str(node.port)]
    for ks, folder in ((keyspace, "cadence"), (visibility_keyspace, "visibility")):
        versioned = str(REPO / "schema" / "cassandra" / folder / "versioned")
        for args in (["-k", ks, "create-keyspace", "--rf", "1"],
                     ["-k", ks, "setup-schema", "-v", "0.0"],
                     ["-k", ks, "update-schema", "-d", versioned]):
            subprocess.run(base + args, check=True, capture_output=True, text=True)
