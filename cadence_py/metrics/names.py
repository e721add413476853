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
    "WorkflowAlreadyExistsError": (PERSISTENCE_ERR_EXECUTION_ALREADY_STARTED, False),
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
    "delete_domain": "DeleteDomainByName",
    "get_metadata": "GetMetadata",
}

# ---------------------------------------------------------------- more tag keys / values
TASK_LIST = "tasklist"
TASK_LIST_TYPE = "tasklistType"
WORKFLOW_TYPE = "workflowType"
STATS_TYPE = "stats_type"
COUNT = "count"  # stats_type value of the workflow completion counters
DECISION = "decision"  # tasklistType values
ACTIVITY = "activity"

# ---------------------------------------------------------------- history: queue tasks
# Per-domain task metrics (domain-tagged) and the rollups Cadence emits with them under
# the same operation scope without the domain tag.
TASK_REQUESTS = "task_requests"
TASK_ERRORS = "task_errors"
TASK_LATENCY = "task_latency"  # first read of the task until it was done (retries too)
TASK_LATENCY_PROCESSING = "task_latency_processing"  # the attempt that succeeded or failed
TASK_LATENCY_QUEUE = "task_latency_queue"  # task due (created / fire time) until done
TASK_ATTEMPT = "task_attempt"  # failed attempts before success (a count sent as a timer)
TASK_REQUESTS_PER_DOMAIN = "task_requests_per_domain"
TASK_ERRORS_PER_DOMAIN = "task_errors_per_domain"
TASK_LATENCY_PER_DOMAIN = "task_latency_per_domain"
TASK_LATENCY_PROCESSING_PER_DOMAIN = "task_latency_processing_per_domain"
TASK_LATENCY_QUEUE_PER_DOMAIN = "task_latency_queue_per_domain"
TASK_ATTEMPT_PER_DOMAIN = "task_attempt_per_domain"

TRANSFER_ACTIVE_QUEUE_PROCESSOR = "TransferActiveQueueProcessor"
TIMER_ACTIVE_QUEUE_PROCESSOR = "TimerActiveQueueProcessor"

# Task type -> operation (Cadence's TransferActiveTask*/TimerActiveTask* scopes); keyed by
# the type numbers of persistence/records.py (TRANSFER_* / TIMER_*), which are Cadence's.
# An unknown type is reported under its processor's scope, as in Cadence.
TRANSFER_TASK_OPERATIONS: dict[int, str] = {
    0: "TransferActiveTaskDecision",
    1: "TransferActiveTaskActivity",
    2: "TransferActiveTaskCloseExecution",
    3: "TransferActiveTaskCancelExecution",
    4: "TransferActiveTaskStartChildExecution",
    5: "TransferActiveTaskSignalExecution",
    6: "TransferActiveTaskRecordWorkflowStarted",
    7: "TransferActiveTaskResetWorkflow",
    8: "TransferActiveTaskUpsertWorkflowSearchAttributes",
    9: "TransferActiveTaskRecordWorkflowClosed",
    10: "TransferActiveTaskRecordChildExecutionCompleted",
    11: "TransferActiveTaskApplyParentClosePolicy",
}
TIMER_TASK_OPERATIONS: dict[int, str] = {
    0: "TimerActiveTaskDecisionTimeout",
    1: "TimerActiveTaskActivityTimeout",
    2: "TimerActiveTaskUserTimer",
    3: "TimerActiveTaskWorkflowTimeout",
    4: "TimerActiveTaskDeleteHistoryEvent",
    5: "TimerActiveTaskActivityRetryTimer",
    6: "TimerActiveTaskWorkflowBackoffTimer",
}

# Queue processor lag, in Cadence's ShardInfo scope. Sent as gauges (Cadence records
# them as timers); see README for the units.
SHARD_INFO = "ShardInfo"
SHARDINFO_TRANSFER_LAG = "shardinfo_transfer_lag"
SHARDINFO_TIMER_LAG = "shardinfo_timer_lag"
SHARDINFO_TRANSFER_PENDING = "shardinfo_transfer_active_pending_task"
SHARDINFO_TIMER_PENDING = "shardinfo_timer_active_pending_task"

# ---------------------------------------------------------------- history: workflows
WORKFLOW_STARTED_COUNT = "workflow_started_count"  # TransferActiveTaskRecordWorkflowStarted
COMPLETION_STATS = "CompletionStats"  # operation of the close counters, stats_type=count
WORKFLOW_SUCCESS = "workflow_success"
WORKFLOW_FAILED = "workflow_failed"
WORKFLOW_TIMEOUT = "workflow_timeout"
WORKFLOW_CANCEL = "workflow_cancel"
WORKFLOW_TERMINATE = "workflow_terminate"
WORKFLOW_CONTINUED_AS_NEW = "workflow_continued_as_new"
CLOSE_EVENT_COUNTERS: dict[str, str] = {
    "WorkflowExecutionCompleted": WORKFLOW_SUCCESS,
    "WorkflowExecutionFailed": WORKFLOW_FAILED,
    "WorkflowExecutionTimedOut": WORKFLOW_TIMEOUT,
    "WorkflowExecutionCanceled": WORKFLOW_CANCEL,
    "WorkflowExecutionTerminated": WORKFLOW_TERMINATE,
    "WorkflowExecutionContinuedAsNew": WORKFLOW_CONTINUED_AS_NEW,
}

# ---------------------------------------------------------------- matching
TASK_LIST_MGR = "TaskListMgr"  # operation of the per-task-list metrics
MATCHING_ADD_DECISION_TASK = "AddDecisionTask"
MATCHING_ADD_ACTIVITY_TASK = "AddActivityTask"
MATCHING_POLL_FOR_DECISION_TASK = "PollForDecisionTask"
MATCHING_POLL_FOR_ACTIVITY_TASK = "PollForActivityTask"
MATCHING_QUERY_WORKFLOW = "QueryWorkflow"

# Per task list (domain, tasklist, tasklistType tags) -> rollup (operation only).
REQUESTS_PER_TL = "cadence_requests_per_tl"
ERRORS_PER_TL = "cadence_errors_per_tl"
LATENCY_PER_TL = "cadence_latency_per_tl"
POLL_SUCCESS_PER_TL = "poll_success_per_tl"
POLL_SUCCESS = "poll_success"
POLL_TIMEOUTS_PER_TL = "poll_timeouts_per_tl"
POLL_TIMEOUTS = "poll_timeouts"
POLL_SUCCESS_SYNC_PER_TL = "poll_success_sync_per_tl"
POLL_SUCCESS_SYNC = "poll_success_sync"
ASYNCMATCH_LATENCY_PER_TL = "asyncmatch_latency_per_tl"
ASYNCMATCH_LATENCY = "asyncmatch_latency"
TASK_BACKLOG_PER_TL = "task_backlog_per_tl"  # gauge, no rollup
TASKLIST_MANAGERS = "tasklist_managers"  # gauge, TaskListMgr scope

# ---------------------------------------------------------------- execution / task stores
# ExecutionStore / TaskStore method -> Cadence's persistence operation (ExecutionManager,
# ShardManager, HistoryManager and TaskManager scopes).
EXECUTION_STORE_OPERATIONS: dict[str, str] = {
    "acquire_range": "UpdateShard",
    "create_workflow": "CreateWorkflowExecution",
    "get_workflow": "GetWorkflowExecution",
    "get_current": "GetCurrentExecution",
    "update_workflow": "UpdateWorkflowExecution",
    "delete_workflow": "DeleteWorkflowExecution",
    "read_history": "ReadHistoryBranch",
    "get_transfer_tasks": "GetTransferTasks",
    "complete_transfer_tasks": "CompleteTransferTask",
    "get_timer_tasks": "GetTimerIndexTasks",
    "complete_timer_tasks": "CompleteTimerTask",
}
TASK_STORE_OPERATIONS: dict[str, str] = {
    "create_tasks": "CreateTask",
    "get_tasks": "GetTasks",
    "complete_tasks": "CompleteTask",
    "list_task_lists": "ListTaskList",
}
