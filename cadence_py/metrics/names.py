"""Metric and tag names, spelled as Cadence spells them.

Dashboards and alerts written for the Go server select series by these exact strings,
so they are constants here rather than literals scattered through the handlers.
"""

from __future__ import annotations

# ---------------------------------------------------------------- tag keys / values
SERVICE = "cadence_service"
OPERATION = "operation"
DOMAIN = "domain"
CALLER = "caller"
TRANSPORT = "transport"

UNKNOWN = "_unknown_"  # an empty tag value (Cadence: DomainUnknownTag and friends)
ALL = "all"  # the extra domain value every domain-tagged timer is also recorded under
TCHANNEL = "tchannel"

FRONTEND = "cadence-frontend"
HISTORY = "cadence-history"
MATCHING = "cadence-matching"
WORKER = "cadence-worker"

# ---------------------------------------------------------------- per-operation metrics
REQUESTS = "cadence_requests"
ERRORS = "cadence_errors"  # internal and uncategorized errors only
LATENCY = "cadence_latency"

ERR_BAD_REQUEST = "cadence_errors_bad_request"
ERR_DOMAIN_NOT_ACTIVE = "cadence_errors_domain_not_active"
ERR_SERVICE_BUSY = "cadence_errors_service_busy"
ERR_ENTITY_NOT_EXISTS = "cadence_errors_entity_not_exists"
ERR_WORKFLOW_ALREADY_COMPLETED = "cadence_errors_workflow_execution_already_completed"
ERR_EXECUTION_ALREADY_STARTED = "cadence_errors_execution_already_started"
ERR_DOMAIN_ALREADY_EXISTS = "cadence_errors_domain_already_exists"
ERR_CANCELLATION_ALREADY_REQUESTED = "cadence_errors_cancellation_already_requested"
ERR_QUERY_FAILED = "cadence_errors_query_failed"
ERR_LIMIT_EXCEEDED = "cadence_errors_limit_exceeded"
ERR_CONTEXT_TIMEOUT = "cadence_errors_context_timeout"
ERR_CLIENT_VERSION_NOT_SUPPORTED = "cadence_errors_client_version_not_supported"

# Thrift exception (class name) -> its typed counter. Anything absent counts as
# ERRORS. DomainNotActiveError goes to bad_request, as the Go frontend does.
RPC_ERROR_COUNTERS: dict[str, str] = {
    "BadRequestError": ERR_BAD_REQUEST,
    "DomainNotActiveError": ERR_BAD_REQUEST,
    "ServiceBusyError": ERR_SERVICE_BUSY,
    "EntityNotExistsError": ERR_ENTITY_NOT_EXISTS,
    "WorkflowExecutionAlreadyCompletedError": ERR_WORKFLOW_ALREADY_COMPLETED,
    "WorkflowExecutionAlreadyStartedError": ERR_EXECUTION_ALREADY_STARTED,
    "DomainAlreadyExistsError": ERR_DOMAIN_ALREADY_EXISTS,
    "CancellationAlreadyRequestedError": ERR_CANCELLATION_ALREADY_REQUESTED,
    "QueryFailedError": ERR_QUERY_FAILED,
    "LimitExceededError": ERR_LIMIT_EXCEEDED,
    "ClientVersionNotSupportedError": ERR_CLIENT_VERSION_NOT_SUPPORTED,
}

# Frontend operation tags that differ from the Thrift method name (Go's scope table).
FRONTEND_OPERATIONS: dict[str, str] = {
    "ListDomains": "ListDomain",
    "ListTaskListPartitions": "FrontendListTaskListPartitions",
    "GetTaskListsByDomain": "FrontendGetTaskListsByDomain",
    "RefreshWorkflowTasks": "FrontendRefreshWorkflowTasks",
}
ADMIN_OPERATIONS: dict[str, str] = {
    "DescribeShardDistribution": "AdminShardList",
    "RemoveTask": "AdminRemoveTask",
    "CloseShard": "AdminCloseShard",
    "ResetQueue": "AdminResetQueue",
    "DescribeQueue": "AdminDescribeQueue",
    "CountDLQMessages": "AdminCountDLQMessages",
    "ReadDLQMessages": "AdminReadDLQMessages",
    "PurgeDLQMessages": "AdminPurgeDLQMessages",
    "MergeDLQMessages": "AdminMergeDLQMessages",
}

# ---------------------------------------------------------------- persistence
PERSISTENCE_REQUESTS = "persistence_requests"
PERSISTENCE_ERRORS = "persistence_errors"
PERSISTENCE_LATENCY = "persistence_latency"
PERSISTENCE_ERR_DOMAIN_ALREADY_EXISTS = "persistence_errors_domain_already_exists"
PERSISTENCE_ERR_ENTITY_NOT_EXISTS = "persistence_errors_entity_not_exists"
PERSISTENCE_ERR_CONDITION_FAILED = "persistence_errors_condition_failed"
PERSISTENCE_ERR_EXECUTION_ALREADY_STARTED = "persistence_errors_execution_already_started"
PERSISTENCE_ERR_SHARD_OWNERSHIP_LOST = "persistence_errors_shard_ownership_lost"
PERSISTENCE_ERR_TIMEOUT = "persistence_errors_timeout"
PERSISTENCE_ERR_BUSY = "persistence_errors_busy"

# Store error (class name) -> (typed counter, whether it also counts as
# persistence_errors). Expected outcomes such as "already exists" are not failures;
# timeouts and busy are. Unlisted errors count only as persistence_errors.
PERSISTENCE_ERROR_COUNTERS: dict[str, tuple[str, bool]] = {
    "DomainAlreadyExistsError": (PERSISTENCE_ERR_DOMAIN_ALREADY_EXISTS, False),
    "EntityNotExistsError": (PERSISTENCE_ERR_ENTITY_NOT_EXISTS, False),
    "ConditionFailedError": (PERSISTENCE_ERR_CONDITION_FAILED, False),
    "WorkflowExecutionAlreadyStartedError": (PERSISTENCE_ERR_EXECUTION_ALREADY_STARTED, False),
    "ShardOwnershipLostError": (PERSISTENCE_ERR_SHARD_OWNERSHIP_LOST, False),
    "TimeoutError": (PERSISTENCE_ERR_TIMEOUT, True),
    "PersistenceTimeoutError": (PERSISTENCE_ERR_TIMEOUT, True),
    "ServiceBusyError": (PERSISTENCE_ERR_BUSY, True),
}

# DomainStore method -> Cadence's persistence operation tag (MetadataManager scopes).
DOMAIN_STORE_OPERATIONS: dict[str, str] = {
    "create_domain": "CreateDomain",
    "get_domain": "GetDomain",
    "update_domain": "UpdateDomain",
    "list_domains": "ListDomain",
    "get_metadata": "GetMetadata",
}
