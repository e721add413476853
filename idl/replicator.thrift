// cadence-py: replication payload types (used by AdminService replication / DLQ methods).
// Names, field ids and types match upstream replicator.thrift (cadence-idl 3ee08a9); layout is ours.
// Enum values are spelled out explicitly; they equal upstream's implicit numbering.
// Newer upstream (d6d4d81) also has SyncActivityTaskAttributes field
// "145: optional shared.FailureOptions lastFailureOptions"; add it only once shared.thrift
// defines FailureOptions (thriftpy2 does not reject an unresolved shared.X, it mis-builds the spec).

include "shared.thrift"

// ===== enums =====

enum ReplicationTaskType {
  Domain = 0
  History = 1
  SyncShardStatus = 2
  SyncActivity = 3
  HistoryMetadata = 4
  HistoryV2 = 5
  FailoverMarker = 6
}

enum DomainOperation {
  Create = 0
  Update = 1
  Delete = 2
}

enum DLQType {
  Replication = 0
  Domain = 1
}

// ===== replication tasks =====

// the *Attributes field matching taskType carries the payload; ids 30 and 60 are unused
struct ReplicationTask {
  10: optional ReplicationTaskType            taskType
  11: optional i64                            sourceTaskId
  20: optional DomainTaskAttributes           domainTaskAttributes
  40: optional SyncShardStatusTaskAttributes  syncShardStatusTaskAttributes
  50: optional SyncActivityTaskAttributes     syncActivityTaskAttributes
  70: optional HistoryTaskV2Attributes        historyTaskV2Attributes
  80: optional FailoverMarkerAttributes       failoverMarkerAttributes
  90: optional i64                            creationTime
}

struct DomainTaskAttributes {
   5: optional DomainOperation                        domainOperation
  10: optional string                                 id
  20: optional shared.DomainInfo                      info
  30: optional shared.DomainConfiguration             config
  40: optional shared.DomainReplicationConfiguration  replicationConfig
  50: optional i64                                    configVersion
  60: optional i64                                    failoverVersion
  70: optional i64                                    previousFailoverVersion
}

struct SyncShardStatusTaskAttributes {
  10: optional string  sourceCluster
  20: optional i64     shardId
  30: optional i64     timestamp
}

struct SyncActivityTaskAttributes {
   10: optional string                 domainId
   20: optional string                 workflowId
   30: optional string                 runId
   40: optional i64                    version
   50: optional i64                    scheduledId
   60: optional i64                    scheduledTime
   70: optional i64                    startedId
   80: optional i64                    startedTime
   90: optional i64                    lastHeartbeatTime
  100: optional binary                 details
  110: optional i32                    attempt
  120: optional string                 lastFailureReason
  130: optional string                 lastWorkerIdentity
  140: optional binary                 lastFailureDetails
  150: optional shared.VersionHistory  versionHistory
}

struct HistoryTaskV2Attributes {
   5: optional i64                              taskId
  10: optional string                           domainId
  20: optional string                           workflowId
  30: optional string                           runId
  40: optional list<shared.VersionHistoryItem>  versionHistoryItems
  50: optional shared.DataBlob                  events
  70: optional shared.DataBlob                  newRunEvents
}

struct FailoverMarkerAttributes {
  10: optional string  domainID
  20: optional i64     failoverVersion
  30: optional i64     creationTime
}

struct FailoverMarkers {
  10: optional list<FailoverMarkerAttributes>  failoverMarkers
}

struct ReplicationTaskInfo {
  10: optional string  domainID
  20: optional string  workflowID
  30: optional string  runID
  40: optional i16     taskType
  50: optional i64     taskID
  60: optional i64     version
  70: optional i64     firstEventID
  80: optional i64     nextEventID
  90: optional i64     scheduledID
}

// ===== fetching replication messages =====

struct ReplicationToken {
  10: optional i32  shardID
  20: optional i64  lastRetrievedMessageId
  30: optional i64  lastProcessedMessageId
}

struct SyncShardStatus {
  10: optional i64  timestamp
}

struct ReplicationMessages {
  10: optional list<ReplicationTask>  replicationTasks
  20: optional i64                    lastRetrievedMessageId
  30: optional bool                   hasMore
  40: optional SyncShardStatus        syncShardStatus
}

struct GetReplicationMessagesRequest {
  10: optional list<ReplicationToken>  tokens
  20: optional string                  clusterName
}

// keyed by shard id
struct GetReplicationMessagesResponse {
  10: optional map<i32, ReplicationMessages>  messagesByShard
}

struct GetDomainReplicationMessagesRequest {
  10: optional i64     lastRetrievedMessageId
  20: optional i64     lastProcessedMessageId
  30: optional string  clusterName
}

struct GetDomainReplicationMessagesResponse {
  10: optional ReplicationMessages  messages
}

struct GetDLQReplicationMessagesRequest {
  10: optional list<ReplicationTaskInfo>  taskInfos
}

struct GetDLQReplicationMessagesResponse {
  10: optional list<ReplicationTask>  replicationTasks
}

// ===== DLQ management =====

struct ReadDLQMessagesRequest {
  10: optional DLQType  type
  20: optional i32      shardID
  30: optional string   sourceCluster
  40: optional i64      inclusiveEndMessageID
  50: optional i32      maximumPageSize
  60: optional binary   nextPageToken
}

struct ReadDLQMessagesResponse {
  10: optional DLQType                    type
  20: optional list<ReplicationTask>      replicationTasks
  30: optional binary                     nextPageToken
  40: optional list<ReplicationTaskInfo>  replicationTasksInfo
}

struct PurgeDLQMessagesRequest {
  10: optional DLQType  type
  20: optional i32      shardID
  30: optional string   sourceCluster
  40: optional i64      inclusiveEndMessageID
}

struct MergeDLQMessagesRequest {
  10: optional DLQType  type
  20: optional i32      shardID
  30: optional string   sourceCluster
  40: optional i64      inclusiveEndMessageID
  50: optional i32      maximumPageSize
  60: optional binary   nextPageToken
}

struct MergeDLQMessagesResponse {
  10: optional binary  nextPageToken
}
