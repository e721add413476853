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

-- Cadence's system domain, seeded like the Cassandra schema seeds it (same id).
INSERT OR IGNORE INTO domains(id, name, record, notification_version, created_time)
VALUES ('32049b68-7872-4094-8e63-d0dd59896a83', 'cadence-system',
        '{"info": {"id": "32049b68-7872-4094-8e63-d0dd59896a83", "name": "cadence-system",'
        || ' "status": 0, "description": "cadence system workflow domain",'
        || ' "owner_email": "cadence-dev-group@uber.com", "data": {}},'
        || ' "config": {"retention_days": 3, "emit_metric": false},'
        || ' "is_global": false, "failover_version": -24,'
        || ' "failover_notification_version": -1, "notification_version": -1}',
        -1, 0);
