"""The domains the worker role's workflows run in, created at start as upstream's worker
service creates them (``cadence-system`` is seeded by the schema already)."""

from __future__ import annotations

import time

from cadence_py.persistence import errors as perr
from cadence_py.persistence.domains import (
    INITIAL_PREVIOUS_FAILOVER_VERSION,
    LOCAL_FAILOVER_VERSION,
    DomainConfig,
    DomainInfo,
    DomainRecord,
    DomainStore,
    ReplicationConfig,
)
from cadence_py.worker import batcher

SYSTEM_DOMAIN_RETENTION_DAYS = 7


def ensure_domain(store: DomainStore, name: str, domain_id: str, cluster: str) -> None:
    """Create the local domain with its fixed id unless it exists."""
    try:
        store.get_domain(name=name)
        return
    except perr.EntityNotExistsError:
        pass
    record = DomainRecord(
        info=DomainInfo(id=domain_id, name=name, description="Cadence internal system domain"),
        config=DomainConfig(retention_days=SYSTEM_DOMAIN_RETENTION_DAYS, emit_metric=True),
        replication=ReplicationConfig(active_cluster_name=cluster, clusters=[cluster]),
        is_global=False, failover_version=LOCAL_FAILOVER_VERSION,
        previous_failover_version=INITIAL_PREVIOUS_FAILOVER_VERSION,
        last_updated_time=time.time_ns())
    try:
        store.create_domain(record)
    except (perr.DomainAlreadyExistsError, perr.ConditionFailedError):
        pass  # another process made it (or made another domain) at the same moment


def ensure_system_domains(store: DomainStore, cluster: str) -> None:
    ensure_domain(store, batcher.DOMAIN, batcher.DOMAIN_ID, cluster)
