"""Domain APIs: one small module per call (register, describe, update, deprecate, list,
delete, failover)."""
