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

    SQLite shares the domain store's connection (one file, one writer). Cassandra
    execution storage is not built yet: until it is, a Cassandra-configured server keeps
    runs in a SQLite file under the data dir, and says so in the log.
    """
    from cadence_py.persistence.sqlite import SQLiteStore
    from cadence_py.persistence.sqlite.executions import SQLiteExecutionStore, SQLiteTaskStore
    if isinstance(domains, SQLiteStore):
        db = domains
    else:
        import logging
        logging.getLogger(__name__).warning(
            "workflow executions on Cassandra are not implemented yet; keeping them in "
            "%s", config.data_dir / "executions.db")
        db = SQLiteStore(config.data_dir / "executions.db")
    return SQLiteExecutionStore(db), SQLiteTaskStore(db)
