"""DomainStore on Cassandra, in Cadence's own layout (``domains``, ``domains_by_name_v2``).

The rows, the statement shapes and the encodings follow Cadence's Cassandra plugin
(``common/persistence/nosql/nosqlplugin/cassandra/domain.go``) so that the upstream Go
server reads what we write and we read what it writes:

* ``domains`` maps id -> name only (``domain.name``); the full record lives in
  ``domains_by_name_v2``, all in partition 0, clustered by name.
* The row ``name = 'cadence-domain-metadata'`` of that partition carries the store-wide
  ``notification_version``. Every create/update bumps it in the same single-partition
  LWT batch that writes the domain, which is what serialises domain changes.
* Units: ``retention`` in days, ``created_time`` in ms (CQL timestamp),
  ``failover_end_time`` / ``last_updated_time`` in unix nanos (bigint, 0 = unset).
* ``bad_binaries`` holds Cadence's *payload* thriftrw encoding of ``shared.BadBinaries``
  (one 0x59 preamble byte, then Thrift binary) and ``bad_binaries_encoding`` is a BLOB
  holding ``b"thriftrw"``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

from cassandra import (
    DriverException,
    OperationTimedOut,
    RequestExecutionException,
    RequestValidationException,
)
from cassandra.cluster import NoHostAvailable, Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence import page_tokens
from cadence_py.persistence.domains import (
    BadBinary,
    DomainConfig,
    DomainInfo,
    DomainRecord,
    ReplicationConfig,
)
from cadence_py.persistence.errors import (
    ConditionFailedError,
    DomainAlreadyExistsError,
    EntityNotExistsError,
    PersistenceError,
)
from cadence_py.rpc import codec, idl

log = logging.getLogger(__name__)

DOMAINS_PARTITION = 0
METADATA_ROW_NAME = "cadence-domain-metadata"
EMPTY_FAILOVER_END_TIME = 0

# Cadence's payload serializer (common/codec/version0_thriftrw.go): version byte, then
# plain Thrift binary protocol. Not to be confused with the sqlblobs framing (no preamble).
THRIFTRW_PREAMBLE = b"\x59"
ENCODING_THRIFTRW = "thriftrw"

_DRIVER_ERRORS = (DriverException, RequestExecutionException, RequestValidationException,
                  OperationTimedOut, NoHostAvailable)


# ---------------------------------------------------------------- blob encodings
def encode_payload(obj: Any) -> bytes:
    """Cadence payload-serializer "thriftrw" bytes of a thriftpy2 struct."""
    return THRIFTRW_PREAMBLE + codec.encode(obj)


def decode_payload(obj: Any, data: bytes) -> Any:
    """Inverse of ``encode_payload``; fills and returns ``obj`` (a fresh struct)."""
    if not data or data[:1] != THRIFTRW_PREAMBLE:
        raise PersistenceError("thriftrw payload without its 0x59 version preamble")
    return codec.decode(obj, bytes(data[1:]))


def encode_bad_binaries(bad: dict[str, BadBinary]) -> bytes:
    """Always an encoded struct (an empty map when none): Cadence writes the same."""
    shared = idl.shared()
    return encode_payload(shared.BadBinaries(binaries={
        checksum: shared.BadBinaryInfo(reason=b.reason, operator=b.operator,
                                       createdTimeNano=b.created_time_nano)
        for checksum, b in bad.items()}))


def decode_bad_binaries(data: bytes | None, encoding: bytes | str | None
                        ) -> dict[str, BadBinary]:
    """Read the blob in any encoding Cadence may have written (thriftrw, or json in old
    rows; empty = none)."""
    if not data:
        return {}
    enc = encoding.decode() if isinstance(encoding, (bytes, bytearray)) else (encoding or "")
    if enc == ENCODING_THRIFTRW:
        value = decode_payload(idl.shared().BadBinaries(), data)
        return {k: BadBinary(reason=v.reason or "", operator=v.operator or "",
                             created_time_nano=v.createdTimeNano or 0)
                for k, v in (value.binaries or {}).items()}
    if enc in ("", "json", "unknow"):  # sic: Cadence's legacy spelling counts as json
        raw = json.loads(bytes(data)).get("binaries") or {}
        return {k: BadBinary(reason=v.get("reason") or "", operator=v.get("operator") or "",
                             created_time_nano=v.get("createdTimeNano") or 0)
                for k, v in raw.items()}
    raise PersistenceError(f"unsupported bad_binaries encoding {enc!r}")


def _default_opaque_blobs() -> dict[str, Any]:
    """Columns we do not model, as Cadence writes them for a fresh domain: an empty
    IsolationGroupConfiguration and a zero AsyncWorkflowConfiguration (payload thriftrw),
    no active-clusters config, and the deprecated archival_bucket/status as zero values."""
    shared = idl.shared()
    return {
        "archival_bucket": "",
        "archival_status": 0,
        "isolation_groups": encode_payload(shared.IsolationGroupConfiguration()),
        "isolation_groups_encoding": ENCODING_THRIFTRW,
        "async_workflow_config": encode_payload(shared.AsyncWorkflowConfiguration(
            enabled=False, predefinedQueueName="", queueType="")),
        "async_workflow_config_encoding": ENCODING_THRIFTRW,
        "active_clusters_config": None,
        "active_clusters_config_encoding": None,
    }


def _opaque_blobs_of(row: dict[str, Any]) -> dict[str, Any]:
    """The unmodeled columns of an existing row, so an update writes them back unchanged
    (frozen UDTs are rewritten whole; dropping them would wipe what upstream set)."""
    cfg, repl = row.get("config"), row.get("replication_config")
    out = _default_opaque_blobs()
    if cfg is not None:
        for key in ("archival_bucket", "archival_status", "isolation_groups",
                    "isolation_groups_encoding", "async_workflow_config",
                    "async_workflow_config_encoding"):
            out[key] = getattr(cfg, key, None)
    if repl is not None:
        out["active_clusters_config"] = getattr(repl, "active_clusters_config", None)
        out["active_clusters_config_encoding"] = getattr(
            repl, "active_clusters_config_encoding", None)
    return out


# ---------------------------------------------------------------- CQL
_DOMAIN_UDT = "{id: ?, name: ?, status: ?, description: ?, owner_email: ?, data: ?}"
_CONFIG_UDT = ("{retention: ?, emit_metric: ?, archival_bucket: ?, archival_status: ?, "
               "history_archival_status: ?, history_archival_uri: ?, "
               "visibility_archival_status: ?, visibility_archival_uri: ?, "
               "bad_binaries: ?, bad_binaries_encoding: ?, "
               "isolation_groups: ?, isolation_groups_encoding: ?, "
               "async_workflow_config: ?, async_workflow_config_encoding: ?}")
_REPLICATION_UDT = ("{active_cluster_name: ?, clusters: ?, active_clusters_config: ?, "
                    "active_clusters_config_encoding: ?}")

_CQL_INSERT_ID = ("INSERT INTO domains (id, domain, created_time) "
                  "VALUES (?, {name: ?}, ?) IF NOT EXISTS")
_CQL_SELECT_ID = "SELECT domain FROM domains WHERE id = ?"
_CQL_DELETE_ID = "DELETE FROM domains WHERE id = ?"
_CQL_INSERT_NAME = (
    "INSERT INTO domains_by_name_v2 (domains_partition, name, domain, config, "
    "replication_config, is_global_domain, config_version, failover_version, "
    "failover_notification_version, previous_failover_version, failover_end_time, "
    "last_updated_time, notification_version, created_time) "
    f"VALUES (?, ?, {_DOMAIN_UDT}, {_CONFIG_UDT}, {_REPLICATION_UDT}, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS")
_CQL_UPDATE_NAME = (
    f"UPDATE domains_by_name_v2 SET domain = {_DOMAIN_UDT}, config = {_CONFIG_UDT}, "
    f"replication_config = {_REPLICATION_UDT}, config_version = ?, failover_version = ?, "
    "failover_notification_version = ?, previous_failover_version = ?, "
    "failover_end_time = ?, last_updated_time = ?, notification_version = ? "
    "WHERE domains_partition = ? AND name = ?")
_CQL_DELETE_NAME = "DELETE FROM domains_by_name_v2 WHERE domains_partition = ? AND name = ?"
_ROW_COLUMNS = ("name, domain, config, replication_config, is_global_domain, config_version, "
                "failover_version, failover_notification_version, previous_failover_version, "
                "failover_end_time, last_updated_time, notification_version")
_CQL_SELECT_NAME = (f"SELECT {_ROW_COLUMNS} FROM domains_by_name_v2 "
                    "WHERE domains_partition = ? AND name = ?")
_CQL_LIST = (f"SELECT {_ROW_COLUMNS} FROM domains_by_name_v2 "
             "WHERE domains_partition = ? AND name > ? LIMIT ?")
_CQL_SELECT_METADATA = ("SELECT notification_version FROM domains_by_name_v2 "
                        "WHERE domains_partition = ? AND name = ?")
_CQL_BUMP_METADATA = ("UPDATE domains_by_name_v2 SET notification_version = ? "
                      "WHERE domains_partition = ? AND name = ? IF notification_version = ?")


@contextmanager
def _driver_errors(what: str) -> Iterator[None]:
    """Driver failures become PersistenceError so callers need not know the driver."""
    try:
        yield
    except _DRIVER_ERRORS as exc:
        raise PersistenceError(f"cassandra {what}: {exc}") from exc


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"domain id {value!r} is not a UUID (the Cassandra column is uuid)"
                         ) from None


def _udt_params(record: DomainRecord, opaque: dict[str, Any]) -> list[Any]:
    """Bind values for the three UDT literals, in template order."""
    info, cfg, repl = record.info, record.config, record.replication
    return [
        _uuid(info.id), info.name, info.status, info.description, info.owner_email,
        dict(info.data),
        cfg.retention_days, cfg.emit_metric, opaque["archival_bucket"],
        opaque["archival_status"], cfg.history_archival_status, cfg.history_archival_uri,
        cfg.visibility_archival_status, cfg.visibility_archival_uri,
        encode_bad_binaries(cfg.bad_binaries), ENCODING_THRIFTRW.encode(),
        opaque["isolation_groups"], opaque["isolation_groups_encoding"],
        opaque["async_workflow_config"], opaque["async_workflow_config_encoding"],
        repl.active_cluster_name, [(c,) for c in repl.clusters],
        opaque["active_clusters_config"], opaque["active_clusters_config_encoding"],
    ]


def _failover_end_time(record: DomainRecord) -> int:
    return record.failover_end_time if record.failover_end_time is not None \
        else EMPTY_FAILOVER_END_TIME


def _record_from_row(row: dict[str, Any]) -> DomainRecord:
    """Nulls read as Go zero values, as gocql's Scan gives the upstream server."""
    d, c, r = row["domain"], row.get("config"), row.get("replication_config")
    info = DomainInfo(id=str(d.id), name=d.name or "", status=d.status or 0,
                      description=d.description or "", owner_email=d.owner_email or "",
                      data=dict(d.data or {}))
    config = DomainConfig()
    if c is not None:
        config = DomainConfig(
            retention_days=c.retention or 0, emit_metric=bool(c.emit_metric),
            history_archival_status=c.history_archival_status or 0,
            history_archival_uri=c.history_archival_uri or "",
            visibility_archival_status=c.visibility_archival_status or 0,
            visibility_archival_uri=c.visibility_archival_uri or "",
            bad_binaries=decode_bad_binaries(c.bad_binaries, c.bad_binaries_encoding))
    replication = ReplicationConfig()
    if r is not None:
        replication = ReplicationConfig(
            active_cluster_name=r.active_cluster_name or "",
            clusters=[cl.cluster_name or "" for cl in (r.clusters or [])])
    failover_end = row.get("failover_end_time") or 0
    return DomainRecord(
        info=info, config=config, replication=replication,
        is_global=bool(row.get("is_global_domain")),
        config_version=row.get("config_version") or 0,
        failover_version=row.get("failover_version") or 0,
        failover_notification_version=row.get("failover_notification_version") or 0,
        previous_failover_version=row.get("previous_failover_version") or 0,
        failover_end_time=failover_end if failover_end > EMPTY_FAILOVER_END_TIME else None,
        last_updated_time=row.get("last_updated_time") or 0,
        notification_version=row.get("notification_version") or 0,
    )


class CassandraDomainStore:
    """Cadence's MetadataManager on a session already bound to the ``cadence`` keyspace.

    The session must return dict rows (``session.connect`` in this package does); with
    ``owns_session`` the cluster is shut down by ``close()``.
    """

    def __init__(self, session: Session, *, owns_session: bool = False) -> None:
        self._session = session
        self._owns_session = owns_session
        with _driver_errors("prepare"):
            p = session.prepare
            self._insert_id = p(_CQL_INSERT_ID)
            self._select_id = p(_CQL_SELECT_ID)
            self._delete_id = p(_CQL_DELETE_ID)
            self._insert_name = p(_CQL_INSERT_NAME)
            self._update_name = p(_CQL_UPDATE_NAME)
            self._select_name = p(_CQL_SELECT_NAME)
            self._list = p(_CQL_LIST)
            self._select_metadata = p(_CQL_SELECT_METADATA)
            self._bump_metadata = p(_CQL_BUMP_METADATA)
            self._delete_name = p(_CQL_DELETE_NAME)

    # ------------------------------------------------------------------ helpers
    def _read_name_row(self, name: str) -> dict[str, Any] | None:
        with _driver_errors("read domain"):
            rows = self._session.execute(self._select_name, (DOMAINS_PARTITION, name)).all()
        if not rows or rows[0].get("domain") is None:  # absent, or the metadata row
            return None
        return rows[0]

    def _metadata_batch(self, batch: BatchStatement, current: int) -> None:
        """Add the store-wide version bump. Version 0 means "no metadata row yet", so the
        condition is ``= null`` (a missing row compares equal to null and gets created)."""
        expected = current if current > 0 else None
        batch.add(self._bump_metadata, (current + 1, DOMAINS_PARTITION, METADATA_ROW_NAME,
                                        expected))

    # ------------------------------------------------------------ DomainStore
    def create_domain(self, record: DomainRecord) -> None:
        """Two steps, as Cadence: claim the id in ``domains`` (IF NOT EXISTS), then one LWT
        batch inserting the name row (IF NOT EXISTS) and bumping the metadata version. A
        lost batch leaves an orphan id row, which is deleted (best effort)."""
        domain_id = _uuid(record.info.id)
        name = record.info.name
        now_ms = int(time.time() * 1000)
        with _driver_errors("create domain"):
            if not self._session.execute(self._insert_id, (domain_id, name, now_ms)
                                         ).was_applied:
                if self._read_name_row(name) is not None:
                    raise DomainAlreadyExistsError(f"Domain {name} already exists")
                raise PersistenceError(
                    "CreateDomain operation failed because of uuid collision")
            version = self.get_metadata()
            batch = BatchStatement(batch_type=BatchType.LOGGED)
            batch.add(self._insert_name, [
                DOMAINS_PARTITION, name, *_udt_params(record, _default_opaque_blobs()),
                record.is_global, record.config_version, record.failover_version,
                record.failover_notification_version, record.previous_failover_version,
                _failover_end_time(record), record.last_updated_time, version, now_ms])
            self._metadata_batch(batch, version)
            result = self._session.execute(batch)
            if result.was_applied:
                record.notification_version = version
                return
            rows = list(result.current_rows)
            try:
                self._session.execute(self._delete_id, (domain_id,))
            except _DRIVER_ERRORS as exc:
                log.warning("unable to delete orphan domains row %s: %s", domain_id, exc)
        if any(row.get("name") == name for row in rows):
            raise DomainAlreadyExistsError(f"Domain {name} already exists")
        raise ConditionFailedError("create domain: domain metadata version moved on")

    def get_domain(self, *, name: str | None = None, domain_id: str | None = None) -> DomainRecord:
        if name is not None and domain_id is not None:
            raise ValueError("get_domain takes a name or an id, not both")
        if name is None:
            if domain_id is None:
                raise ValueError("get_domain needs a name or an id")
            name = self._name_of(domain_id)
        row = self._read_name_row(name)
        if row is None or (domain_id is not None and row["domain"].id != uuid.UUID(domain_id)):
            raise EntityNotExistsError(f"Domain {domain_id or name} does not exist.")
        return _record_from_row(row)

    def _name_of(self, domain_id: str) -> str:
        missing = EntityNotExistsError(f"Domain {domain_id} does not exist.")
        try:
            key = uuid.UUID(domain_id)
        except (ValueError, TypeError, AttributeError):
            raise missing from None
        with _driver_errors("read domain id"):
            rows = self._session.execute(self._select_id, (key,)).all()
        if not rows or rows[0].get("domain") is None or not rows[0]["domain"].name:
            raise missing
        return rows[0]["domain"].name

    def update_domain(self, record: DomainRecord, expected_notification_version: int) -> None:
        """Cadence's batch: an unconditional UPDATE of the name row plus the metadata bump
        ``IF notification_version = expected``. The row is read first so a missing domain
        is EntityNotExistsError (not an upsert) and unmodeled blobs are kept."""
        name = record.info.name
        current = self._read_name_row(name)
        if current is None or current["domain"].id != _uuid(record.info.id):
            raise EntityNotExistsError(f"Domain {name} does not exist.")
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        batch.add(self._update_name, [
            *_udt_params(record, _opaque_blobs_of(current)),
            record.config_version, record.failover_version,
            record.failover_notification_version, record.previous_failover_version,
            _failover_end_time(record), record.last_updated_time,
            expected_notification_version, DOMAINS_PARTITION, name])
        self._metadata_batch(batch, expected_notification_version)
        with _driver_errors("update domain"):
            applied = self._session.execute(batch).was_applied
        if not applied:
            raise ConditionFailedError(
                f"update domain {name}: metadata version is no longer "
                f"{expected_notification_version}")
        record.notification_version = expected_notification_version

    def list_domains(self, page_size: int, next_page_token: bytes | None
                     ) -> tuple[list[DomainRecord], bytes | None]:
        """``page_size`` rows of partition 0 after the token's name, in name order. The
        token is the page's last name (``page_tokens``), never the driver's paging state:
        a garbage paging state makes the node answer a protocol error, on which the
        driver closes the connection all requests share. The metadata row is skipped, so
        a page may hold fewer than ``page_size`` domains."""
        after = ""
        if next_page_token:
            after, = page_tokens.open_token(page_tokens.DOMAIN_TOKEN_KIND, next_page_token, str)
        with _driver_errors("list domains"):
            rows = self._session.execute(
                self._list, (DOMAINS_PARTITION, after, page_size + 1)).all()
        page = rows[:page_size]
        records = [_record_from_row(r) for r in page
                   if r.get("name") != METADATA_ROW_NAME and r.get("domain") is not None]
        token = None
        if len(rows) > page_size and page:
            token = page_tokens.seal(page_tokens.DOMAIN_TOKEN_KIND, page[-1]["name"])
        return records, token

    def delete_domain(self, name: str) -> None:
        """As upstream's Cassandra store: the name row, then the id row."""
        row = self._read_name_row(name)
        if row is None:
            return
        with _driver_errors("delete domain"):
            self._session.execute(self._delete_name, (DOMAINS_PARTITION, name))
            self._session.execute(self._delete_id, (row["domain"].id,))

    def get_metadata(self) -> int:
        with _driver_errors("read domain metadata"):
            rows = self._session.execute(self._select_metadata,
                                         (DOMAINS_PARTITION, METADATA_ROW_NAME)).all()
        if not rows:
            return 0
        return rows[0].get("notification_version") or 0

    def close(self) -> None:
        if self._owns_session:
            self._session.cluster.shutdown()
