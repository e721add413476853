// cadence-py: shared types of the Cadence public API (Thrift).
//
// Written for cadence-py. The wire contract (type names, field ids, field
// types, required/optional, enum values and declared defaults) follows the
// upstream Cadence IDL (cadence-workflow/cadence-idl, thrift/shared.thrift)
// so that unmodified Cadence CLI / Go / Java clients interoperate with us.
// Layout, grouping and commentary are our own.
//
// Editing rules for this file:
//   * never renumber, retype or rename a field: ids and types are the wire;
//   * enum values are spelled out explicitly so that reordering a list can
//     never silently shift a value;
//   * gaps in id sequences are deliberate (retired upstream fields).
//
// Service definitions live in workflow_service.thrift and admin.thrift, which include
// this file.

namespace java com.uber.cadence
namespace go shared
namespace py cadence_py.idl.shared

// ===========================================================================
// Errors
// ===========================================================================
// The trailing (rpc.code = ...) annotation is the status code a yarpc/gRPC
// stack maps the error to; it does not change the Thrift encoding.
// Careful: several of these carry `required` fields. A response that raises
// one of them MUST fill every required field (use an empty list for the
// activeClusters fields), or strict Thrift decoders reject the reply.

// --- Errors a frontend handler returns to clients ---

exception BadRequestError {
  1: required string message
} (rpc.code = "INVALID_ARGUMENT")

exception InternalServiceError {
  1: required string message
} (rpc.code = "INTERNAL")

exception InternalDataInconsistencyError {
  1: required string message
} (rpc.code = "DATA_LOSS")

exception DomainAlreadyExistsError {
  1: required string message
} (rpc.code = "ALREADY_EXISTS")

// All-optional, numbered 10/20/30 unlike its siblings.
exception WorkflowExecutionAlreadyStartedError {
  10: optional string message
  20: optional string startRequestId
  30: optional string runId
} (rpc.code = "ALREADY_EXISTS")

exception WorkflowExecutionAlreadyCompletedError {
  1: required string message
} (rpc.code = "NOT_FOUND")

exception EntityNotExistsError {
  1: required string message
  2: optional string currentCluster
  3: optional string activeCluster
  // Unused by clients, but required on the wire: send [] at minimum.
  4: required list<string> activeClusters
} (rpc.code = "NOT_FOUND")

exception ServiceBusyError {
  1: required string message
  2: optional string reason
} (rpc.code = "RESOURCE_EXHAUSTED")

exception CancellationAlreadyRequestedError {
  1: required string message
} (rpc.code = "ALREADY_EXISTS")

exception QueryFailedError {
  1: required string message
} (rpc.code = "INVALID_ARGUMENT")

// Every field is required, including the (unused) activeClusters list.
exception DomainNotActiveError {
  1: required string message
  2: required string domainName
  3: required string currentCluster
  4: required string activeCluster
  5: required list<string> activeClusters
} (rpc.code = "FAILED_PRECONDITION")

exception LimitExceededError {
  1: required string message
} (rpc.code = "RESOURCE_EXHAUSTED")

exception AccessDeniedError {
  1: required string message
} (rpc.code = "PERMISSION_DENIED")

exception ClientVersionNotSupportedError {
  1: required string featureVersion
  2: required string clientImpl
  3: required string supportedVersions
} (rpc.code = "FAILED_PRECONDITION")

exception FeatureNotEnabledError {
  1: required string featureFlag
} (rpc.code = "FAILED_PRECONDITION")

// --- Errors exchanged between server roles (history, matching, replication) ---

exception RetryTaskV2Error {
  1: required string message
  2: optional string domainId
  3: optional string workflowId
  4: optional string runId
  5: optional i64 startEventId
  6: optional i64 startEventVersion
  7: optional i64 endEventId
  8: optional i64 endEventVersion
} (rpc.code = "ABORTED")

exception CurrentBranchChangedError {
  10: required string message
  20: required binary currentBranchToken
} (rpc.code = "ABORTED")

exception RemoteSyncMatchedError {
  10: required string message
} (rpc.code = "UNAVAILABLE")

exception StickyWorkerUnavailableError {
  1: required string message
} (rpc.code = "UNAVAILABLE")

exception TaskListNotOwnedByHostError {
  1: required string ownedByIdentity
  2: required string myIdentity
  3: required string tasklistName
} (rpc.code = "ABORTED")

// ===========================================================================
// Basic building blocks
// ===========================================================================

// --- Identifiers and small wrappers ---

struct WorkflowType {
  10: optional string name
}

struct ActivityType {
  10: optional string name
}

struct WorkflowExecution {
  10: optional string workflowId
  20: optional string runId
}

// Context propagation headers (opaque values keyed by header name).
struct Header {
  10: optional map<string, binary> fields
}

// Non-indexed per-execution attachments.
struct Memo {
  10: optional map<string, binary> fields
}

// Indexed attributes; values are JSON-encoded by the clients.
struct SearchAttributes {
  10: optional map<string, binary> indexedFields
}

struct WorkerVersionInfo {
  10: optional string impl
  20: optional string featureVersion
}

// --- Encoded payloads ---

enum EncodingType {
  ThriftRW = 0,
  JSON = 1,
}

// Note the capitalised field names; they are part of the contract.
struct DataBlob {
  10: optional EncodingType EncodingType
  20: optional binary Data
}

// Opaque typed bytes (a transport-neutral cousin of google.protobuf.Any).
struct Any {
  10: optional string ValueType
  20: optional binary Value
}

// --- Retries and paging ---

// All durations are whole seconds.
struct RetryPolicy {
  10: optional i32 initialIntervalInSeconds
  20: optional double backoffCoefficient
  30: optional i32 maximumIntervalInSeconds
  40: optional i32 maximumAttempts
  50: optional list<string> nonRetriableErrorReasons
  60: optional i32 expirationIntervalInSeconds
}

struct PaginationOptions {
  10: optional i32 pageSize
  20: optional binary nextPageToken
}

// ===========================================================================
// Workflow-level enums
// ===========================================================================

enum WorkflowIdReusePolicy {
  AllowDuplicateFailedOnly = 0, // reuse only if the previous run did not succeed
  AllowDuplicate = 1,           // reuse whenever no run is open
  RejectDuplicate = 2,          // never reuse
  TerminateIfRunning = 3,       // terminate an open run, then start
}

enum ParentClosePolicy {
  ABANDON = 0,
  REQUEST_CANCEL = 1,
  TERMINATE = 2,
}

enum ContinueAsNewInitiator {
  Decider = 0,
  RetryPolicy = 1,
  CronSchedule = 2,
}

enum CronOverlapPolicy {
  SKIPPED = 0,
  BUFFERONE = 1,
}

enum TimeoutType {
  START_TO_CLOSE = 0,
  SCHEDULE_TO_START = 1,
  SCHEDULE_TO_CLOSE = 2,
  HEARTBEAT = 3,
}

// Close status; an open execution simply has no closeStatus set.
enum WorkflowExecutionCloseStatus {
  COMPLETED = 0,
  FAILED = 1,
  CANCELED = 2,
  TERMINATED = 3,
  CONTINUED_AS_NEW = 4,
  TIMED_OUT = 5,
}

// Full lifecycle status, including the not-yet-closed states.
enum WorkflowExecutionStatus {
  PENDING = 0,
  STARTED = 1,
  COMPLETED = 2,
  FAILED = 3,
  CANCELED = 4,
  TERMINATED = 5,
  CONTINUED_AS_NEW = 6,
  TIMED_OUT = 7,
}

// ===========================================================================
// Task lists
// ===========================================================================

enum TaskListKind {
  NORMAL = 0,
  STICKY = 1,
  EPHEMERAL = 2,
}

enum TaskListType {
  Decision = 0,
  Activity = 1,
}

struct TaskList {
  10: optional string name
  20: optional TaskListKind kind
  30: optional string baseName
}

struct TaskListMetadata {
  10: optional double maxTasksPerSecond
}

// Describes one poller; lastAccessTime is unix nanoseconds.
struct PollerInfo {
  10: optional i64 lastAccessTime
  20: optional string identity
  30: optional double ratePerSecond
}

struct TaskIDBlock {
  10: optional i64 startID
  20: optional i64 endID
}

struct IsolationGroupMetrics {
  10: optional double newTasksPerSecond
  20: optional i64 pollerCount
}

struct TaskListStatus {
  10: optional i64 backlogCountHint
  20: optional i64 readLevel
  30: optional i64 ackLevel
  35: optional double ratePerSecond
  40: optional TaskIDBlock taskIDBlock
  50: optional map<string, IsolationGroupMetrics> isolationGroupMetrics
  60: optional double newTasksPerSecond
  70: optional bool empty
}

struct DescribeTaskListRequest {
  10: optional string domain
  20: optional TaskList taskList
  30: optional TaskListType taskListType
  40: optional bool includeTaskListStatus
}

struct DescribeTaskListResponse {
  10: optional list<PollerInfo> pollers
  20: optional TaskListStatus taskListStatus
  30: optional TaskList taskList
}

struct GetTaskListsByDomainRequest {
  10: optional string domainName
}

// Keyed by task list name.
struct GetTaskListsByDomainResponse {
  10: optional map<string, DescribeTaskListResponse> decisionTaskListMap
  20: optional map<string, DescribeTaskListResponse> activityTaskListMap
}

struct ListTaskListPartitionsRequest {
  10: optional string domain
  20: optional TaskList taskList
}

struct TaskListPartitionMetadata {
  10: optional string key
  20: optional string ownerHostName
}

struct ListTaskListPartitionsResponse {
  10: optional list<TaskListPartitionMetadata> activityTaskListPartitions
  20: optional list<TaskListPartitionMetadata> decisionTaskListPartitions
}

// Hint sent to pollers so they can tune their own polling.
struct AutoConfigHint {
  10: optional bool enableAutoConfig
  20: optional i64 pollerWaitTimeInMs
}

// ===========================================================================
// Domains
// ===========================================================================

enum DomainStatus {
  REGISTERED = 0,
  DEPRECATED = 1,
  DELETED = 2,
}

enum ArchivalStatus {
  DISABLED = 0,
  ENABLED = 1,
}

// --- Domain description ---

struct DomainInfo {
  10: optional string name
  20: optional DomainStatus status
  30: optional string description
  40: optional string ownerEmail
  50: optional map<string, string> data  // free-form user metadata
  60: optional string uuid
}

struct BadBinaryInfo {
  10: optional string reason
  20: optional string operator
  30: optional i64 createdTimeNano
}

// Keyed by binary checksum.
struct BadBinaries {
  10: optional map<string, BadBinaryInfo> binaries
}

enum IsolationGroupState {
  INVALID = 0,
  HEALTHY = 1,
  DRAINED = 2,
}

struct IsolationGroupPartition {
  10: optional string name
  20: optional IsolationGroupState state
}

struct IsolationGroupConfiguration {
  10: optional list<IsolationGroupPartition> isolationGroups
}

// Either a predefined queue (by name) or an explicit type + config blob.
struct AsyncWorkflowConfiguration {
  10: optional bool enabled
  20: optional string predefinedQueueName
  30: optional string queueType
  40: optional DataBlob queueConfig
}

// Ids 30-50 are unused. Field 60 is lower-case `isolationgroups` and field
// 120 is capitalised `AsyncWorkflowConfiguration` - both exactly as upstream.
struct DomainConfiguration {
  10: optional i32 workflowExecutionRetentionPeriodInDays
  20: optional bool emitMetric
  60: optional IsolationGroupConfiguration isolationgroups
  70: optional BadBinaries badBinaries
  80: optional ArchivalStatus historyArchivalStatus
  90: optional string historyArchivalURI
  100: optional ArchivalStatus visibilityArchivalStatus
  110: optional string visibilityArchivalURI
  120: optional AsyncWorkflowConfiguration AsyncWorkflowConfiguration
}

// --- Replication and active-active ---

struct ClusterReplicationConfiguration {
  10: optional string clusterName
}

// Which cluster is active (and at which failover version) for one scope.
struct ActiveClusterInfo {
  10: optional string activeClusterName
  20: optional i64 failoverVersion
}

// Attribute value (e.g. a city) -> active cluster for that value.
struct ClusterAttributeScope {
  10: optional map<string, ActiveClusterInfo> clusterAttributes
}

// Active-active layout of a domain. Outer key of the second map is the
// attribute kind (e.g. "location"). The by-region map is legacy.
struct ActiveClusters {
  10: optional map<string, ActiveClusterInfo> activeClustersByRegion
  11: optional map<string, ClusterAttributeScope> activeClustersByClusterAttribute
}

// A (scope, name) pair such as ("region", "us-west").
struct ClusterAttribute {
  1: optional string scope
  2: optional string name
}

// Set on a workflow to pin it to one cluster attribute of an active-active domain.
struct ActiveClusterSelectionPolicy {
  1: optional ClusterAttribute clusterAttribute
}

struct DomainReplicationConfiguration {
  10: optional string activeClusterName                      // active-passive
  20: optional list<ClusterReplicationConfiguration> clusters
  30: optional ActiveClusters activeClusters                 // active-active
}

struct FailoverInfo {
  10: optional i64 failoverVersion
  20: optional i64 failoverStartTimestamp
  30: optional i64 failoverExpireTimestamp
  40: optional i32 completedShardCount
  50: optional list<i32> pendingShards
}

// --- Domain RPC messages ---

// emitMetric defaults to true when the client leaves it unset.
struct RegisterDomainRequest {
  10: optional string name
  20: optional string description
  30: optional string ownerEmail
  40: optional i32 workflowExecutionRetentionPeriodInDays
  50: optional bool emitMetric = true
  60: optional list<ClusterReplicationConfiguration> clusters
  70: optional string activeClusterName
  75: optional map<string, string> activeClustersByRegion  // legacy, unused
  76: optional ActiveClusters activeClusters
  80: optional map<string, string> data
  90: optional string securityToken
  120: optional bool isGlobalDomain
  130: optional ArchivalStatus historyArchivalStatus
  140: optional string historyArchivalURI
  150: optional ArchivalStatus visibilityArchivalStatus
  160: optional string visibilityArchivalURI
}

// Look up by name or by uuid.
struct DescribeDomainRequest {
  10: optional string name
  20: optional string uuid
}

struct DescribeDomainResponse {
  10: optional DomainInfo domainInfo
  20: optional DomainConfiguration configuration
  30: optional DomainReplicationConfiguration replicationConfiguration
  40: optional i64 failoverVersion
  50: optional bool isGlobalDomain
  60: optional FailoverInfo failoverInfo
}

struct ListDomainsRequest {
  10: optional i32 pageSize
  20: optional binary nextPageToken
}

struct ListDomainsResponse {
  10: optional list<DescribeDomainResponse> domains
  20: optional binary nextPageToken
}

struct UpdateDomainInfo {
  10: optional string description
  20: optional string ownerEmail
  30: optional map<string, string> data
}

struct UpdateDomainRequest {
  10: optional string name
  20: optional UpdateDomainInfo updatedInfo
  30: optional DomainConfiguration configuration
  40: optional DomainReplicationConfiguration replicationConfiguration
  50: optional string securityToken
  60: optional string deleteBadBinary
  70: optional i32 failoverTimeoutInSeconds
}

// Same shape as DescribeDomainResponse minus failoverInfo.
struct UpdateDomainResponse {
  10: optional DomainInfo domainInfo
  20: optional DomainConfiguration configuration
  30: optional DomainReplicationConfiguration replicationConfiguration
  40: optional i64 failoverVersion
  50: optional bool isGlobalDomain
}

struct DeprecateDomainRequest {
  10: optional string name
  20: optional string securityToken
}

struct DeleteDomainRequest {
  10: optional string name
  20: optional string securityToken
}

// --- Failover ---

enum FailoverType {
  INVALID = 0,
  FORCE = 1,
  GRACEFUL = 2,
}

// activeClusters is only used for active-active domains (per-attribute failover).
struct FailoverDomainRequest {
  10: optional string domainName
  20: optional string domainActiveClusterName
  30: optional ActiveClusters activeClusters
  40: optional string reason
  50: optional i32 failoverTimeoutInSeconds
}

struct FailoverDomainResponse {
  10: optional DomainInfo domainInfo
  20: optional DomainConfiguration configuration
  30: optional DomainReplicationConfiguration replicationConfiguration
  40: optional i64 failoverVersion
  50: optional bool isGlobalDomain
}

struct ListFailoverHistoryRequestFilters {
  10: optional string domainID
}

struct ListFailoverHistoryRequest {
  10: optional ListFailoverHistoryRequestFilters filters
  20: optional PaginationOptions pagination
}

// clusterAttribute unset means the domain-wide (default) active cluster moved.
struct ClusterFailover {
  10: optional ActiveClusterInfo fromCluster
  20: optional ActiveClusterInfo toCluster
  30: optional ClusterAttribute clusterAttribute
}

struct FailoverEvent {
  10: optional string id
  20: optional i64 createdTime
  30: optional FailoverType failoverType
  40: optional list<ClusterFailover> clusterFailovers
}

struct ListFailoverHistoryResponse {
  10: optional list<FailoverEvent> failoverEvents
  20: optional binary nextPageToken
}

// ===========================================================================
// Decisions (what a decider sends back in RespondDecisionTaskCompleted)
// ===========================================================================

enum DecisionType {
  ScheduleActivityTask = 0,
  RequestCancelActivityTask = 1,
  StartTimer = 2,
  CompleteWorkflowExecution = 3,
  FailWorkflowExecution = 4,
  CancelTimer = 5,
  CancelWorkflowExecution = 6,
  RequestCancelExternalWorkflowExecution = 7,
  RecordMarker = 8,
  ContinueAsNewWorkflowExecution = 9,
  StartChildWorkflowExecution = 10,
  SignalExternalWorkflowExecution = 11,
  UpsertWorkflowSearchAttributes = 12,
}

// One decision: decisionType says which *DecisionAttributes field is set.
struct Decision {
  10: optional DecisionType decisionType
  20: optional ScheduleActivityTaskDecisionAttributes scheduleActivityTaskDecisionAttributes
  25: optional StartTimerDecisionAttributes startTimerDecisionAttributes
  30: optional CompleteWorkflowExecutionDecisionAttributes completeWorkflowExecutionDecisionAttributes
  35: optional FailWorkflowExecutionDecisionAttributes failWorkflowExecutionDecisionAttributes
  40: optional RequestCancelActivityTaskDecisionAttributes requestCancelActivityTaskDecisionAttributes
  50: optional CancelTimerDecisionAttributes cancelTimerDecisionAttributes
  60: optional CancelWorkflowExecutionDecisionAttributes cancelWorkflowExecutionDecisionAttributes
  70: optional RequestCancelExternalWorkflowExecutionDecisionAttributes requestCancelExternalWorkflowExecutionDecisionAttributes
  80: optional RecordMarkerDecisionAttributes recordMarkerDecisionAttributes
  90: optional ContinueAsNewWorkflowExecutionDecisionAttributes continueAsNewWorkflowExecutionDecisionAttributes
  100: optional StartChildWorkflowExecutionDecisionAttributes startChildWorkflowExecutionDecisionAttributes
  110: optional SignalExternalWorkflowExecutionDecisionAttributes signalExternalWorkflowExecutionDecisionAttributes
  120: optional UpsertWorkflowSearchAttributesDecisionAttributes upsertWorkflowSearchAttributesDecisionAttributes
}

// --- Activities ---

struct ScheduleActivityTaskDecisionAttributes {
  10: optional string activityId
  20: optional ActivityType activityType
  25: optional string domain
  30: optional TaskList taskList
  40: optional binary input
  45: optional i32 scheduleToCloseTimeoutSeconds
  50: optional i32 scheduleToStartTimeoutSeconds
  55: optional i32 startToCloseTimeoutSeconds
  60: optional i32 heartbeatTimeoutSeconds
  70: optional RetryPolicy retryPolicy
  80: optional Header header
  90: optional bool requestLocalDispatch
}

struct RequestCancelActivityTaskDecisionAttributes {
  10: optional string activityId
}

// Returned for activities the server lets the worker run locally
// (requestLocalDispatch); see RespondDecisionTaskCompletedResponse.
struct ActivityLocalDispatchInfo {
  10: optional string activityId
  20: optional i64 scheduledTimestamp
  30: optional i64 startedTimestamp
  40: optional i64 scheduledTimestampOfThisAttempt
  50: optional binary taskToken
}

// --- Timers ---

// Note: i64 here, while most other timeouts are i32.
struct StartTimerDecisionAttributes {
  10: optional string timerId
  20: optional i64 startToFireTimeoutSeconds
}

struct CancelTimerDecisionAttributes {
  10: optional string timerId
}

// --- Closing the workflow ---

struct CompleteWorkflowExecutionDecisionAttributes {
  10: optional binary result
}

struct FailWorkflowExecutionDecisionAttributes {
  10: optional string reason
  20: optional binary details
}

struct CancelWorkflowExecutionDecisionAttributes {
  10: optional binary details
}

struct ContinueAsNewWorkflowExecutionDecisionAttributes {
  10: optional WorkflowType workflowType
  20: optional TaskList taskList
  30: optional binary input
  40: optional i32 executionStartToCloseTimeoutSeconds
  50: optional i32 taskStartToCloseTimeoutSeconds
  60: optional i32 backoffStartIntervalInSeconds
  70: optional RetryPolicy retryPolicy
  80: optional ContinueAsNewInitiator initiator
  90: optional string failureReason
  100: optional binary failureDetails
  110: optional binary lastCompletionResult
  120: optional string cronSchedule
  130: optional Header header
  140: optional Memo memo
  150: optional SearchAttributes searchAttributes
  160: optional i32 jitterStartSeconds
  170: optional CronOverlapPolicy cronOverlapPolicy
  180: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

// --- Other workflows ---

struct RequestCancelExternalWorkflowExecutionDecisionAttributes {
  10: optional string domain
  20: optional string workflowId
  30: optional string runId
  40: optional binary control
  50: optional bool childWorkflowOnly
}

struct SignalExternalWorkflowExecutionDecisionAttributes {
  10: optional string domain
  20: optional WorkflowExecution execution
  30: optional string signalName
  40: optional binary input
  50: optional binary control
  60: optional bool childWorkflowOnly
}

// Id 80 is retired (old child policy field).
struct StartChildWorkflowExecutionDecisionAttributes {
  10: optional string domain
  20: optional string workflowId
  30: optional WorkflowType workflowType
  40: optional TaskList taskList
  50: optional binary input
  60: optional i32 executionStartToCloseTimeoutSeconds
  70: optional i32 taskStartToCloseTimeoutSeconds
  81: optional ParentClosePolicy parentClosePolicy
  90: optional binary control
  100: optional WorkflowIdReusePolicy workflowIdReusePolicy
  110: optional RetryPolicy retryPolicy
  120: optional string cronSchedule
  130: optional Header header
  140: optional Memo memo
  150: optional SearchAttributes searchAttributes
  160: optional CronOverlapPolicy cronOverlapPolicy
  170: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

// --- Bookkeeping ---

struct RecordMarkerDecisionAttributes {
  10: optional string markerName
  20: optional binary details
  30: optional Header header
}

struct UpsertWorkflowSearchAttributesDecisionAttributes {
  10: optional SearchAttributes searchAttributes
}

// ===========================================================================
// History
// ===========================================================================
// A workflow's history is a list of HistoryEvent; eventType says which
// *EventAttributes field is populated. Timestamps are unix nanoseconds.

enum EventType {
  WorkflowExecutionStarted = 0,
  WorkflowExecutionCompleted = 1,
  WorkflowExecutionFailed = 2,
  WorkflowExecutionTimedOut = 3,
  DecisionTaskScheduled = 4,
  DecisionTaskStarted = 5,
  DecisionTaskCompleted = 6,
  DecisionTaskTimedOut = 7,
  DecisionTaskFailed = 8,
  ActivityTaskScheduled = 9,
  ActivityTaskStarted = 10,
  ActivityTaskCompleted = 11,
  ActivityTaskFailed = 12,
  ActivityTaskTimedOut = 13,
  ActivityTaskCancelRequested = 14,
  RequestCancelActivityTaskFailed = 15,
  ActivityTaskCanceled = 16,
  TimerStarted = 17,
  TimerFired = 18,
  CancelTimerFailed = 19,
  TimerCanceled = 20,
  WorkflowExecutionCancelRequested = 21,
  WorkflowExecutionCanceled = 22,
  RequestCancelExternalWorkflowExecutionInitiated = 23,
  RequestCancelExternalWorkflowExecutionFailed = 24,
  ExternalWorkflowExecutionCancelRequested = 25,
  MarkerRecorded = 26,
  WorkflowExecutionSignaled = 27,
  WorkflowExecutionTerminated = 28,
  WorkflowExecutionContinuedAsNew = 29,
  StartChildWorkflowExecutionInitiated = 30,
  StartChildWorkflowExecutionFailed = 31,
  ChildWorkflowExecutionStarted = 32,
  ChildWorkflowExecutionCompleted = 33,
  ChildWorkflowExecutionFailed = 34,
  ChildWorkflowExecutionCanceled = 35,
  ChildWorkflowExecutionTimedOut = 36,
  ChildWorkflowExecutionTerminated = 37,
  SignalExternalWorkflowExecutionInitiated = 38,
  SignalExternalWorkflowExecutionFailed = 39,
  ExternalWorkflowExecutionSignaled = 40,
  UpsertWorkflowSearchAttributes = 41,
}

struct HistoryEvent {
  10: optional i64 eventId
  20: optional i64 timestamp
  30: optional EventType eventType
  35: optional i64 version
  36: optional i64 taskId
  40: optional WorkflowExecutionStartedEventAttributes workflowExecutionStartedEventAttributes
  50: optional WorkflowExecutionCompletedEventAttributes workflowExecutionCompletedEventAttributes
  60: optional WorkflowExecutionFailedEventAttributes workflowExecutionFailedEventAttributes
  70: optional WorkflowExecutionTimedOutEventAttributes workflowExecutionTimedOutEventAttributes
  80: optional DecisionTaskScheduledEventAttributes decisionTaskScheduledEventAttributes
  90: optional DecisionTaskStartedEventAttributes decisionTaskStartedEventAttributes
  100: optional DecisionTaskCompletedEventAttributes decisionTaskCompletedEventAttributes
  110: optional DecisionTaskTimedOutEventAttributes decisionTaskTimedOutEventAttributes
  120: optional DecisionTaskFailedEventAttributes decisionTaskFailedEventAttributes
  130: optional ActivityTaskScheduledEventAttributes activityTaskScheduledEventAttributes
  140: optional ActivityTaskStartedEventAttributes activityTaskStartedEventAttributes
  150: optional ActivityTaskCompletedEventAttributes activityTaskCompletedEventAttributes
  160: optional ActivityTaskFailedEventAttributes activityTaskFailedEventAttributes
  170: optional ActivityTaskTimedOutEventAttributes activityTaskTimedOutEventAttributes
  180: optional TimerStartedEventAttributes timerStartedEventAttributes
  190: optional TimerFiredEventAttributes timerFiredEventAttributes
  200: optional ActivityTaskCancelRequestedEventAttributes activityTaskCancelRequestedEventAttributes
  210: optional RequestCancelActivityTaskFailedEventAttributes requestCancelActivityTaskFailedEventAttributes
  220: optional ActivityTaskCanceledEventAttributes activityTaskCanceledEventAttributes
  230: optional TimerCanceledEventAttributes timerCanceledEventAttributes
  240: optional CancelTimerFailedEventAttributes cancelTimerFailedEventAttributes
  250: optional MarkerRecordedEventAttributes markerRecordedEventAttributes
  260: optional WorkflowExecutionSignaledEventAttributes workflowExecutionSignaledEventAttributes
  270: optional WorkflowExecutionTerminatedEventAttributes workflowExecutionTerminatedEventAttributes
  280: optional WorkflowExecutionCancelRequestedEventAttributes workflowExecutionCancelRequestedEventAttributes
  290: optional WorkflowExecutionCanceledEventAttributes workflowExecutionCanceledEventAttributes
  300: optional RequestCancelExternalWorkflowExecutionInitiatedEventAttributes requestCancelExternalWorkflowExecutionInitiatedEventAttributes
  310: optional RequestCancelExternalWorkflowExecutionFailedEventAttributes requestCancelExternalWorkflowExecutionFailedEventAttributes
  320: optional ExternalWorkflowExecutionCancelRequestedEventAttributes externalWorkflowExecutionCancelRequestedEventAttributes
  330: optional WorkflowExecutionContinuedAsNewEventAttributes workflowExecutionContinuedAsNewEventAttributes
  340: optional StartChildWorkflowExecutionInitiatedEventAttributes startChildWorkflowExecutionInitiatedEventAttributes
  350: optional StartChildWorkflowExecutionFailedEventAttributes startChildWorkflowExecutionFailedEventAttributes
  360: optional ChildWorkflowExecutionStartedEventAttributes childWorkflowExecutionStartedEventAttributes
  370: optional ChildWorkflowExecutionCompletedEventAttributes childWorkflowExecutionCompletedEventAttributes
  380: optional ChildWorkflowExecutionFailedEventAttributes childWorkflowExecutionFailedEventAttributes
  390: optional ChildWorkflowExecutionCanceledEventAttributes childWorkflowExecutionCanceledEventAttributes
  400: optional ChildWorkflowExecutionTimedOutEventAttributes childWorkflowExecutionTimedOutEventAttributes
  410: optional ChildWorkflowExecutionTerminatedEventAttributes childWorkflowExecutionTerminatedEventAttributes
  420: optional SignalExternalWorkflowExecutionInitiatedEventAttributes signalExternalWorkflowExecutionInitiatedEventAttributes
  430: optional SignalExternalWorkflowExecutionFailedEventAttributes signalExternalWorkflowExecutionFailedEventAttributes
  440: optional ExternalWorkflowExecutionSignaledEventAttributes externalWorkflowExecutionSignaledEventAttributes
  450: optional UpsertWorkflowSearchAttributesEventAttributes upsertWorkflowSearchAttributesEventAttributes
}

struct History {
  10: optional list<HistoryEvent> events
}

// --- Reset points (where a workflow may be reset to) ---

struct ResetPointInfo {
  10: optional string binaryChecksum
  20: optional string runId
  30: optional i64 firstDecisionCompletedId
  40: optional i64 createdTimeNano
  50: optional i64 expiringTimeNano  // when that run is removed by retention
  60: optional bool resettable       // false if the point has outstanding child/cancel/signal work
}

struct ResetPoints {
  10: optional list<ResetPointInfo> points
}

// --- Workflow execution events ---

// Id 52 is retired (old child policy field).
// originalExecutionRunId: run id at the time this event was written;
// firstExecutionRunId: first run of the continue-as-new / reset chain.
struct WorkflowExecutionStartedEventAttributes {
  10: optional WorkflowType workflowType
  12: optional string parentWorkflowDomain
  14: optional WorkflowExecution parentWorkflowExecution
  16: optional i64 parentInitiatedEventId
  20: optional TaskList taskList
  30: optional binary input
  40: optional i32 executionStartToCloseTimeoutSeconds
  50: optional i32 taskStartToCloseTimeoutSeconds
  54: optional string continuedExecutionRunId
  55: optional ContinueAsNewInitiator initiator
  56: optional string continuedFailureReason
  57: optional binary continuedFailureDetails
  58: optional binary lastCompletionResult
  59: optional string originalExecutionRunId
  60: optional string identity
  61: optional string firstExecutionRunId
  62: optional i64 firstScheduledTimeNano
  70: optional RetryPolicy retryPolicy
  80: optional i32 attempt
  90: optional i64 expirationTimestamp
  100: optional string cronSchedule
  110: optional i32 firstDecisionTaskBackoffSeconds
  120: optional Memo memo
  121: optional SearchAttributes searchAttributes
  130: optional ResetPoints prevAutoResetPoints
  140: optional Header header
  150: optional map<string, string> partitionConfig
  160: optional string requestId
  170: optional CronOverlapPolicy cronOverlapPolicy
  180: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

struct WorkflowExecutionCompletedEventAttributes {
  10: optional binary result
  20: optional i64 decisionTaskCompletedEventId
}

struct WorkflowExecutionFailedEventAttributes {
  10: optional string reason
  20: optional binary details
  30: optional i64 decisionTaskCompletedEventId
}

struct WorkflowExecutionTimedOutEventAttributes {
  10: optional TimeoutType timeoutType
}

struct WorkflowExecutionContinuedAsNewEventAttributes {
  10: optional string newExecutionRunId
  20: optional WorkflowType workflowType
  30: optional TaskList taskList
  40: optional binary input
  50: optional i32 executionStartToCloseTimeoutSeconds
  60: optional i32 taskStartToCloseTimeoutSeconds
  70: optional i64 decisionTaskCompletedEventId
  80: optional i32 backoffStartIntervalInSeconds
  90: optional ContinueAsNewInitiator initiator
  100: optional string failureReason
  110: optional binary failureDetails
  120: optional binary lastCompletionResult
  130: optional Header header
  140: optional Memo memo
  150: optional SearchAttributes searchAttributes
  160: optional CronOverlapPolicy cronOverlapPolicy
  170: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

struct WorkflowExecutionSignaledEventAttributes {
  10: optional string signalName
  20: optional binary input
  30: optional string identity
  40: optional string requestId
}

struct WorkflowExecutionTerminatedEventAttributes {
  10: optional string reason
  20: optional binary details
  30: optional string identity
}

struct WorkflowExecutionCancelRequestedEventAttributes {
  10: optional string cause
  20: optional i64 externalInitiatedEventId
  30: optional WorkflowExecution externalWorkflowExecution
  40: optional string identity
  50: optional string requestId
}

struct WorkflowExecutionCanceledEventAttributes {
  10: optional i64 decisionTaskCompletedEventId
  20: optional binary details
}

struct UpsertWorkflowSearchAttributesEventAttributes {
  10: optional i64 decisionTaskCompletedEventId
  20: optional SearchAttributes searchAttributes
}

struct MarkerRecordedEventAttributes {
  10: optional string markerName
  20: optional binary details
  30: optional i64 decisionTaskCompletedEventId
  40: optional Header header
}

// --- Decision task events ---

enum DecisionTaskFailedCause {
  UNHANDLED_DECISION = 0,
  BAD_SCHEDULE_ACTIVITY_ATTRIBUTES = 1,
  BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES = 2,
  BAD_START_TIMER_ATTRIBUTES = 3,
  BAD_CANCEL_TIMER_ATTRIBUTES = 4,
  BAD_RECORD_MARKER_ATTRIBUTES = 5,
  BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES = 6,
  BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES = 7,
  BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES = 8,
  BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES = 9,
  BAD_CONTINUE_AS_NEW_ATTRIBUTES = 10,
  START_TIMER_DUPLICATE_ID = 11,
  RESET_STICKY_TASKLIST = 12,
  WORKFLOW_WORKER_UNHANDLED_FAILURE = 13,
  BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES = 14,
  BAD_START_CHILD_EXECUTION_ATTRIBUTES = 15,
  FORCE_CLOSE_DECISION = 16,
  FAILOVER_CLOSE_DECISION = 17,
  BAD_SIGNAL_INPUT_SIZE = 18,
  RESET_WORKFLOW = 19,
  BAD_BINARY = 20,
  SCHEDULE_ACTIVITY_DUPLICATE_ID = 21,
  BAD_SEARCH_ATTRIBUTES = 22,
}

enum DecisionTaskTimedOutCause {
  TIMEOUT = 0,
  RESET = 1,
}

// attempt is i64 here (i32 for activities).
struct DecisionTaskScheduledEventAttributes {
  10: optional TaskList taskList
  20: optional i32 startToCloseTimeoutSeconds
  30: optional i64 attempt
}

struct DecisionTaskStartedEventAttributes {
  10: optional i64 scheduledEventId
  20: optional string identity
  30: optional string requestId
}

struct DecisionTaskCompletedEventAttributes {
  10: optional binary executionContext
  20: optional i64 scheduledEventId
  30: optional i64 startedEventId
  40: optional string identity
  50: optional string binaryChecksum
}

// Fields 40-70 are filled when the timeout was caused by a reset.
struct DecisionTaskTimedOutEventAttributes {
  10: optional i64 scheduledEventId
  20: optional i64 startedEventId
  30: optional TimeoutType timeoutType
  40: optional string baseRunId
  50: optional string newRunId
  60: optional i64 forkEventVersion
  70: optional string reason
  80: optional DecisionTaskTimedOutCause cause
  90: optional string requestId
}

// Fields 60-80 are filled when the failure was caused by a reset.
struct DecisionTaskFailedEventAttributes {
  10: optional i64 scheduledEventId
  20: optional i64 startedEventId
  30: optional DecisionTaskFailedCause cause
  35: optional binary details
  40: optional string identity
  50: optional string reason
  60: optional string baseRunId
  70: optional string newRunId
  80: optional i64 forkEventVersion
  90: optional string binaryChecksum
  100: optional string requestId
}

// Scheduled/started decision not yet recorded as events (handed to pollers).
struct TransientDecisionInfo {
  10: optional HistoryEvent scheduledEvent
  20: optional HistoryEvent startedEvent
}

// --- Activity task events ---

struct ActivityTaskScheduledEventAttributes {
  10: optional string activityId
  20: optional ActivityType activityType
  25: optional string domain
  30: optional TaskList taskList
  40: optional binary input
  45: optional i32 scheduleToCloseTimeoutSeconds
  50: optional i32 scheduleToStartTimeoutSeconds
  55: optional i32 startToCloseTimeoutSeconds
  60: optional i32 heartbeatTimeoutSeconds
  90: optional i64 decisionTaskCompletedEventId
  110: optional RetryPolicy retryPolicy
  120: optional Header header
}

struct ActivityTaskStartedEventAttributes {
  10: optional i64 scheduledEventId
  20: optional string identity
  30: optional string requestId
  40: optional i32 attempt
  50: optional string lastFailureReason
  60: optional binary lastFailureDetails
}

struct ActivityTaskCompletedEventAttributes {
  10: optional binary result
  20: optional i64 scheduledEventId
  30: optional i64 startedEventId
  40: optional string identity
}

struct ActivityTaskFailedEventAttributes {
  10: optional string reason
  20: optional binary details
  30: optional i64 scheduledEventId
  40: optional i64 startedEventId
  50: optional string identity
}

// details (id 5) carries the last heartbeat details; lastFailure* keeps the
// failure of a previous retry attempt, if any.
struct ActivityTaskTimedOutEventAttributes {
  5: optional binary details
  10: optional i64 scheduledEventId
  20: optional i64 startedEventId
  30: optional TimeoutType timeoutType
  40: optional string lastFailureReason
  50: optional binary lastFailureDetails
}

struct ActivityTaskCancelRequestedEventAttributes {
  10: optional string activityId
  20: optional i64 decisionTaskCompletedEventId
}

struct RequestCancelActivityTaskFailedEventAttributes {
  10: optional string activityId
  20: optional string cause
  30: optional i64 decisionTaskCompletedEventId
}

struct ActivityTaskCanceledEventAttributes {
  10: optional binary details
  20: optional i64 latestCancelRequestedEventId
  30: optional i64 scheduledEventId
  40: optional i64 startedEventId
  50: optional string identity
}

// --- Timer events ---

struct TimerStartedEventAttributes {
  10: optional string timerId
  20: optional i64 startToFireTimeoutSeconds
  30: optional i64 decisionTaskCompletedEventId
}

struct TimerFiredEventAttributes {
  10: optional string timerId
  20: optional i64 startedEventId
}

struct TimerCanceledEventAttributes {
  10: optional string timerId
  20: optional i64 startedEventId
  30: optional i64 decisionTaskCompletedEventId
  40: optional string identity
}

struct CancelTimerFailedEventAttributes {
  10: optional string timerId
  20: optional string cause
  30: optional i64 decisionTaskCompletedEventId
  40: optional string identity
}

// --- Cancelling / signalling other workflows ---

enum CancelExternalWorkflowExecutionFailedCause {
  UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION = 0,
  WORKFLOW_ALREADY_COMPLETED = 1,
}

enum SignalExternalWorkflowExecutionFailedCause {
  UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION = 0,
  WORKFLOW_ALREADY_COMPLETED = 1,
}

struct RequestCancelExternalWorkflowExecutionInitiatedEventAttributes {
  10: optional i64 decisionTaskCompletedEventId
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional binary control
  50: optional bool childWorkflowOnly
}

struct RequestCancelExternalWorkflowExecutionFailedEventAttributes {
  10: optional CancelExternalWorkflowExecutionFailedCause cause
  20: optional i64 decisionTaskCompletedEventId
  30: optional string domain
  40: optional WorkflowExecution workflowExecution
  50: optional i64 initiatedEventId
  60: optional binary control
}

struct ExternalWorkflowExecutionCancelRequestedEventAttributes {
  10: optional i64 initiatedEventId
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
}

struct SignalExternalWorkflowExecutionInitiatedEventAttributes {
  10: optional i64 decisionTaskCompletedEventId
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional string signalName
  50: optional binary input
  60: optional binary control
  70: optional bool childWorkflowOnly
}

struct SignalExternalWorkflowExecutionFailedEventAttributes {
  10: optional SignalExternalWorkflowExecutionFailedCause cause
  20: optional i64 decisionTaskCompletedEventId
  30: optional string domain
  40: optional WorkflowExecution workflowExecution
  50: optional i64 initiatedEventId
  60: optional binary control
}

struct ExternalWorkflowExecutionSignaledEventAttributes {
  10: optional i64 initiatedEventId
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional binary control
}

// --- Child workflow events ---

enum ChildWorkflowExecutionFailedCause {
  WORKFLOW_ALREADY_RUNNING = 0,
}

// Id 80 is retired (old child policy field).
struct StartChildWorkflowExecutionInitiatedEventAttributes {
  10: optional string domain
  20: optional string workflowId
  30: optional WorkflowType workflowType
  40: optional TaskList taskList
  50: optional binary input
  60: optional i32 executionStartToCloseTimeoutSeconds
  70: optional i32 taskStartToCloseTimeoutSeconds
  81: optional ParentClosePolicy parentClosePolicy
  90: optional binary control
  100: optional i64 decisionTaskCompletedEventId
  110: optional WorkflowIdReusePolicy workflowIdReusePolicy
  120: optional RetryPolicy retryPolicy
  130: optional string cronSchedule
  140: optional Header header
  150: optional Memo memo
  160: optional SearchAttributes searchAttributes
  170: optional i32 delayStartSeconds
  180: optional i32 jitterStartSeconds
  190: optional i64 firstRunAtTimestamp
  200: optional CronOverlapPolicy cronOverlapPolicy
  210: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

struct StartChildWorkflowExecutionFailedEventAttributes {
  10: optional string domain
  20: optional string workflowId
  30: optional WorkflowType workflowType
  40: optional ChildWorkflowExecutionFailedCause cause
  50: optional binary control
  60: optional i64 initiatedEventId
  70: optional i64 decisionTaskCompletedEventId
}

struct ChildWorkflowExecutionStartedEventAttributes {
  10: optional string domain
  20: optional i64 initiatedEventId
  30: optional WorkflowExecution workflowExecution
  40: optional WorkflowType workflowType
  50: optional Header header
}

struct ChildWorkflowExecutionCompletedEventAttributes {
  10: optional binary result
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional WorkflowType workflowType
  50: optional i64 initiatedEventId
  60: optional i64 startedEventId
}

struct ChildWorkflowExecutionFailedEventAttributes {
  10: optional string reason
  20: optional binary details
  30: optional string domain
  40: optional WorkflowExecution workflowExecution
  50: optional WorkflowType workflowType
  60: optional i64 initiatedEventId
  70: optional i64 startedEventId
}

struct ChildWorkflowExecutionCanceledEventAttributes {
  10: optional binary details
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional WorkflowType workflowType
  50: optional i64 initiatedEventId
  60: optional i64 startedEventId
}

struct ChildWorkflowExecutionTimedOutEventAttributes {
  10: optional TimeoutType timeoutType
  20: optional string domain
  30: optional WorkflowExecution workflowExecution
  40: optional WorkflowType workflowType
  50: optional i64 initiatedEventId
  60: optional i64 startedEventId
}

// Note: no details field, and ids start at 10 with domain.
struct ChildWorkflowExecutionTerminatedEventAttributes {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional WorkflowType workflowType
  40: optional i64 initiatedEventId
  50: optional i64 startedEventId
}

// ===========================================================================
// Starting and controlling executions
// ===========================================================================

// Id 110 is retired (old child policy field).
struct StartWorkflowExecutionRequest {
  10: optional string domain
  20: optional string workflowId
  30: optional WorkflowType workflowType
  40: optional TaskList taskList
  50: optional binary input
  60: optional i32 executionStartToCloseTimeoutSeconds
  70: optional i32 taskStartToCloseTimeoutSeconds
  80: optional string identity
  90: optional string requestId
  100: optional WorkflowIdReusePolicy workflowIdReusePolicy
  120: optional RetryPolicy retryPolicy
  130: optional string cronSchedule
  140: optional Memo memo
  141: optional SearchAttributes searchAttributes
  150: optional Header header
  160: optional i32 delayStartSeconds
  170: optional i32 jitterStartSeconds
  180: optional i64 firstRunAtTimestamp
  190: optional CronOverlapPolicy cronOverlapPolicy
  200: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

struct StartWorkflowExecutionResponse {
  10: optional string runId
}

// Async variants wrap the synchronous request; the response carries nothing.
struct StartWorkflowExecutionAsyncRequest {
  10: optional StartWorkflowExecutionRequest request
}

struct StartWorkflowExecutionAsyncResponse {
}

struct SignalWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string signalName
  40: optional binary input
  50: optional string identity
  60: optional string requestId
  70: optional binary control
}

// Start-request fields plus the signal (110-130); ids differ from
// StartWorkflowExecutionRequest from 110 on.
struct SignalWithStartWorkflowExecutionRequest {
  10: optional string domain
  20: optional string workflowId
  30: optional WorkflowType workflowType
  40: optional TaskList taskList
  50: optional binary input
  60: optional i32 executionStartToCloseTimeoutSeconds
  70: optional i32 taskStartToCloseTimeoutSeconds
  80: optional string identity
  90: optional string requestId
  100: optional WorkflowIdReusePolicy workflowIdReusePolicy
  110: optional string signalName
  120: optional binary signalInput
  130: optional binary control
  140: optional RetryPolicy retryPolicy
  150: optional string cronSchedule
  160: optional Memo memo
  161: optional SearchAttributes searchAttributes
  170: optional Header header
  180: optional i32 delayStartSeconds
  190: optional i32 jitterStartSeconds
  200: optional i64 firstRunAtTimestamp
  210: optional CronOverlapPolicy cronOverlapPolicy
  220: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
}

struct SignalWithStartWorkflowExecutionAsyncRequest {
  10: optional SignalWithStartWorkflowExecutionRequest request
}

struct SignalWithStartWorkflowExecutionAsyncResponse {
}

struct RequestCancelWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string identity
  40: optional string requestId
  50: optional string cause
  60: optional string firstExecutionRunID
}

struct TerminateWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string reason
  40: optional binary details
  50: optional string identity
  60: optional string firstExecutionRunID
}

struct ResetWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string reason
  40: optional i64 decisionFinishEventId
  50: optional string requestId
  60: optional bool skipSignalReapply
}

struct ResetWorkflowExecutionResponse {
  10: optional string runId
}

struct RestartWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string reason
  40: optional string identity
}

struct RestartWorkflowExecutionResponse {
  10: optional string runId
}

struct DiagnoseWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution workflowExecution
  30: optional string identity
}

// Points at the diagnostics workflow that was started.
struct DiagnoseWorkflowExecutionResponse {
  10: optional string domain
  20: optional WorkflowExecution diagnosticWorkflowExecution
}

struct RefreshWorkflowTasksRequest {
  10: optional string domain
  20: optional WorkflowExecution execution
}

// ===========================================================================
// Reading history
// ===========================================================================

enum HistoryEventFilterType {
  ALL_EVENT = 0,
  CLOSE_EVENT = 1,
}

enum QueryConsistencyLevel {
  EVENTUAL = 0,
  STRONG = 1,  // reflect every event recorded before the call
}

// Field 60 reuses the enum name as the field name, as upstream does.
struct GetWorkflowExecutionHistoryRequest {
  10: optional string domain
  20: optional WorkflowExecution execution
  30: optional i32 maximumPageSize
  40: optional binary nextPageToken
  50: optional bool waitForNewEvent
  60: optional HistoryEventFilterType HistoryEventFilterType
  70: optional bool skipArchival
  80: optional QueryConsistencyLevel queryConsistencyLevel
}

struct GetWorkflowExecutionHistoryResponse {
  10: optional History history
  11: optional list<DataBlob> rawHistory
  20: optional binary nextPageToken
  30: optional bool archived
}

// ===========================================================================
// Decision workers
// ===========================================================================

struct PollForDecisionTaskRequest {
  10: optional string domain
  20: optional TaskList taskList
  30: optional string identity
  40: optional string binaryChecksum
}

// Field 90 is capitalised `WorkflowExecutionTaskList`, exactly as upstream.
struct PollForDecisionTaskResponse {
  10: optional binary taskToken
  20: optional WorkflowExecution workflowExecution
  30: optional WorkflowType workflowType
  40: optional i64 previousStartedEventId
  50: optional i64 startedEventId
  51: optional i64 attempt
  54: optional i64 backlogCountHint
  60: optional History history
  70: optional binary nextPageToken
  80: optional WorkflowQuery query
  90: optional TaskList WorkflowExecutionTaskList
  100: optional i64 scheduledTimestamp
  110: optional i64 startedTimestamp
  120: optional map<string, WorkflowQuery> queries
  130: optional i64 nextEventId
  140: optional i64 totalHistoryBytes
  150: optional AutoConfigHint autoConfigHint
}

struct StickyExecutionAttributes {
  10: optional TaskList workerTaskList
  20: optional i32 scheduleToStartTimeoutSeconds
}

// queryResults answers the queries delivered with the decision task (by query id).
struct RespondDecisionTaskCompletedRequest {
  10: optional binary taskToken
  20: optional list<Decision> decisions
  30: optional binary executionContext
  40: optional string identity
  50: optional StickyExecutionAttributes stickyAttributes
  60: optional bool returnNewDecisionTask
  70: optional bool forceCreateNewDecisionTask
  80: optional string binaryChecksum
  90: optional map<string, WorkflowQueryResult> queryResults
}

// activitiesToDispatchLocally is keyed by activity id.
struct RespondDecisionTaskCompletedResponse {
  10: optional PollForDecisionTaskResponse decisionTask
  20: optional map<string, ActivityLocalDispatchInfo> activitiesToDispatchLocally
}

struct RespondDecisionTaskFailedRequest {
  10: optional binary taskToken
  20: optional DecisionTaskFailedCause cause
  30: optional binary details
  40: optional string identity
  50: optional string binaryChecksum
}

struct ResetStickyTaskListRequest {
  10: optional string domain
  20: optional WorkflowExecution execution
}

// Intentionally empty (room for future fields).
struct ResetStickyTaskListResponse {
}

// ===========================================================================
// Activity workers
// ===========================================================================

struct PollForActivityTaskRequest {
  10: optional string domain
  20: optional TaskList taskList
  30: optional string identity
  40: optional TaskListMetadata taskListMetadata
}

// Id 60 is unused.
struct PollForActivityTaskResponse {
  10: optional binary taskToken
  20: optional WorkflowExecution workflowExecution
  30: optional string activityId
  40: optional ActivityType activityType
  50: optional binary input
  70: optional i64 scheduledTimestamp
  80: optional i32 scheduleToCloseTimeoutSeconds
  90: optional i64 startedTimestamp
  100: optional i32 startToCloseTimeoutSeconds
  110: optional i32 heartbeatTimeoutSeconds
  120: optional i32 attempt
  130: optional i64 scheduledTimestampOfThisAttempt
  140: optional binary heartbeatDetails
  150: optional WorkflowType workflowType
  160: optional string workflowDomain
  170: optional Header header
  180: optional AutoConfigHint autoConfigHint
}

// --- By task token ---

struct RecordActivityTaskHeartbeatRequest {
  10: optional binary taskToken
  20: optional binary details
  30: optional string identity
}

struct RecordActivityTaskHeartbeatResponse {
  10: optional bool cancelRequested
}

struct RespondActivityTaskCompletedRequest {
  10: optional binary taskToken
  20: optional binary result
  30: optional string identity
}

struct RespondActivityTaskFailedRequest {
  10: optional binary taskToken
  20: optional string reason
  30: optional binary details
  40: optional string identity
}

struct RespondActivityTaskCanceledRequest {
  10: optional binary taskToken
  20: optional binary details
  30: optional string identity
}

// --- By (domain, workflowID, runID, activityID); note the upper-case "ID" ---

struct RecordActivityTaskHeartbeatByIDRequest {
  10: optional string domain
  20: optional string workflowID
  30: optional string runID
  40: optional string activityID
  50: optional binary details
  60: optional string identity
}

struct RespondActivityTaskCompletedByIDRequest {
  10: optional string domain
  20: optional string workflowID
  30: optional string runID
  40: optional string activityID
  50: optional binary result
  60: optional string identity
}

struct RespondActivityTaskFailedByIDRequest {
  10: optional string domain
  20: optional string workflowID
  30: optional string runID
  40: optional string activityID
  50: optional string reason
  60: optional binary details
  70: optional string identity
}

struct RespondActivityTaskCanceledByIDRequest {
  10: optional string domain
  20: optional string workflowID
  30: optional string runID
  40: optional string activityID
  50: optional binary details
  60: optional string identity
}

// ===========================================================================
// Queries
// ===========================================================================

enum QueryRejectCondition {
  NOT_OPEN = 0,               // reject unless the workflow is still open
  NOT_COMPLETED_CLEANLY = 1,  // reject if it closed other than by completing
}

enum QueryTaskCompletedType {
  COMPLETED = 0,
  FAILED = 1,
}

enum QueryResultType {
  ANSWERED = 0,
  FAILED = 1,
}

struct WorkflowQuery {
  10: optional string queryType
  20: optional binary queryArgs
}

struct WorkflowQueryResult {
  10: optional QueryResultType resultType
  20: optional binary answer
  30: optional string errorMessage
}

struct QueryWorkflowRequest {
  10: optional string domain
  20: optional WorkflowExecution execution
  30: optional WorkflowQuery query
  40: optional QueryRejectCondition queryRejectCondition
  50: optional QueryConsistencyLevel queryConsistencyLevel
}

struct QueryRejected {
  10: optional WorkflowExecutionCloseStatus closeStatus
}

struct QueryWorkflowResponse {
  10: optional binary queryResult
  20: optional QueryRejected queryRejected
}

// Legacy path: a worker answering a query task it polled.
struct RespondQueryTaskCompletedRequest {
  10: optional binary taskToken
  20: optional QueryTaskCompletedType completedType
  30: optional binary queryResult
  40: optional string errorMessage
  50: optional WorkerVersionInfo workerVersionInfo
}

// ===========================================================================
// Describing executions and visibility
// ===========================================================================

// --- Execution summaries ---

// `parentInitatedId` (sic) and `taskList` as a plain string are upstream
// spellings; taskListInfo (121) carries the structured form.
struct WorkflowExecutionInfo {
  10: optional WorkflowExecution execution
  20: optional WorkflowType type
  30: optional i64 startTime
  40: optional i64 closeTime
  50: optional WorkflowExecutionCloseStatus closeStatus
  60: optional i64 historyLength
  70: optional string parentDomainId
  71: optional string parentDomainName
  72: optional i64 parentInitatedId
  80: optional WorkflowExecution parentExecution
  90: optional i64 executionTime
  100: optional Memo memo
  101: optional SearchAttributes searchAttributes
  110: optional ResetPoints autoResetPoints
  120: optional string taskList
  121: optional TaskList taskListInfo
  130: optional bool isCron
  140: optional i64 updateTime
  150: optional map<string, string> partitionConfig
  160: optional CronOverlapPolicy cronOverlapPolicy
  170: optional ActiveClusterSelectionPolicy activeClusterSelectionPolicy
  180: optional string cronSchedule
  190: optional WorkflowExecutionStatus executionStatus
  200: optional i64 scheduledExecutionTime
}

// Id 40 is retired (old child policy field).
struct WorkflowExecutionConfiguration {
  10: optional TaskList taskList
  20: optional i32 executionStartToCloseTimeoutSeconds
  30: optional i32 taskStartToCloseTimeoutSeconds
}

// --- DescribeWorkflowExecution ---

enum PendingActivityState {
  SCHEDULED = 0,
  STARTED = 1,
  CANCEL_REQUESTED = 2,
}

enum PendingDecisionState {
  SCHEDULED = 0,
  STARTED = 1,
}

struct PendingActivityInfo {
  10: optional string activityID
  20: optional ActivityType activityType
  30: optional PendingActivityState state
  40: optional binary heartbeatDetails
  50: optional i64 lastHeartbeatTimestamp
  60: optional i64 lastStartedTimestamp
  70: optional i32 attempt
  80: optional i32 maximumAttempts
  90: optional i64 scheduledTimestamp
  100: optional i64 expirationTimestamp
  110: optional string lastFailureReason
  120: optional string lastWorkerIdentity
  130: optional binary lastFailureDetails
  140: optional string startedWorkerIdentity
  150: optional i64 scheduleID
}

struct PendingDecisionInfo {
  10: optional PendingDecisionState state
  20: optional i64 scheduledTimestamp
  30: optional i64 startedTimestamp
  40: optional i64 attempt
  50: optional i64 originalScheduledTimestamp
  60: optional i64 scheduleID
}

// Field 1 (domain) predates the 10-step numbering; `workflowTypName` (sic).
struct PendingChildExecutionInfo {
  1: optional string domain
  10: optional string workflowID
  20: optional string runID
  30: optional string workflowTypName
  40: optional i64 initiatedID
  50: optional ParentClosePolicy parentClosePolicy
}

struct DescribeWorkflowExecutionRequest {
  10: optional string domain
  20: optional WorkflowExecution execution
  30: optional QueryConsistencyLevel queryConsistencyLevel
}

struct DescribeWorkflowExecutionResponse {
  10: optional WorkflowExecutionConfiguration executionConfiguration
  20: optional WorkflowExecutionInfo workflowExecutionInfo
  30: optional list<PendingActivityInfo> pendingActivities
  40: optional list<PendingChildExecutionInfo> pendingChildren
  50: optional PendingDecisionInfo pendingDecision
}

// --- Filtered listing (open / closed) ---

struct WorkflowExecutionFilter {
  10: optional string workflowId
  20: optional string runId
}

struct WorkflowTypeFilter {
  10: optional string name
}

struct StartTimeFilter {
  10: optional i64 earliestTime
  20: optional i64 latestTime
}

// Field 40 is capitalised `StartTimeFilter`, exactly as upstream.
struct ListOpenWorkflowExecutionsRequest {
  10: optional string domain
  20: optional i32 maximumPageSize
  30: optional binary nextPageToken
  40: optional StartTimeFilter StartTimeFilter
  50: optional WorkflowExecutionFilter executionFilter
  60: optional WorkflowTypeFilter typeFilter
}

struct ListOpenWorkflowExecutionsResponse {
  10: optional list<WorkflowExecutionInfo> executions
  20: optional binary nextPageToken
}

struct ListClosedWorkflowExecutionsRequest {
  10: optional string domain
  20: optional i32 maximumPageSize
  30: optional binary nextPageToken
  40: optional StartTimeFilter StartTimeFilter
  50: optional WorkflowExecutionFilter executionFilter
  60: optional WorkflowTypeFilter typeFilter
  70: optional WorkflowExecutionCloseStatus statusFilter
}

struct ListClosedWorkflowExecutionsResponse {
  10: optional list<WorkflowExecutionInfo> executions
  20: optional binary nextPageToken
}

// --- Query-string listing (also used by ScanWorkflowExecutions) ---

struct ListWorkflowExecutionsRequest {
  10: optional string domain
  20: optional i32 pageSize
  30: optional binary nextPageToken
  40: optional string query
}

struct ListWorkflowExecutionsResponse {
  10: optional list<WorkflowExecutionInfo> executions
  20: optional binary nextPageToken
}

struct ListArchivedWorkflowExecutionsRequest {
  10: optional string domain
  20: optional i32 pageSize
  30: optional binary nextPageToken
  40: optional string query
}

struct ListArchivedWorkflowExecutionsResponse {
  10: optional list<WorkflowExecutionInfo> executions
  20: optional binary nextPageToken
}

struct CountWorkflowExecutionsRequest {
  10: optional string domain
  20: optional string query
}

struct CountWorkflowExecutionsResponse {
  10: optional i64 count
}

// --- Search attribute catalogue ---

enum IndexedValueType {
  STRING = 0,
  KEYWORD = 1,
  INT = 2,
  DOUBLE = 3,
  BOOL = 4,
  DATETIME = 5,
}

struct GetSearchAttributesResponse {
  10: optional map<string, IndexedValueType> keys
}

// ===========================================================================
// Cluster information and client feature flags
// ===========================================================================

struct SupportedClientVersions {
  10: optional string goSdk
  20: optional string javaSdk
}

struct ClusterInfo {
  10: optional SupportedClientVersions supportedClientVersions
}

// Deprecated upstream in favour of the proto definition; capitalised field
// names are part of the contract.
struct FeatureFlags {
  10: optional bool WorkflowExecutionAlreadyCompletedErrorEnabled
  20: optional bool AutoForwardingEnabled
}

// ===========================================================================
// Server internals exposed through the admin API
// ===========================================================================
// Not used by the public WorkflowService but referenced by admin.thrift /
// history.thrift, so they are kept here with the upstream shapes.

// --- History hosts and shards ---

// At least one of the three selectors should be set. hostAddress is ip:port.
struct DescribeHistoryHostRequest {
  10: optional string hostAddress
  20: optional i32 shardIdForHost
  30: optional WorkflowExecution executionForHost
}

struct DomainCacheInfo {
  10: optional i64 numOfItemsInCacheByID
  20: optional i64 numOfItemsInCacheByName
}

struct DescribeHistoryHostResponse {
  10: optional i32 numberOfShards
  20: optional list<i32> shardIDs
  30: optional DomainCacheInfo domainCache
  40: optional string shardControllerStatus
  50: optional string address
}

struct DescribeShardDistributionRequest {
  10: optional i32 pageSize
  20: optional i32 pageID
}

// shards: shard id -> owning host (ip:port).
struct DescribeShardDistributionResponse {
  10: optional i32 numberOfShards
  20: optional map<i32, string> shards
}

struct CloseShardRequest {
  10: optional i32 shardID
}

// --- Task queues of a shard ---

struct RemoveTaskRequest {
  10: optional i32 shardID
  20: optional i32 type
  30: optional i64 taskID
  40: optional i64 visibilityTimestamp
  50: optional string clusterName
}

struct ResetQueueRequest {
  10: optional i32 shardID
  20: optional string clusterName
  30: optional i32 type
}

struct DescribeQueueRequest {
  10: optional i32 shardID
  20: optional string clusterName
  30: optional i32 type
}

struct DescribeQueueResponse {
  10: optional list<string> processingQueueStates
}

// --- Persisted queue processing state ---

struct TaskKey {
  10: optional i64 scheduledTimeNano
  20: optional i64 taskID
}

struct TaskRange {
  10: optional TaskKey inclusiveMin
  20: optional TaskKey exclusiveMax
}

enum PredicateType {
  Universal = 0,
  Empty = 1,
  DomainID = 2,
}

struct UniversalPredicateAttributes {
}

struct EmptyPredicateAttributes {
}

struct DomainIDPredicateAttributes {
  10: optional list<string> domainIDs
  20: optional bool isExclusive
}

// predicateType selects which attributes field applies.
struct Predicate {
  10: optional PredicateType predicateType
  20: optional UniversalPredicateAttributes universalPredicateAttributes
  30: optional EmptyPredicateAttributes emptyPredicateAttributes
  40: optional DomainIDPredicateAttributes domainIDPredicateAttributes
}

struct VirtualSliceState {
  10: optional TaskRange taskRange
  20: optional Predicate predicate
}

struct VirtualQueueState {
  10: optional list<VirtualSliceState> virtualSliceStates
}

// virtualQueueStates is keyed by virtual queue id (i64).
struct QueueState {
  10: optional map<i64, VirtualQueueState> virtualQueueStates
  20: optional TaskKey exclusiveMaxReadLevel
}

// ===========================================================================
// History branches, version histories, replication
// ===========================================================================

// [beginNodeID, endNodeID) of an ancestor branch.
struct HistoryBranchRange {
  10: optional string branchID
  20: optional i64 beginNodeID
  30: optional i64 endNodeID
}

struct HistoryBranch {
  10: optional string treeID
  20: optional string branchID
  30: optional list<HistoryBranchRange> ancestors
}

struct VersionHistoryItem {
  10: optional i64 eventID
  20: optional i64 version
}

struct VersionHistory {
  10: optional binary branchToken
  20: optional list<VersionHistoryItem> items
}

struct VersionHistories {
  10: optional i32 currentVersionHistoryIndex
  20: optional list<VersionHistory> histories
}

struct ReapplyEventsRequest {
  10: optional string domainName
  20: optional WorkflowExecution workflowExecution
  30: optional DataBlob events
}

// ===========================================================================
// Cross-cluster tasks
// ===========================================================================

enum CrossClusterTaskType {
  StartChildExecution = 0,
  CancelExecution = 1,
  SignalExecution = 2,
  RecordChildWorkflowExecutionComplete = 3,
  ApplyParentClosePolicy = 4,
}

enum CrossClusterTaskFailedCause {
  DOMAIN_NOT_ACTIVE = 0,
  DOMAIN_NOT_EXISTS = 1,
  WORKFLOW_ALREADY_RUNNING = 2,
  WORKFLOW_NOT_EXISTS = 3,
  WORKFLOW_ALREADY_COMPLETED = 4,
  UNCATEGORIZED = 5,
}

enum GetTaskFailedCause {
  SERVICE_BUSY = 0,
  TIMEOUT = 1,
  SHARD_OWNERSHIP_LOST = 2,
  UNCATEGORIZED = 3,
}

// taskState is an i16 on the wire.
struct CrossClusterTaskInfo {
  10: optional string domainID
  20: optional string workflowID
  30: optional string runID
  40: optional CrossClusterTaskType taskType
  50: optional i16 taskState
  60: optional i64 taskID
  70: optional i64 visibilityTimestamp
}

// --- Per-type request / response attributes ---

// targetRunID is used to schedule the child's first decision task; the
// target workflow id is inside initiatedEventAttributes.
struct CrossClusterStartChildExecutionRequestAttributes {
  10: optional string targetDomainID
  20: optional string requestID
  30: optional i64 initiatedEventID
  40: optional StartChildWorkflowExecutionInitiatedEventAttributes initiatedEventAttributes
  50: optional string targetRunID
  60: optional map<string, string> partitionConfig
}

struct CrossClusterStartChildExecutionResponseAttributes {
  10: optional string runID
}

struct CrossClusterCancelExecutionRequestAttributes {
  10: optional string targetDomainID
  20: optional string targetWorkflowID
  30: optional string targetRunID
  40: optional string requestID
  50: optional i64 initiatedEventID
  60: optional bool childWorkflowOnly
}

struct CrossClusterCancelExecutionResponseAttributes {
}

struct CrossClusterSignalExecutionRequestAttributes {
  10: optional string targetDomainID
  20: optional string targetWorkflowID
  30: optional string targetRunID
  40: optional string requestID
  50: optional i64 initiatedEventID
  60: optional bool childWorkflowOnly
  70: optional string signalName
  80: optional binary signalInput
  90: optional binary control
}

struct CrossClusterSignalExecutionResponseAttributes {
}

struct CrossClusterRecordChildWorkflowExecutionCompleteRequestAttributes {
  10: optional string targetDomainID
  20: optional string targetWorkflowID
  30: optional string targetRunID
  40: optional i64 initiatedEventID
  50: optional HistoryEvent completionEvent
}

struct CrossClusterRecordChildWorkflowExecutionCompleteResponseAttributes {
}

// --- Parent close policy fan-out ---

struct ApplyParentClosePolicyAttributes {
  10: optional string childDomainID
  20: optional string childWorkflowID
  30: optional string childRunID
  40: optional ParentClosePolicy parentClosePolicy
}

struct ApplyParentClosePolicyStatus {
  10: optional bool completed
  20: optional CrossClusterTaskFailedCause failedCause
}

struct ApplyParentClosePolicyRequest {
  10: optional ApplyParentClosePolicyAttributes child
  20: optional ApplyParentClosePolicyStatus status
}

struct ApplyParentClosePolicyResult {
  10: optional ApplyParentClosePolicyAttributes child
  20: optional CrossClusterTaskFailedCause failedCause
}

struct CrossClusterApplyParentClosePolicyRequestAttributes {
  10: optional list<ApplyParentClosePolicyRequest> children
}

struct CrossClusterApplyParentClosePolicyResponseAttributes {
  10: optional list<ApplyParentClosePolicyResult> childrenStatus
}

// --- Envelopes and RPC messages ---

struct CrossClusterTaskRequest {
  10: optional CrossClusterTaskInfo taskInfo
  20: optional CrossClusterStartChildExecutionRequestAttributes startChildExecutionAttributes
  30: optional CrossClusterCancelExecutionRequestAttributes cancelExecutionAttributes
  40: optional CrossClusterSignalExecutionRequestAttributes signalExecutionAttributes
  50: optional CrossClusterRecordChildWorkflowExecutionCompleteRequestAttributes recordChildWorkflowExecutionCompleteAttributes
  60: optional CrossClusterApplyParentClosePolicyRequestAttributes applyParentClosePolicyAttributes
}

struct CrossClusterTaskResponse {
  10: optional i64 taskID
  20: optional CrossClusterTaskType taskType
  30: optional i16 taskState
  40: optional CrossClusterTaskFailedCause failedCause
  50: optional CrossClusterStartChildExecutionResponseAttributes startChildExecutionAttributes
  60: optional CrossClusterCancelExecutionResponseAttributes cancelExecutionAttributes
  70: optional CrossClusterSignalExecutionResponseAttributes signalExecutionAttributes
  80: optional CrossClusterRecordChildWorkflowExecutionCompleteResponseAttributes recordChildWorkflowExecutionCompleteAttributes
  90: optional CrossClusterApplyParentClosePolicyResponseAttributes applyParentClosePolicyAttributes
}

struct GetCrossClusterTasksRequest {
  10: optional list<i32> shardIDs
  20: optional string targetCluster
}

// Both maps are keyed by shard id.
struct GetCrossClusterTasksResponse {
  10: optional map<i32, list<CrossClusterTaskRequest>> tasksByShard
  20: optional map<i32, GetTaskFailedCause> failedCauseByShard
}

struct RespondCrossClusterTasksCompletedRequest {
  10: optional i32 shardID
  20: optional string targetCluster
  30: optional list<CrossClusterTaskResponse> taskResponses
  40: optional bool fetchNewTasks
}

struct RespondCrossClusterTasksCompletedResponse {
  10: optional list<CrossClusterTaskRequest> tasks
}

// ===========================================================================
// Schedules
// ===========================================================================
// Times named *Nano are unix nanoseconds; durations are whole seconds (the
// proto API allows sub-second precision, Thrift truncates).

enum ScheduleOverlapPolicy {
  INVALID = 0,
  SKIP_NEW = 1,
  BUFFER = 2,
  CONCURRENT = 3,
  CANCEL_PREVIOUS = 4,
  TERMINATE_PREVIOUS = 5,
}

// How runs missed while paused / down are treated on resume.
enum ScheduleCatchUpPolicy {
  INVALID = 0,
  SKIP = 1,
  ONE = 2,
  ALL = 3,
}

// --- Definition ---

// cronExpression may start with "CRON_TZ=<zone> " to pick a time zone.
struct ScheduleSpec {
  10: optional string cronExpression
  20: optional i64 startTimeNano
  30: optional i64 endTimeNano
  40: optional i32 jitterInSeconds
}

struct ScheduleStartWorkflowAction {
  10: optional WorkflowType workflowType
  20: optional TaskList taskList
  30: optional binary input
  40: optional string workflowIdPrefix
  50: optional i32 executionStartToCloseTimeoutSeconds
  60: optional i32 taskStartToCloseTimeoutSeconds
  70: optional RetryPolicy retryPolicy
  80: optional Memo memo
  90: optional SearchAttributes searchAttributes
}

// Exactly one member is expected to be set.
struct ScheduleAction {
  10: optional ScheduleStartWorkflowAction startWorkflow
}

// bufferLimit / concurrencyLimit: 0 = unlimited; each only applies to the
// matching overlap policy (BUFFER / CONCURRENT).
struct SchedulePolicies {
  10: optional ScheduleOverlapPolicy overlapPolicy
  20: optional ScheduleCatchUpPolicy catchUpPolicy
  30: optional i32 catchUpWindowInSeconds
  40: optional bool pauseOnFailure
  50: optional i32 bufferLimit
  60: optional i32 concurrencyLimit
}

// --- Runtime state ---

struct SchedulePauseInfo {
  10: optional string reason
  20: optional i64 pausedTimeNano
  30: optional string pausedBy
}

struct ScheduleState {
  10: optional bool paused
  20: optional SchedulePauseInfo pauseInfo
}

struct BackfillInfo {
  10: optional string backfillId
  20: optional i64 startTimeNano
  30: optional i64 endTimeNano
  40: optional i32 runsCompleted
  50: optional i32 runsTotal
}

// missedRuns: skipped by the catch-up policy; skippedRuns: skipped by the
// overlap policy.
struct ScheduleInfo {
  10: optional i64 lastRunTimeNano
  20: optional i64 nextRunTimeNano
  30: optional i64 totalRuns
  40: optional i64 createTimeNano
  50: optional i64 lastUpdateTimeNano
  60: optional list<BackfillInfo> ongoingBackfills
  70: optional i64 missedRuns
  80: optional i64 skippedRuns
}

struct ScheduleListEntry {
  10: optional string scheduleId
  20: optional WorkflowType workflowType
  30: optional ScheduleState state
  40: optional string cronExpression
}

// --- RPC messages ---

struct CreateScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
  30: optional ScheduleSpec spec
  40: optional ScheduleAction action
  50: optional SchedulePolicies policies
  60: optional Memo memo
  70: optional SearchAttributes searchAttributes
}

struct CreateScheduleResponse {
  10: optional string scheduleId
}

struct DescribeScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
}

struct DescribeScheduleResponse {
  10: optional ScheduleSpec spec
  20: optional ScheduleAction action
  30: optional SchedulePolicies policies
  40: optional ScheduleState state
  50: optional ScheduleInfo info
  60: optional Memo memo
  70: optional SearchAttributes searchAttributes
}

// Note: no memo here (search attributes are at 60).
struct UpdateScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
  30: optional ScheduleSpec spec
  40: optional ScheduleAction action
  50: optional SchedulePolicies policies
  60: optional SearchAttributes searchAttributes
}

struct UpdateScheduleResponse {
}

struct DeleteScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
}

struct DeleteScheduleResponse {
}

struct PauseScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
  30: optional string reason
  40: optional string identity
}

struct PauseScheduleResponse {
}

// catchUpPolicy overrides the schedule's policy for this unpause only.
struct UnpauseScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
  30: optional string reason
  40: optional ScheduleCatchUpPolicy catchUpPolicy
}

struct UnpauseScheduleResponse {
}

// backfillId makes retries idempotent; the server picks one when unset.
struct BackfillScheduleRequest {
  10: optional string domain
  20: optional string scheduleId
  30: optional i64 startTimeNano
  40: optional i64 endTimeNano
  50: optional ScheduleOverlapPolicy overlapPolicy
  60: optional string backfillId
}

struct BackfillScheduleResponse {
}

struct ListSchedulesRequest {
  10: optional string domain
  20: optional i32 pageSize
  30: optional binary nextPageToken
}

struct ListSchedulesResponse {
  10: optional list<ScheduleListEntry> schedules
  20: optional binary nextPageToken
}
