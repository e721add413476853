"""VisibilityStore on Cassandra, in Cadence's own ``cadence_visibility`` layout.

Rows mean the same to the upstream Go server (``nosqlplugin/cassandra/visibility.go``):
every row of a domain sits in partition ``(domain_id, domain_partition = 0)``.

* A run that starts gets an ``open_executions`` row with TTL = workflow timeout + 1 day
  (none while the record does not know its timeout: the row is deleted at close anyway).
* Closing is ONE logged batch: delete the open row, insert ``closed_executions`` (by start
  time) and ``closed_executions_v2`` (by close time), both with TTL = the domain's
  retention (1 day when unknown; above 5 years, no TTL at all, as upstream).
* Write timestamps are explicit and, as upstream's, in milliseconds (it hands gocql unix
  millis): an open row at its start (or last update) time, the close batch at its close
  time (start + 1 s when close < start); each write at least one past the WRITETIME of
  the row it replaces, so a rewrite in the same millisecond still wins and the close
  always beats what it closes. Rows written with the driver's default (microsecond)
  clock could never be deleted by upstream's close, so no visibility write uses it;
  only ``delete`` does, on purpose (retention is final).
* A late "started" upsert never reopens a closed run: its lower write timestamp loses to
  the close batch's tombstone (a tombstone wins a tie), and a run this store closed is
  not written open again at all.
* The store remembers what it wrote per run (``_Written``, a bounded LRU), so the usual
  life of a run (open, maybe upserts, close) costs no reads. Only a close of a run it has
  no memory of (written before a restart) reads the rows first, for their write
  timestamps and an earlier close. A first open write does not read: the record is
  built from the run's state when its task runs, so after the close it is a closed
  record, and an open one racing the close is older than it.
* Search-attribute upserts on an open run rewrite the open row (upstream ignores them on
  Cassandra; we keep them so ``list`` returns what SQLite returns).

The ``memo`` blob holds a JSON document with ``encoding = 'json'``:
``{"fields": {name: base64}, "cadencePy": {...}}``. ``fields`` is the JSON form of
Cadence's ``types.Memo``, which upstream's serializer decodes for the json encoding and
whose unknown keys it ignores; ``cadencePy`` is ours (``layout.Extras``): search attributes
(the tables have no column for them), parent ids, the TTL inputs, and exact nanosecond
times / non-canonical run ids where the millisecond / uuid columns lose something. Memos
written by upstream (encoding ``thriftrw``) are read too.

``list`` reads ``open_executions`` or ``closed_executions`` (upstream's default: closed
runs by start time, like the SQLite store), filtered on start time, newest first. One
filter goes to a secondary index (workflow id, else type, else close status), as upstream;
any other filter and the exact nanosecond bounds are applied to the rows read. Within one
millisecond, rows come in Cassandra's run-id order (SQLite: exact start, then run id).
Page tokens are our own position (start ms, run id; ``page_tokens``), so a page holds ``page_size`` rows
whatever was filtered out, and a token comes only when more rows follow.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cassandra import ConsistencyLevel
from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence import page_tokens
from cadence_py.persistence.cassandra.domains import decode_payload
from cadence_py.persistence.cassandra.layout import (
    NANOS_PER_MS,
    Extras,
    columnless,
    driver_errors_as_persistence_errors,
    get_columnless,
    ms_of,
    put_columnless,
    strict_uuid,
)
from cadence_py.persistence.visibility import OPEN, ListFilter, VisibilityRecord
from cadence_py.rpc import idl

log = logging.getLogger(__name__)

DOMAIN_PARTITION = 0
OPEN_TTL_GRACE_SECONDS = 86400  # open row TTL = workflow timeout + this
DEFAULT_RETENTION_SECONDS = 86400
MAX_TTL_SECONDS = 157_680_000  # 5 years (upstream maxCassandraTTL): above it, no TTL
CLOSE_BEFORE_START_SHIFT_MS = 1000
MEMO_ENCODING = "json"
EXTRAS_KEY = "cadencePy"
_RETENTION_CACHE_SECONDS = 60.0
_WRITTEN_REMEMBERED = 50_000  # runs whose write stamps this store remembers (~10 MB)


@dataclass
class _Written:
    """What this store last wrote for a run, shaped as the rows its reads return: the open
    row's ``{"wt": write timestamp}``, and once it closed the run, the closed row's
    ``{"close_time": ms, "wt": write timestamp}``."""

    opened: dict[str, Any] | None
    closed: dict[str, Any] | None = None

_COMMON = ("workflow_id", "run_id", "start_time", "execution_time", "workflow_type_name",
           "memo", "encoding", "task_list", "is_cron", "update_time")
_CLOSED = _COMMON + ("close_time", "status", "history_length")
# Record fields with a column; the others travel in the memo document's extras.
_EXTRA_FIELDS = columnless(
    VisibilityRecord, "domain_id workflow_id run_id workflow_type start_time execution_time "
    "task_list is_cron close_time close_status history_length update_time memo")
_PART = "domain_id = ? AND domain_partition = ?"
_ROW = f"WHERE {_PART} AND start_time = ? AND run_id = ?"
# list filters served by an index, in order of preference (upstream uses one at a time)
_INDEXED = (("workflow_id", "workflow_id"), ("workflow_type", "workflow_type_name"),
            ("close_status", "status"))


def _insert(table: str, cols: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} (domain_id, domain_partition, {', '.join(cols)}) "
            f"VALUES ({', '.join('?' * (len(cols) + 2))}) USING TTL ? AND TIMESTAMP ?")


_CQL = {
    "insert_open": _insert("open_executions", _COMMON),
    "insert_closed": _insert("closed_executions", _CLOSED),
    "insert_closed_v2": _insert("closed_executions_v2", _CLOSED),
    "delete_open_at": f"DELETE FROM open_executions USING TIMESTAMP ? {_ROW}",
    "delete_v2_at": (f"DELETE FROM closed_executions_v2 USING TIMESTAMP ? WHERE {_PART} "
                     "AND close_time = ? AND run_id = ?"),
    "open_writetime": f"SELECT WRITETIME(workflow_id) AS wt FROM open_executions {_ROW}",
    "closed_row": ("SELECT close_time, WRITETIME(workflow_id) AS wt FROM closed_executions "
                   f"{_ROW}"),
    "delete_open": f"DELETE FROM open_executions {_ROW}",
    "delete_closed": f"DELETE FROM closed_executions {_ROW}",
    "delete_v2": (f"DELETE FROM closed_executions_v2 WHERE {_PART} AND close_time = ? "
                  "AND run_id = ?"),
}
# Finding a run's rows for ``delete``: by the workflow-id index, or by filtering.
for _by, _cond in (("id", "workflow_id = ?"), ("run", "run_id = ? ALLOW FILTERING")):
    _CQL[f"find_open_{_by}"] = (f"SELECT start_time, run_id FROM open_executions WHERE "
                                f"{_PART} AND {_cond}")
    _CQL[f"find_closed_{_by}"] = ("SELECT start_time, close_time, run_id FROM "
                                  f"closed_executions WHERE {_PART} AND {_cond}")


def _ttl(seconds: int) -> int:
    """CQL TTL for a lifetime in seconds: 0 (= none) above Cassandra's 5-year limit."""
    return 0 if seconds > MAX_TTL_SECONDS else max(int(seconds), 0)


def _ms(ex: Extras, key: str, nanos: int) -> int:
    """Millisecond column value of a time that must not be null (keys), exact aside."""
    if nanos % NANOS_PER_MS:
        ex.put(key, nanos)
    return nanos // NANOS_PER_MS


# ---------------------------------------------------------------- record <-> row
def _memo_blob(record: VisibilityRecord, ex: Extras) -> tuple[bytes | None, str | None]:
    put_columnless(ex, record, _EXTRA_FIELDS)
    doc: dict[str, Any] = {}
    if record.memo:
        doc["fields"] = {k: base64.b64encode(bytes(v)).decode() for k, v in record.memo.items()}
    extras, _ = ex.dump()
    if extras is not None:
        doc[EXTRAS_KEY] = json.loads(extras)
    if not doc:
        return None, None
    return json.dumps(doc, separators=(",", ":")).encode(), MEMO_ENCODING


def _memo_of(blob: bytes | None, encoding: str | None) -> tuple[dict[str, bytes], Extras]:
    """(memo fields, our extras) of a row's memo blob, whoever wrote it."""
    if not blob:
        return {}, Extras()
    if encoding == "thriftrw":  # upstream's writer: Cadence payload of shared.Memo
        try:
            memo = decode_payload(idl.shared().Memo(), bytes(blob))
        except Exception:  # noqa: BLE001 - an unreadable memo must not hide the run
            log.warning("undecodable thriftrw visibility memo ignored")
            return {}, Extras()
        return dict(memo.fields or {}), Extras()
    try:
        doc = json.loads(bytes(blob)) if encoding == MEMO_ENCODING else None
        fields = {k: base64.b64decode(v) for k, v in (doc.get("fields") or {}).items()}
    except (ValueError, TypeError, AttributeError, binascii.Error):
        return {}, Extras()
    extras = doc.get(EXTRAS_KEY)
    return fields, Extras(extras if isinstance(extras, dict) else {})


class _Row:
    """The column values of one record (key parts and the rest)."""

    def __init__(self, record: VisibilityRecord) -> None:
        ex = Extras()
        self.domain = strict_uuid(record.domain_id, "domain id")
        self.run = strict_uuid(record.run_id, "run id")
        if str(self.run) != record.run_id:
            ex.put("run_id", record.run_id)
        self.start_ms = _ms(ex, "start_time", record.start_time)
        self.close_ms = _ms(ex, "close_time", record.close_time)
        self.update_ms = ex.time_ms("update_time", record.update_time) or 0
        execution_ms = ex.time_ms("execution_time", record.execution_time)
        memo, encoding = _memo_blob(record, ex)
        common = (record.workflow_id, self.run, self.start_ms, execution_ms,
                  record.workflow_type, memo, encoding, record.task_list, record.is_cron,
                  self.update_ms or None)
        self.open_values = (self.domain, DOMAIN_PARTITION, *common)
        self.closed_values = (*self.open_values, self.close_ms, record.close_status,
                              record.history_length)
        self.key = (self.domain, DOMAIN_PARTITION, self.start_ms, self.run)


def _record(domain_id: str, row: dict[str, Any]) -> VisibilityRecord:
    memo, ex = _memo_of(row.get("memo"), row.get("encoding"))
    closed = "status" in row
    return VisibilityRecord(
        domain_id=domain_id, workflow_id=row.get("workflow_id") or "",
        run_id=ex.uuid_str("run_id", row["run_id"]),
        workflow_type=row.get("workflow_type_name") or "",
        start_time=ex.time_ns("start_time", row["start_time"]),
        execution_time=ex.time_ns("execution_time", row.get("execution_time")),
        task_list=row.get("task_list") or "", is_cron=bool(row.get("is_cron")),
        close_time=ex.time_ns("close_time", row.get("close_time")) if closed else 0,
        close_status=(row.get("status") or 0) if closed else OPEN,
        history_length=(row.get("history_length") or 0) if closed else 0,
        update_time=ex.time_ns("update_time", row.get("update_time")), memo=memo,
        **get_columnless(ex, VisibilityRecord, _EXTRA_FIELDS))


# ---------------------------------------------------------------- page tokens
_TOKEN_KIND = "cv2"
#: Start times a token may carry: ms within +-2**53 keep ``position - 1`` and the
#: driver's ms -> timestamp conversion far from overflow.
_TOKEN_MS_RANGE = 2**53


def _encode_token(start_ms: int, run: uuid.UUID) -> bytes:
    return page_tokens.seal(_TOKEN_KIND, start_ms, str(run))


def _decode_token(token: bytes) -> tuple[int, uuid.UUID]:
    """(start ms, run id) after which the next page starts; ValueError when malformed."""
    start_ms, run = page_tokens.open_token(_TOKEN_KIND, token, int, str)
    if not -_TOKEN_MS_RANGE < start_ms < _TOKEN_MS_RANGE:
        raise page_tokens.InvalidPageToken("start time out of range")
    return start_ms, uuid.UUID(run)


def _matches(where: ListFilter, record: VisibilityRecord) -> bool:
    return (where.earliest <= record.start_time <= where.latest
            and (not where.workflow_id or record.workflow_id == where.workflow_id)
            and (not where.workflow_type or record.workflow_type == where.workflow_type)
            and (where.close_status is None or record.close_status == where.close_status))


class CassandraVisibilityStore:
    """Basic visibility on a session bound to the ``cadence_visibility`` keyspace.

    ``domains`` (a DomainStore, optional) supplies the retention of records that do not
    carry one, so closed rows live as long as the domain keeps the run's history.
    """

    def __init__(self, session: Session, domains: Any = None, *,
                 owns_session: bool = False) -> None:
        self._session = session
        self._owns_session = owns_session
        self._domains = domains
        self._retention: dict[str, tuple[float, int]] = {}
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._lists: dict[tuple[str, str, bool], Any] = {}
        self._written: OrderedDict[tuple[uuid.UUID, uuid.UUID], _Written] = OrderedDict()

    # ---------------------------------------------------------------- writing
    @driver_errors_as_persistence_errors
    def upsert(self, record: VisibilityRecord) -> None:
        if record.close_status == OPEN:
            self._write_open(record)
        else:
            self._write_closed(record)

    def _write_open(self, record: VisibilityRecord) -> None:
        row = _Row(record)
        known = self._written.get((row.domain, row.run))
        if known is not None and known.closed is not None:
            return  # a late "started" (or upsert) never reopens a run this store closed
        stamp = max(row.start_ms, row.update_ms, _after(known.opened if known else None))
        timeout = record.workflow_timeout_seconds
        ttl = _ttl(timeout + OPEN_TTL_GRACE_SECONDS) if timeout > 0 else 0
        self._session.execute(self._q["insert_open"], (*row.open_values, ttl, stamp))
        self._remember(row, _Written({"wt": stamp}))

    def _write_closed(self, record: VisibilityRecord) -> None:
        row = _Row(record)
        known = self._written.get((row.domain, row.run))
        if known is not None:  # this store wrote the run's rows: their stamps are known
            opened, previous = known.opened, known.closed
        else:
            open_read = self._session.execute_async(self._q["open_writetime"], row.key)
            closed_read = self._session.execute_async(self._q["closed_row"], row.key)
            opened, previous = open_read.result().one(), closed_read.result().one()
        stamp = row.close_ms if row.close_ms >= row.start_ms else \
            row.start_ms + CLOSE_BEFORE_START_SHIFT_MS
        stamp = max(stamp, _after(opened), _after(previous))
        ttl = _ttl(self._retention_seconds(record))
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        batch.add(self._q["delete_open_at"], (stamp, *row.key))
        old_close = previous.get("close_time") if previous else None
        if old_close is not None and _ms_of(old_close) != row.close_ms:
            batch.add(self._q["delete_v2_at"], (stamp, row.domain, DOMAIN_PARTITION,
                                                old_close, row.run))  # close time moved
        batch.add(self._q["insert_closed"], (*row.closed_values, ttl, stamp))
        batch.add(self._q["insert_closed_v2"], (*row.closed_values, ttl, stamp))
        self._session.execute(batch)
        self._remember(row, _Written(opened, {"close_time": row.close_ms, "wt": stamp}))

    def _remember(self, row: _Row, written: _Written) -> None:
        key = (row.domain, row.run)
        self._written[key] = written
        self._written.move_to_end(key)
        if len(self._written) > _WRITTEN_REMEMBERED:
            self._written.popitem(last=False)

    def _retention_seconds(self, record: VisibilityRecord) -> int:
        if record.retention_seconds > 0:
            return record.retention_seconds
        if self._domains is None:
            return DEFAULT_RETENTION_SECONDS
        now = time.monotonic()
        cached = self._retention.get(record.domain_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            days = self._domains.get_domain(domain_id=record.domain_id).config.retention_days
        except Exception as exc:  # noqa: BLE001 - a missing domain keeps the default
            log.warning("visibility retention of domain %s unknown (%s); using %ds",
                        record.domain_id, exc, DEFAULT_RETENTION_SECONDS)
            days = 0
        seconds = days * 86400 if days > 0 else DEFAULT_RETENTION_SECONDS
        self._retention[record.domain_id] = (now + _RETENTION_CACHE_SECONDS, seconds)
        return seconds

    # ---------------------------------------------------------------- reading
    def _list_statement(self, table: str, index: str | None, after: bool) -> Any:
        """Prepared once per shape: a start-time range, or "same millisecond, later run
        id" (the rest of a page's last millisecond), each with an optional index."""
        key = (table, index or "", after)
        stmt = self._lists.get(key)
        if stmt is None:
            cols = ", ".join(_CLOSED if table == "closed_executions" else _COMMON)
            where = "start_time = ? AND run_id > ?" if after else \
                "start_time >= ? AND start_time <= ?"
            extra = f" AND {index} = ?" if index else ""
            stmt = self._session.prepare(
                f"SELECT {cols} FROM {table} WHERE {_PART} AND {where}{extra} LIMIT ?")
            if index == "workflow_type_name":  # upstream reads by type at LOCAL_ONE
                stmt.consistency_level = ConsistencyLevel.LOCAL_ONE
            self._lists[key] = stmt
        return stmt

    @driver_errors_as_persistence_errors
    def list(self, domain_id: str, open_runs: bool, where: ListFilter, page_size: int,
             token: bytes | None) -> tuple[list[VisibilityRecord], bytes | None]:
        position = _decode_token(token) if token else None
        try:
            domain = strict_uuid(domain_id, "domain id")
        except ValueError:
            return [], None  # nothing is stored under an id that is not a uuid
        table = "open_executions" if open_runs else "closed_executions"
        index, value = next(((col, getattr(where, name)) for name, col in _INDEXED
                             if getattr(where, name) not in (None, "")
                             and (col != "status" or not open_runs)), (None, None))
        tail = (value,) if index else ()
        low, high = where.earliest // NANOS_PER_MS, where.latest // NANOS_PER_MS
        want = max(page_size, 1) + 1
        found: list[tuple[tuple[int, uuid.UUID], VisibilityRecord]] = []
        while len(found) < want:
            limit = want - len(found)
            rows: list[dict[str, Any]] = []
            if position is not None:
                rows = self._session.execute(self._list_statement(table, index, True), (
                    domain, DOMAIN_PARTITION, position[0], position[1], *tail, limit)).all()
            if len(rows) < limit:
                top = high if position is None else min(high, position[0] - 1)
                rows += self._session.execute(self._list_statement(table, index, False), (
                    domain, DOMAIN_PARTITION, low, top, *tail, limit - len(rows))).all()
            for row in rows:
                position = (_ms_of(row["start_time"]), row["run_id"])
                record = _record(domain_id, row)
                if _matches(where, record):
                    found.append((position, record))
            if len(rows) < limit:
                break  # the range is exhausted
        records = [record for _, record in found[:want - 1]]
        if len(found) < want:
            return records, None
        return records, _encode_token(*found[want - 2][0])

    # ---------------------------------------------------------------- retention
    @driver_errors_as_persistence_errors
    def delete(self, domain_id: str, run_id: str, workflow_id: str | None = None) -> None:
        """Remove the run's rows from all three tables.

        Upstream leaves this to the TTLs. The rows are keyed by times we are not given,
        so they are found by run id: through the workflow-id index when the caller
        knows the workflow id, else by filtering the domain's partition (upstream's own
        admin-delete query; it reads the whole partition, so pass ``workflow_id``).
        The deletes carry the driver's clock (microseconds), far above the millisecond
        stamps of every visibility write: nothing written late can resurrect the run.
        """
        try:
            domain, run = strict_uuid(domain_id, "domain id"), strict_uuid(run_id, "run id")
        except ValueError:
            return
        self._written.pop((domain, run), None)
        by, value = ("id", workflow_id) if workflow_id else ("run", run)
        opened = self._session.execute_async(self._q[f"find_open_{by}"],
                                             (domain, DOMAIN_PARTITION, value))
        closed = self._session.execute_async(self._q[f"find_closed_{by}"],
                                             (domain, DOMAIN_PARTITION, value))
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        for row in opened.result():
            if row["run_id"] == run:
                batch.add(self._q["delete_open"], (domain, DOMAIN_PARTITION,
                                                   row["start_time"], run))
        for row in closed.result():
            if row["run_id"] == run:
                batch.add(self._q["delete_closed"], (domain, DOMAIN_PARTITION,
                                                     row["start_time"], run))
                if row["close_time"] is not None:
                    batch.add(self._q["delete_v2"], (domain, DOMAIN_PARTITION,
                                                     row["close_time"], run))
        if len(batch):
            self._session.execute(batch)

    def close(self) -> None:
        if self._owns_session:
            self._session.cluster.shutdown()


def _after(row: dict[str, Any] | None) -> int:
    """One past a row's write timestamp (0 without a row): the next write must win."""
    if not row or row.get("wt") is None:
        return 0
    return int(row["wt"]) + 1


def _ms_of(value: Any) -> int:
    ms = ms_of(value)
    return 0 if ms is None else ms
