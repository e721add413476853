"""Opens the configured store implementation."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from cadence_py.persistence.domains import DomainStore
from cadence_py.persistence.visibility import VisibilityStore
from cadence_py.persistence.visibility_queue import VisibilityQueue

if TYPE_CHECKING:
    from cadence_py.server.config import ServerConfig


def open_domain_store(config: "ServerConfig") -> DomainStore:
    if config.store == "sqlite":
        from cadence_py.persistence.sqlite import SQLiteStore
        return SQLiteStore(config.sqlite_path, writer_process=config.sqlite_writer_process)
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


def _cassandra_session(config: "ServerConfig", keyspace: str) -> Any:
    from cadence_py.persistence.cassandra import config_from_server, connect
    return connect(dataclasses.replace(config_from_server(config.cassandra), keyspace=keyspace))


def _sqlite_visibility_db(config: "ServerConfig", domains: DomainStore) -> Any:
    """The main SQLite store, or ``visibility.db`` when the domain store came from
    outside (tests)."""
    from cadence_py.persistence.sqlite import SQLiteStore
    return domains if isinstance(domains, SQLiteStore) else \
        SQLiteStore(config.data_dir / "visibility.db")


def open_visibility_store(config: "ServerConfig", domains: DomainStore) -> VisibilityStore:
    """Basic visibility: SQLite shares the main file; Cassandra uses Cadence's tables in
    ``cadence_visibility`` (``config.cassandra.visibility_keyspace``) on a session the
    store owns, and reads domain retention from ``domains`` for the closed rows' TTL."""
    if config.store == "cassandra":
        from cadence_py.persistence.cassandra.visibility import CassandraVisibilityStore

        session = _cassandra_session(config, config.cassandra.visibility_keyspace)
        try:
            return CassandraVisibilityStore(session, domains, owns_session=True)
        except BaseException:
            session.cluster.shutdown()
            raise
    from cadence_py.persistence.sqlite.visibility import SQLiteVisibilityStore
    return SQLiteVisibilityStore(_sqlite_visibility_db(config, domains))


def open_visibility_queue(config: "ServerConfig", domains: DomainStore) -> VisibilityQueue:
    """The durable outbox to Elasticsearch, in the main store: a SQLite table, or the
    ``queue`` table of the main Cassandra keyspace (a session the queue owns)."""
    if config.store == "cassandra":
        from cadence_py.persistence.cassandra.visibility_queue import CassandraVisibilityQueue

        session = _cassandra_session(config, config.cassandra.keyspace)
        try:
            return CassandraVisibilityQueue(session, owns_session=True)
        except BaseException:
            session.cluster.shutdown()
            raise
    from cadence_py.persistence.sqlite.visibility_queue import SQLiteVisibilityQueue
    return SQLiteVisibilityQueue(_sqlite_visibility_db(config, domains))
