"""Opens the configured store implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadence_py.persistence.domains import DomainStore

if TYPE_CHECKING:
    from cadence_py.server.config import ServerConfig


def open_domain_store(config: "ServerConfig") -> DomainStore:
    if config.store == "sqlite":
        from cadence_py.persistence.sqlite import SQLiteStore
        return SQLiteStore(config.sqlite_path)
    if config.store == "cassandra":
        from cadence_py.persistence.cassandra import open_domain_store as open_cassandra
        return open_cassandra(config.cassandra)
    raise ValueError(f"unknown store {config.store!r}")


def open_execution_stores(config: "ServerConfig", domains: DomainStore) -> tuple[Any, Any]:
    """(ExecutionStore, TaskStore) for the configured backend.

    SQLite shares the domain store's connection (one file, one writer). Cassandra gets a
    session of its own, owned by the execution store (``close()`` shuts it down) and
    lent to the task store; ``persistence.numHistoryShards`` decides the sharding.
    """
    if config.store == "cassandra":
        from cadence_py.persistence.cassandra import config_from_server, connect
        from cadence_py.persistence.cassandra.executions import CassandraExecutionStore
        from cadence_py.persistence.cassandra.tasks import CassandraTaskStore

        session = connect(config_from_server(config.cassandra))
        try:
            executions = CassandraExecutionStore(
                session, config.cassandra.num_history_shards, owns_session=True)
            return executions, CassandraTaskStore(session)
        except BaseException:
            session.cluster.shutdown()
            raise
    from cadence_py.persistence.sqlite import SQLiteStore
    from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore, SQLiteTaskStore
    if isinstance(domains, SQLiteStore):
        db = domains
    else:  # a domain store handed in from outside (tests): runs go to a file of their own
        db = SQLiteStore(config.data_dir / "executions.db")
    return SQLiteExecutionStore(db), SQLiteTaskStore(db)
