// cadence-py: operator RPC surface ("AdminService::<Method>" on the cadence-frontend channel).
//
// Wire facts are identical to the upstream Cadence admin IDL (cadence-idl 3ee08a9 = d6d4d81); the
// grouping, ordering and comments are ours. Types only the admin API uses live here; replication
// payloads live in replicator.thrift and dynamic-config payloads in config.thrift.

include "shared.thrift"
include "replicator.thrift"
include "config.thrift"

service AdminService {

  // --- inspecting and repairing workflows ---
  // admin flavour: takes/returns the admin-local types below, not shared.*
  DescribeWorkflowExecutionResponse DescribeWorkflowExecution(1: DescribeWorkflowExecutionRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.EntityNotExistsError  entityNotExistError
      4: shared.AccessDeniedError     accessDeniedError
  )

  GetWorkflowExecutionRawHistoryV2Response GetWorkflowExecutionRawHistoryV2(1: GetWorkflowExecutionRawHistoryV2Request getRequest) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.EntityNotExistsError  entityNotExistError
      4: shared.ServiceBusyError      serviceBusyError
  )

  void RefreshWorkflowTasks(1: shared.RefreshWorkflowTasksRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.DomainNotActiveError  domainNotActiveError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.EntityNotExistsError  entityNotExistError
  )

  void ReapplyEvents(1: shared.ReapplyEventsRequest reapplyEventsRequest) throws (
      1: shared.BadRequestError       badRequestError
      3: shared.DomainNotActiveError  domainNotActiveError
      4: shared.LimitExceededError    limitExceededError
      5: shared.ServiceBusyError      serviceBusyError
      6: shared.EntityNotExistsError  entityNotExistError
  )

  // method name and request/response type names differ (Admin* types)
  AdminDeleteWorkflowResponse DeleteWorkflow(1: AdminDeleteWorkflowRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.EntityNotExistsError  entityNotExistError
      3: shared.InternalServiceError  internalServiceError
  )

  AdminMaintainWorkflowResponse MaintainCorruptWorkflow(1: AdminMaintainWorkflowRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.EntityNotExistsError  entityNotExistError
      3: shared.InternalServiceError  internalServiceError
  )

  // --- cluster, shards and queues ---
  // no arguments; used by `cadence admin cluster describe`
  DescribeClusterResponse DescribeCluster() throws (
      1: shared.InternalServiceError  internalServiceError
      2: shared.ServiceBusyError      serviceBusyError
  )

  shared.DescribeShardDistributionResponse DescribeShardDistribution(1: shared.DescribeShardDistributionRequest request) throws (
      1: shared.InternalServiceError  internalServiceError
  )

  shared.DescribeHistoryHostResponse DescribeHistoryHost(1: shared.DescribeHistoryHostRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.AccessDeniedError     accessDeniedError
  )

  void CloseShard(1: shared.CloseShardRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.AccessDeniedError     accessDeniedError
  )

  void RemoveTask(1: shared.RemoveTaskRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.AccessDeniedError     accessDeniedError
  )

  void ResetQueue(1: shared.ResetQueueRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.AccessDeniedError     accessDeniedError
  )

  shared.DescribeQueueResponse DescribeQueue(1: shared.DescribeQueueRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.AccessDeniedError     accessDeniedError
  )

  void AddSearchAttribute(1: AddSearchAttributeRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
  )

  // --- cross-cluster replication ---
  replicator.GetReplicationMessagesResponse GetReplicationMessages(1: replicator.GetReplicationMessagesRequest request) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.LimitExceededError              limitExceededError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
  )

  replicator.GetDomainReplicationMessagesResponse GetDomainReplicationMessages(1: replicator.GetDomainReplicationMessagesRequest request) throws (
      1: shared.BadRequestError                 badRequestError
      3: shared.LimitExceededError              limitExceededError
      4: shared.ServiceBusyError                serviceBusyError
      5: shared.ClientVersionNotSupportedError  clientVersionNotSupportedError
  )

  replicator.GetDLQReplicationMessagesResponse GetDLQReplicationMessages(1: replicator.GetDLQReplicationMessagesRequest request) throws (
      1: shared.BadRequestError   badRequestError
      2: shared.ServiceBusyError  serviceBusyError
  )

  void ResendReplicationTasks(1: ResendReplicationTasksRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.ServiceBusyError      serviceBusyError
      3: shared.EntityNotExistsError  entityNotExistError
  )

  shared.GetCrossClusterTasksResponse GetCrossClusterTasks(1: shared.GetCrossClusterTasksRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
  )

  shared.RespondCrossClusterTasksCompletedResponse RespondCrossClusterTasksCompleted(1: shared.RespondCrossClusterTasksCompletedRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
  )

  // --- replication DLQ ---
  replicator.ReadDLQMessagesResponse ReadDLQMessages(1: replicator.ReadDLQMessagesRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.EntityNotExistsError  entityNotExistError
  )

  void PurgeDLQMessages(1: replicator.PurgeDLQMessagesRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.EntityNotExistsError  entityNotExistError
  )

  replicator.MergeDLQMessagesResponse MergeDLQMessages(1: replicator.MergeDLQMessagesRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
      3: shared.ServiceBusyError      serviceBusyError
      4: shared.EntityNotExistsError  entityNotExistError
  )

  // --- dynamic config ---
  GetDynamicConfigResponse GetDynamicConfig(1: GetDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  void UpdateDynamicConfig(1: UpdateDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  void RestoreDynamicConfig(1: RestoreDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  ListDynamicConfigResponse ListDynamicConfig(1: ListDynamicConfigRequest request) throws (
      1: shared.InternalServiceError  internalServiceError
  )

  // --- operational dynamic config ---
  GetOperationalDynamicConfigResponse GetOperationalDynamicConfig(1: GetOperationalDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  void UpdateOperationalDynamicConfig(1: UpdateOperationalDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  void RestoreOperationalDynamicConfig(1: RestoreOperationalDynamicConfigRequest request) throws (
      1: shared.BadRequestError       badRequestError
      2: shared.InternalServiceError  internalServiceError
  )

  ListOperationalDynamicConfigResponse ListOperationalDynamicConfig(1: ListOperationalDynamicConfigRequest request) throws (
      1: shared.InternalServiceError  internalServiceError
  )

  // --- isolation groups ---
  GetGlobalIsolationGroupsResponse GetGlobalIsolationGroups(1: GetGlobalIsolationGroupsRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )

  UpdateGlobalIsolationGroupsResponse UpdateGlobalIsolationGroups(1: UpdateGlobalIsolationGroupsRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )

  GetDomainIsolationGroupsResponse GetDomainIsolationGroups(1: GetDomainIsolationGroupsRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )

  UpdateDomainIsolationGroupsResponse UpdateDomainIsolationGroups(1: UpdateDomainIsolationGroupsRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )

  // --- async workflow queue config (the "Configuraton" spelling is upstream's and is on the wire) ---
  GetDomainAsyncWorkflowConfiguratonResponse GetDomainAsyncWorkflowConfiguraton(1: GetDomainAsyncWorkflowConfiguratonRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )

  UpdateDomainAsyncWorkflowConfiguratonResponse UpdateDomainAsyncWorkflowConfiguraton(1: UpdateDomainAsyncWorkflowConfiguratonRequest request) throws (
      1: shared.BadRequestError  badRequestError
  )
}

// ===== workflow inspection / repair =====

struct DescribeWorkflowExecutionRequest {
  10: optional string                    domain
  20: optional shared.WorkflowExecution  execution
}

// mutable state comes back as text (JSON in practice); id 30 is unused
struct DescribeWorkflowExecutionResponse {
  10: optional string  shardId
  20: optional string  historyAddr
  40: optional string  mutableStateInCache
  50: optional string  mutableStateInDatabase
}

struct GetWorkflowExecutionRawHistoryV2Request {
  10: optional string                    domain
  20: optional shared.WorkflowExecution  execution
  30: optional i64                       startEventId
  40: optional i64                       startEventVersion
  50: optional i64                       endEventId
  60: optional i64                       endEventVersion
  70: optional i32                       maximumPageSize
  80: optional binary                    nextPageToken
}

// history batches are still encoded blobs
struct GetWorkflowExecutionRawHistoryV2Response {
  10: optional binary                 nextPageToken
  20: optional list<shared.DataBlob>  historyBatches
  30: optional shared.VersionHistory  versionHistory
}

struct AdminDeleteWorkflowRequest {
  10: optional string                    domain
  20: optional shared.WorkflowExecution  execution
}

struct AdminDeleteWorkflowResponse {
  10: optional bool  historyDeleted
  20: optional bool  executionsDeleted
  30: optional bool  visibilityDeleted
}

struct AdminMaintainWorkflowRequest {
  10: optional string                    domain
  20: optional shared.WorkflowExecution  execution
}

struct AdminMaintainWorkflowResponse {
  10: optional bool  historyDeleted
  20: optional bool  executionsDeleted
  30: optional bool  visibilityDeleted
}

// ===== cluster description =====

struct DescribeClusterResponse {
  10: optional shared.SupportedClientVersions  supportedClientVersions
  20: optional MembershipInfo                  membershipInfo
  30: optional map<string, PersistenceInfo>    persistenceInfo
}

struct MembershipInfo {
  10: optional HostInfo        currentHost
  20: optional list<string>    reachableMembers
  30: optional list<RingInfo>  rings
}

struct RingInfo {
  10: optional string          role
  20: optional i32             memberCount
  30: optional list<HostInfo>  members
}

// note the capitalised field name
struct HostInfo {
  10: optional string  Identity
}

struct PersistenceInfo {
  10: optional string                    backend
  20: optional list<PersistenceSetting>  settings
  30: optional list<PersistenceFeature>  features
}

struct PersistenceSetting {
  10: optional string  key
  20: optional string  value
}

struct PersistenceFeature {
  10: optional string  key
  20: optional bool    enabled
}

struct AddSearchAttributeRequest {
  10: optional map<string, shared.IndexedValueType>  searchAttribute
  20: optional string                                securityToken
}

// ===== replication =====

struct ResendReplicationTasksRequest {
  10: optional string  domainID
  20: optional string  workflowID
  30: optional string  runID
  40: optional string  remoteCluster
  50: optional i64     startEventID
  60: optional i64     startVersion
  70: optional i64     endEventID
  80: optional i64     endVersion
}

// ===== dynamic config =====

struct GetDynamicConfigRequest {
  10: optional string                            configName
  20: optional list<config.DynamicConfigFilter>  filters
}

struct GetDynamicConfigResponse {
  10: optional shared.DataBlob  value
}

struct UpdateDynamicConfigRequest {
  10: optional string                           configName
  20: optional list<config.DynamicConfigValue>  configValues
}

struct RestoreDynamicConfigRequest {
  10: optional string                            configName
  20: optional list<config.DynamicConfigFilter>  filters
}

struct ListDynamicConfigRequest {
  10: optional string  configName
}

struct ListDynamicConfigResponse {
  10: optional list<config.DynamicConfigEntry>  entries
}

// ===== operational dynamic config =====

struct GetOperationalDynamicConfigRequest {
  10: optional string                            configName
  20: optional list<config.DynamicConfigFilter>  filters
}

struct GetOperationalDynamicConfigResponse {
  10: optional shared.DataBlob  value
}

struct UpdateOperationalDynamicConfigRequest {
  10: optional string                           configName
  20: optional list<config.DynamicConfigValue>  configValues
}

struct RestoreOperationalDynamicConfigRequest {
  10: optional string                            configName
  20: optional list<config.DynamicConfigFilter>  filters
}

struct ListOperationalDynamicConfigRequest {
  10: optional string  configName
}

struct ListOperationalDynamicConfigResponse {
  10: optional list<config.DynamicConfigEntry>  entries
}

// ===== isolation groups =====

struct GetGlobalIsolationGroupsRequest {}

struct GetGlobalIsolationGroupsResponse {
  10: optional shared.IsolationGroupConfiguration  isolationGroups
}

struct UpdateGlobalIsolationGroupsRequest {
  10: optional shared.IsolationGroupConfiguration  isolationGroups
}

struct UpdateGlobalIsolationGroupsResponse {}

struct GetDomainIsolationGroupsRequest {
  10: optional string  domain
}

struct GetDomainIsolationGroupsResponse {
  10: optional shared.IsolationGroupConfiguration  isolationGroups
}

struct UpdateDomainIsolationGroupsRequest {
  10: optional string                              domain
  20: optional shared.IsolationGroupConfiguration  isolationGroups
}

struct UpdateDomainIsolationGroupsResponse {}

// ===== async workflow configuration =====

struct GetDomainAsyncWorkflowConfiguratonRequest {
  10: optional string  domain
}

struct GetDomainAsyncWorkflowConfiguratonResponse {
  10: optional shared.AsyncWorkflowConfiguration  configuration
}

struct UpdateDomainAsyncWorkflowConfiguratonRequest {
  10: optional string                             domain
  20: optional shared.AsyncWorkflowConfiguration  configuration
}

struct UpdateDomainAsyncWorkflowConfiguratonResponse {}
