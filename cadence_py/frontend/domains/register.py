"""RegisterDomain: validate, build the record, create it (exactly once per name)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.domains import validation
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

CREATE_ATTEMPTS = 5


def register_domain(store: DomainStore, config: FrontendConfig, request: Any) -> None:
    if request is None:
        raise errors.bad_request(errors.REQUEST_NOT_SET)
    name = request.name or ""
    if not name:
        raise errors.bad_request(errors.DOMAIN_NOT_SET)
    if len(name) > config.domain_name_max_length:
        raise errors.bad_request(errors.DOMAIN_TOO_LONG)
    validation.check_retention_upper(request.workflowExecutionRetentionPeriodInDays, config)
    validation.check_required_data(request.data, config)

    try:
        store.get_domain(name=name)
    except perr.EntityNotExistsError:
        pass
    else:
        raise errors.domain_already_exists()
    if not validation.DOMAIN_NAME.match(name):
        raise errors.bad_request(errors.INVALID_DOMAIN_NAME)

    active = request.activeClusterName or config.cluster_name
    clusters = [c.clusterName for c in (request.clusters or []) if c.clusterName]
    if not clusters:
        clusters = [active]
    is_global = bool(request.isGlobalDomain)
    for cluster in [active, *clusters]:
        if cluster != config.cluster_name:  # we run a single cluster
            raise errors.bad_request(f"Invalid cluster name: {cluster}")

    record = DomainRecord(
        info=DomainInfo(id=str(uuid.uuid4()), name=name, description=request.description or "",
                        owner_email=request.ownerEmail or "", data=dict(request.data or {})),
        config=DomainConfig(
            retention_days=request.workflowExecutionRetentionPeriodInDays or 0,
            emit_metric=bool(request.emitMetric),
            history_archival_status=request.historyArchivalStatus or 0,
            history_archival_uri=request.historyArchivalURI or "",
            visibility_archival_status=request.visibilityArchivalStatus or 0,
            visibility_archival_uri=request.visibilityArchivalURI or ""),
        replication=ReplicationConfig(active_cluster_name=active, clusters=clusters),
        is_global=is_global,
        config_version=0,
        failover_version=0 if is_global else LOCAL_FAILOVER_VERSION,
        previous_failover_version=INITIAL_PREVIOUS_FAILOVER_VERSION,
        last_updated_time=time.time_ns(),
    )
    validation.check_domain_config(record.config, config)
    validation.check_sizes(record.info, record.config, config)
    for _ in range(CREATE_ATTEMPTS):
        try:
            store.create_domain(record)
            return
        except perr.DomainAlreadyExistsError:
            raise errors.domain_already_exists() from None
        except perr.ConditionFailedError:
            # Another domain was created at the same moment and moved the store-wide
            # notification version; try again with a fresh id.
            record.info.id = str(uuid.uuid4())
    raise errors.service_busy("Too many concurrent domain registrations, try again.")
