// cadence-py: liveness probe, registered as "Meta::health" on the cadence-frontend channel.
// Matches upstream health.thrift on the wire. The Java client's isHealthy() calls this with
// tchannel-java's own args struct, which may carry an extra field 1 that readers must skip.

struct HealthStatus {
  1: required bool    ok
  2: optional string  msg
}

service Meta {
  HealthStatus health()
}
