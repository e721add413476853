"""The factory gives a Cassandra-configured server Cassandra execution stores, sharded by
``persistence.numHistoryShards``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cadence_py.persistence.factory import open_execution_stores
from cadence_py.server.config import ConfigError, load_config
from tests.persistence.test_domain_store_contract import _create_keyspace, _drop_keyspace

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
persistence:
  defaultStore: cass
  numHistoryShards: {shards}
  datastores:
    cass:
      nosql: {{pluginName: cassandra, hosts: "{host}", port: {port}, keyspace: {keyspace}}}
"""


def write(tmp_path: Path, **values: Any) -> Path:
    defaults = {"shards": 4, "host": "127.0.0.1", "port": 9042, "keyspace": "cadence"}
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(**{**defaults, **values}))
    return path


def test_num_history_shards_is_kept(tmp_path: Path) -> None:
    assert load_config(REPO / "config" / "development_cassandra.yaml"
                       ).cassandra.num_history_shards == 4
    assert load_config(write(tmp_path, shards=16)).cassandra.num_history_shards == 16
    with pytest.raises(ConfigError, match="numHistoryShards"):
        load_config(write(tmp_path, shards=0))


@pytest.mark.cassandra
def test_cassandra_config_opens_cassandra_stores(cassandra_node, tmp_path: Path  # type: ignore[no-untyped-def]
                                                 ) -> None:
    from cadence_py.persistence.cassandra.executions import CassandraExecutionStore
    from cadence_py.persistence.cassandra.tasks import CassandraTaskStore

    keyspace = _create_keyspace(cassandra_node)
    try:
        config = load_config(write(tmp_path, shards=8, host=cassandra_node.contact_point,
                                   port=cassandra_node.port, keyspace=keyspace))
        executions, tasks = open_execution_stores(config, domains=None)  # type: ignore[arg-type]
        try:
            assert isinstance(executions, CassandraExecutionStore)
            assert isinstance(tasks, CassandraTaskStore)
            assert executions.num_shards == 8
            assert executions.acquire_range(7) >= 1
        finally:
            executions.close()
        assert not list(tmp_path.glob("**/*.db"))  # no SQLite fallback any more
    finally:
        _drop_keyspace(cassandra_node, keyspace)
