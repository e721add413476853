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

-- ---------------------------------------------------------------- history role
-- Task-id ranges (Cadence's shard range_id: ids of range r are [r << 20, (r+1) << 20)).
CREATE TABLE IF NOT EXISTS shards (
    shard_id    INTEGER PRIMARY KEY,
    range_id    INTEGER NOT NULL
);

-- One row per run: the mutable state as a JSON document plus the condition column.
CREATE TABLE IF NOT EXISTS executions (
    domain_id       TEXT NOT NULL,
    workflow_id     TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    next_event_id   INTEGER NOT NULL,
    state           INTEGER NOT NULL,
    close_status    INTEGER NOT NULL,
    document        TEXT NOT NULL,
    PRIMARY KEY (domain_id, workflow_id, run_id)
);

-- The current run of each workflow id.
CREATE TABLE IF NOT EXISTS current_executions (
    domain_id           TEXT NOT NULL,
    workflow_id         TEXT NOT NULL,
    run_id              TEXT NOT NULL,
    create_request_id   TEXT NOT NULL,
    state               INTEGER NOT NULL,
    close_status        INTEGER NOT NULL,
    PRIMARY KEY (domain_id, workflow_id)
);

-- History batches, as Cadence's history_node: node_id = first event id of the batch; a
-- rewrite of a node with a higher txn_id supersedes the older one.
CREATE TABLE IF NOT EXISTS history_node (
    tree_id         TEXT NOT NULL,
    node_id         INTEGER NOT NULL,
    txn_id          INTEGER NOT NULL,
    next_event_id   INTEGER NOT NULL,
    data            BLOB NOT NULL,
    data_encoding   TEXT NOT NULL,
    PRIMARY KEY (tree_id, node_id, txn_id)
);

CREATE TABLE IF NOT EXISTS transfer_tasks (
    task_id     INTEGER PRIMARY KEY,
    document    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS timer_tasks (
    fire_time   INTEGER NOT NULL,
    task_id     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (fire_time, task_id)
);

-- ---------------------------------------------------------------- matching role
CREATE TABLE IF NOT EXISTS tasks (
    domain_id       TEXT NOT NULL,
    task_list       TEXT NOT NULL,
    task_type       INTEGER NOT NULL,
    task_id         INTEGER NOT NULL,
    document        TEXT NOT NULL,
    PRIMARY KEY (domain_id, task_list, task_type, task_id)
);

-- ---------------------------------------------------------------- visibility
CREATE TABLE IF NOT EXISTS visibility (
    domain_id       TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    workflow_id     TEXT NOT NULL,
    workflow_type   TEXT NOT NULL,
    start_time      INTEGER NOT NULL,
    close_status    INTEGER NOT NULL,   -- -1 while open
    close_time      INTEGER NOT NULL,
    document        TEXT NOT NULL,
    PRIMARY KEY (domain_id, run_id)
);
CREATE INDEX IF NOT EXISTS visibility_by_start ON visibility(domain_id, start_time DESC);

-- ---------------------------------------------------------------- search attributes
-- Keys added with AdminService.AddSearchAttribute (the defaults are built in).
CREATE TABLE IF NOT EXISTS search_attributes (
    name            TEXT PRIMARY KEY,
    value_type      INTEGER NOT NULL    -- IndexedValueType
);

-- The visibility outbox (persistence/visibility_queue.py): messages for the Elasticsearch
-- indexer, read oldest first and deleted once applied. AUTOINCREMENT: a seq is never
-- handed out twice, even after the newest message was deleted, so a late duplicate ack
-- can never remove a newer message. Added without a version bump: the server applies
-- this file (CREATE ... IF NOT EXISTS) at every start, so older files gain the table.
CREATE TABLE IF NOT EXISTS visibility_queue (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    payload         BLOB NOT NULL,
    enqueued_at     INTEGER NOT NULL    -- unix nanos
);
