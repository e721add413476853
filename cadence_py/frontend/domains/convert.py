"""DomainRecord -> the Thrift structs DescribeDomain, UpdateDomain and ListDomains return."""

from __future__ import annotations

from typing import Any

from cadence_py.persistence.domains import BadBinary, DomainRecord
from cadence_py.rpc import idl


def bad_binaries_to_thrift(binaries: dict[str, BadBinary]) -> Any:
    shared = idl.shared()
    return shared.BadBinaries(binaries={
        checksum: shared.BadBinaryInfo(reason=b.reason, operator=b.operator,
                                       createdTimeNano=b.created_time_nano)
        for checksum, b in binaries.items()})


def domain_parts(record: DomainRecord, cluster: str) -> tuple[Any, Any, Any]:
    """(DomainInfo, DomainConfiguration, DomainReplicationConfiguration) of a record.

    The CLI dereferences domainInfo, configuration and status, so all are always set.
    Rows written without replication config (the seeded system domain) read as active
    in the current ``cluster``, as upstream reads them.
    """
    shared = idl.shared()
    info = shared.DomainInfo(name=record.info.name, status=record.info.status,
                             description=record.info.description,
                             ownerEmail=record.info.owner_email,
                             data=dict(record.info.data), uuid=record.info.id)
    config = shared.DomainConfiguration(
        workflowExecutionRetentionPeriodInDays=record.config.retention_days,
        emitMetric=record.config.emit_metric,
        badBinaries=bad_binaries_to_thrift(record.config.bad_binaries),
        historyArchivalStatus=record.config.history_archival_status,
        historyArchivalURI=record.config.history_archival_uri,
        visibilityArchivalStatus=record.config.visibility_archival_status,
        visibilityArchivalURI=record.config.visibility_archival_uri,
        isolationgroups=shared.IsolationGroupConfiguration(isolationGroups=[]),
        AsyncWorkflowConfiguration=shared.AsyncWorkflowConfiguration(enabled=False),
    )
    active = record.replication.active_cluster_name or cluster
    replication = shared.DomainReplicationConfiguration(
        activeClusterName=active,
        clusters=[shared.ClusterReplicationConfiguration(clusterName=name)
                  for name in record.replication.clusters or [active]])
    return info, config, replication


def describe_response(record: DomainRecord, cluster: str) -> Any:
    shared = idl.shared()
    info, config, replication = domain_parts(record, cluster)
    response = shared.DescribeDomainResponse(
        domainInfo=info, configuration=config, replicationConfiguration=replication,
        failoverVersion=record.failover_version, isGlobalDomain=record.is_global)
    if record.failover_end_time is not None:
        response.failoverInfo = shared.FailoverInfo(
            failoverVersion=record.failover_version,
            failoverStartTimestamp=record.last_updated_time,
            failoverExpireTimestamp=record.failover_end_time,
            completedShardCount=0, pendingShards=[])
    return response


def update_response(record: DomainRecord, cluster: str) -> Any:
    info, config, replication = domain_parts(record, cluster)
    return idl.shared().UpdateDomainResponse(
        domainInfo=info, configuration=config, replicationConfiguration=replication,
        failoverVersion=record.failover_version, isGlobalDomain=record.is_global)
