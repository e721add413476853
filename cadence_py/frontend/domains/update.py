"""UpdateDomain and DeprecateDomain.

Both follow upstream: read the store-wide notification version first (it acts as the
lock on the domain table), read the domain, change it, and write it back on the
condition that the version has not moved. A lost race is retried a few times.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains import validation
from cadence_py.frontend.domains.convert import update_response
from cadence_py.persistence import errors as perr
from cadence_py.persistence.domains import (
    DOMAIN_STATUS_DEPRECATED,
    SYSTEM_DOMAIN_NAME,
    BadBinary,
    DomainRecord,
    DomainStore,
)

ATTEMPTS = 5
LOCAL_CANNOT_FAILOVER = ("Local domains cannot perform failovers or change replication "
                         "configuration")


def _conditional_update(store: DomainStore, name: str,
                        change: Callable[[DomainRecord], bool]) -> DomainRecord:
    """Apply ``change`` (returns whether anything changed) and store it, retrying races."""
    for _ in range(ATTEMPTS):
        version = store.get_metadata()
        record = store.get_domain(name=name)
        if not change(record):
            return record
        record.last_updated_time = time.time_ns()
        try:
            store.update_domain(record, version)
            return record
        except perr.ConditionFailedError:
            continue
    raise errors.service_busy("Domain update too frequent.")


def _apply_info(record: DomainRecord, info: Any) -> bool:
    if info is None:
        return False
    changed = False
    if info.description is not None:
        record.info.description, changed = info.description, True
    if info.ownerEmail is not None:
        record.info.owner_email, changed = info.ownerEmail, True
    if info.data is not None:
        record.info.data.update(info.data)
        changed = True
    return changed


def _apply_config(record: DomainRecord, cfg: Any, config: FrontendConfig) -> bool:
    if cfg is None:
        return False
    changed = False
    if cfg.emitMetric is not None:
        record.config.emit_metric, changed = bool(cfg.emitMetric), True
    if cfg.workflowExecutionRetentionPeriodInDays is not None:
        record.config.retention_days = cfg.workflowExecutionRetentionPeriodInDays
        changed = True
    if cfg.badBinaries is not None and cfg.badBinaries.binaries:
        now = time.time_ns()
        for checksum, info in cfg.badBinaries.binaries.items():
            record.config.bad_binaries[checksum] = BadBinary(
                reason=info.reason or "", operator=info.operator or "", created_time_nano=now)
        if len(record.config.bad_binaries) > config.max_bad_binary_count:
            raise errors.bad_request("Total resetBinaries cannot exceed the max limit: "
                                     f"{config.max_bad_binary_count}")
        changed = True
    for status_field, uri_field, status_attr, uri_attr in (
            ("historyArchivalStatus", "historyArchivalURI",
             "history_archival_status", "history_archival_uri"),
            ("visibilityArchivalStatus", "visibilityArchivalURI",
             "visibility_archival_status", "visibility_archival_uri")):
        status, uri = getattr(cfg, status_field), getattr(cfg, uri_field)
        if status is not None and status != getattr(record.config, status_attr):
            setattr(record.config, status_attr, status)
            changed = True
        if uri and uri != getattr(record.config, uri_attr):
            setattr(record.config, uri_attr, uri)
            changed = True
    return changed


def _apply_replication(record: DomainRecord, replication: Any, config: FrontendConfig) -> bool:
    if replication is None:
        return False
    active = replication.activeClusterName
    clusters = [c.clusterName for c in (replication.clusters or [])]
    for cluster in ([active] if active else []) + clusters:
        if cluster != config.cluster_name:
            raise errors.bad_request(f"Invalid cluster name: {cluster}")
    if not record.is_global and (
            (active and active != record.replication.active_cluster_name) or clusters):
        raise errors.bad_request(LOCAL_CANNOT_FAILOVER)
    return False  # one cluster: nothing can actually change


def update_domain(store: DomainStore, config: FrontendConfig, request: Any) -> Any:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if not request.name:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    if request.configuration is not None:
        validation.check_retention_upper(
            request.configuration.workflowExecutionRetentionPeriodInDays, config)

    def change(record: DomainRecord) -> bool:
        stored = copy.deepcopy(record)
        changed = _apply_info(record, request.updatedInfo)
        changed |= _apply_config(record, request.configuration, config)
        if request.deleteBadBinary is not None:
            if request.deleteBadBinary not in record.config.bad_binaries:
                raise errors.bad_request(
                    f"Bad binary checksum {request.deleteBadBinary} doesn't exists.")
            del record.config.bad_binaries[request.deleteBadBinary]
            changed = True
        _apply_replication(record, request.replicationConfiguration, config)
        validation.check_domain_config(record.config, config)
        validation.check_sizes(record.info, record.config, config, stored)
        if changed:
            record.config_version += 1
        return changed

    return update_response(_conditional_update(store, request.name, change),
                           config.cluster_name)


def refuse_system_domain(name: str, what: str) -> None:
    """The system domain stays: deprecated, no system workflow could start any more."""
    if name == SYSTEM_DOMAIN_NAME:
        raise errors.bad_request(f"Domain {name} is the system domain; it cannot be {what}.")


def deprecate_domain(store: DomainStore, request: Any) -> None:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    if not request.name:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    refuse_system_domain(request.name, "deprecated")

    def change(record: DomainRecord) -> bool:
        record.info.status = DOMAIN_STATUS_DEPRECATED
        record.config_version += 1
        return True

    _conditional_update(store, request.name, change)
