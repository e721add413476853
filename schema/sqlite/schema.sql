-- cadence-py embedded store (SQLite). Applied by the server at start; every statement is
-- idempotent. Cassandra keeps Cadence's own layout (schema/cassandra); SQLite is ours and
-- stores each domain as one JSON document plus the columns we look it up by.

CREATE TABLE IF NOT EXISTS schema_version (
    name            TEXT PRIMARY KEY,
    curr_version    TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- One row per domain. `record` is the JSON form of persistence.domains.DomainRecord.
CREATE TABLE IF NOT EXISTS domains (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    record                  TEXT NOT NULL,
    notification_version    INTEGER NOT NULL,
    created_time            INTEGER NOT NULL
);

-- Store-wide domain notification version (Cadence's `cadence-domain-metadata` row).
CREATE TABLE IF NOT EXISTS domain_metadata (
    id                      INTEGER PRIMARY KEY CHECK (id = 0),
    notification_version    INTEGER NOT NULL
);
