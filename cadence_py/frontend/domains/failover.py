"""FailoverDomain and ListFailoverHistory on a single cluster.

There is no other cluster to fail over to: a local domain gets upstream's refusal, a
global one may only name this cluster (nothing changes). No failover ever happens, so
the history is always empty (upstream reads it from its domain audit log).
"""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains.convert import domain_parts
from cadence_py.frontend.domains.update import LOCAL_CANNOT_FAILOVER
from cadence_py.persistence.domains import DomainStore
from cadence_py.rpc import idl

NO_TARGET = "DomainActiveClusterName or ActiveClusters must be provided to failover the domain"


def failover_domain(store: DomainStore, config: FrontendConfig, request: Any) -> Any:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if not request.domainName:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    if request.domainActiveClusterName is None and request.activeClusters is None:
        raise errors.bad_request(NO_TARGET)
    if request.failoverTimeoutInSeconds is not None and request.failoverTimeoutInSeconds <= 0:
        raise errors.bad_request("FailoverTimeoutInSeconds must be positive")
    record = store.get_domain(name=request.domainName)
    if not record.is_global:
        raise errors.bad_request(LOCAL_CANNOT_FAILOVER)
    target = request.domainActiveClusterName
    if target is not None and target != config.cluster_name:
        raise errors.bad_request(f"Invalid cluster name: {target}")
    if request.activeClusters is not None:
        raise errors.bad_request("Active-active domains are not supported by this cluster.")
    info, domain_config, replication = domain_parts(record, config.cluster_name)
    return idl.shared().FailoverDomainResponse(
        domainInfo=info, configuration=domain_config, replicationConfiguration=replication,
        failoverVersion=record.failover_version, isGlobalDomain=record.is_global)


def list_failover_history(request: Any) -> Any:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if request.filters is None or not request.filters.domainID:
        raise errors.bad_request("DomainID is required in filters")
    return idl.shared().ListFailoverHistoryResponse(failoverEvents=[])
