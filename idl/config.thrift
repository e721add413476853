// cadence-py: dynamic-config payload types (used by AdminService dynamic-config methods).
// Names, field ids and types match upstream config.thrift (cadence-idl 3ee08a9 = d6d4d81); layout is ours.

include "shared.thrift"

// ===== dynamic config values =====

struct DynamicConfigEntry {
  10: optional string                    name
  20: optional list<DynamicConfigValue>  values
}

// value plus the filters under which it applies; blobs carry encoded values
struct DynamicConfigValue {
  10: optional shared.DataBlob            value
  20: optional list<DynamicConfigFilter>  filters
}

struct DynamicConfigFilter {
  10: optional string           name
  20: optional shared.DataBlob  value
}

// whole-store snapshot as persisted
struct DynamicConfigBlob {
  10: optional i64                       schemaVersion
  20: optional list<DynamicConfigEntry>  entries
}
