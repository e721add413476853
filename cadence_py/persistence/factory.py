"""Opens the configured store implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
