"""Cassandra stores in Cadence's own keyspace layout (schema/cassandra/cadence).

``session`` owns every cassandra-driver connection detail; the stores only take a
``Session``, so a keyspace prepared by ``cadence-cassandra-tool`` can be shared with the
upstream Go server.
"""

from __future__ import annotations

from typing import Any

from cadence_py.persistence.cassandra.domains import CassandraDomainStore
from cadence_py.persistence.cassandra.session import (
    CassandraConfig,
    TLSConfig,
    config_from_server,
    connect,
)


def open_domain_store(server_cfg: Any) -> CassandraDomainStore:
    """The DomainStore for ``persistence.factory``: takes the server's parsed Cassandra
    section; the store owns its session, so ``close()`` shuts the connections down."""
    cfg = server_cfg if isinstance(server_cfg, CassandraConfig) else config_from_server(server_cfg)
    session = connect(cfg)
    try:
        return CassandraDomainStore(session, owns_session=True)
    except BaseException:
        session.cluster.shutdown()
        raise


__all__ = ["CassandraConfig", "CassandraDomainStore", "TLSConfig", "config_from_server",
           "connect", "open_domain_store"]
