"""Run histories in Cadence's ``history_tree`` / ``history_node`` tables.

One tree per run (``tree_id`` = run id) with one branch. Each appended batch is a node:
``node_id`` = its first event id, ``txn_id`` = the writer's transaction id, ``data`` = the
payload-thriftrw ``History`` blob (0x59 preamble) exactly as HistoryBatch carries it.
A rewrite of the same node with a higher ``txn_id`` supersedes the older row (the
clustering order is ``node_id ASC, txn_id DESC``, so the first row per node wins).

``history_node`` has no column for a batch's end; it is read back from the blob: the
Thrift header of ``History.events`` carries the list length, and events in a batch are
consecutive, so ``next_event_id = node_id + count``.
"""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.cassandra.layout import strict_uuid
from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.records import HistoryBatch
from cadence_py.rpc import idl

_INSERT_TREE = ("INSERT INTO history_tree (tree_id, branch_id, ancestors, fork_time, info, "
                "created_time) VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_NODE = ("INSERT INTO history_node (tree_id, branch_id, node_id, txn_id, data, "
                "data_encoding, created_time) VALUES (?, ?, ?, ?, ?, ?, ?)")
_SELECT_NODES = ("SELECT node_id, txn_id, data, data_encoding FROM history_node "
                 "WHERE tree_id = ? AND branch_id = ? AND node_id >= ? AND node_id < ?")
_DELETE_NODE = ("DELETE FROM history_node WHERE tree_id = ? AND branch_id = ? "
                "AND node_id = ? AND txn_id = ?")
_DELETE_NODES = "DELETE FROM history_node WHERE tree_id = ?"
_DELETE_TREE = "DELETE FROM history_tree WHERE tree_id = ?"

# Thrift binary: field header (type LIST=15, id 10 = History.events), list header
# (element type STRUCT=12, i32 size).
_EVENTS_HEADER = b"\x59\x0f\x00\x0a\x0c"
_EMPTY_HISTORY = b"\x59\x00"
_PAGE_SIZE = 500
_BRANCH_NAMESPACE = uuid.UUID("6c1e3c52-5a4e-4b8f-9d3a-2f4c1b7e9a10")


@functools.lru_cache(maxsize=16384)  # every append and read asks; uuid5 hashes with SHA-1
def branch_id_of(run_id: str) -> uuid.UUID:
    """The run's one history branch. Derived from the run id (not random, as upstream) so
    that appends and reads need no lookup; it is also written to ``branch_token`` and
    ``history_tree``, which is where upstream finds it."""
    return uuid.uuid5(_BRANCH_NAMESPACE, str(strict_uuid(run_id, "run id")))


def branch_token(run_id: str) -> bytes:
    """Upstream's branch token: payload-thriftrw ``HistoryBranch{treeID, branchID}``."""
    from cadence_py.persistence.cassandra.domains import encode_payload

    shared = idl.shared()
    return encode_payload(shared.HistoryBranch(treeID=run_id, branchID=str(branch_id_of(run_id)),
                                               ancestors=[]))


def event_count(data: bytes, encoding: str) -> int:
    """How many events a stored batch holds (see module doc)."""
    if encoding == "thriftrw":
        if data[:5] == _EVENTS_HEADER and len(data) >= 9:
            return int.from_bytes(data[5:9], "big", signed=True)
        if data[:2] == _EMPTY_HISTORY:
            return 0
        from cadence_py.history.codec import decode_events  # an unusual field layout

        try:
            return len(decode_events(data, own=False))  # a row another writer made
        except Exception as exc:  # noqa: BLE001 - any decode failure means a bad row
            raise PersistenceError(f"unreadable history batch: {exc}") from exc
    raise PersistenceError(f"unsupported history encoding {encoding!r}")


class HistoryTable:
    """Appends, reads and deletes run histories (no LWT: histories are written before
    the conditional state write that makes them visible)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        p = session.prepare
        self._insert_tree = p(_INSERT_TREE)
        self._insert_node = p(_INSERT_NODE)
        self._select_nodes = p(_SELECT_NODES)
        self._delete_node = p(_DELETE_NODE)
        self._delete_nodes = p(_DELETE_NODES)
        self._delete_tree = p(_DELETE_TREE)

    def append(self, domain_id: str, workflow_id: str, run_id: str,
               batches: list[HistoryBatch], new_tree: bool = False) -> None:
        """Write the batches; ``new_tree`` also writes the branch row (one logged batch,
        as upstream writes a new tree together with its first node)."""
        if not batches and not new_tree:
            return
        tree, branch = strict_uuid(run_id, "run id"), branch_id_of(run_id)
        now_ms = int(time.time() * 1000)
        statements: list[tuple[Any, tuple[Any, ...]]] = []
        if new_tree:
            # info: upstream's garbage-collection hint "domainID:workflowID:runID".
            statements.append((self._insert_tree, (tree, branch, [], now_ms,
                                                   f"{domain_id}:{workflow_id}:{run_id}",
                                                   now_ms)))
        for batch in batches:
            statements.append((self._insert_node, (tree, branch, batch.first_event_id,
                                                   batch.txn_id, batch.data, batch.encoding,
                                                   now_ms)))
        if len(statements) == 1:
            self._session.execute(*statements[0])
            return
        kind = BatchType.LOGGED if new_tree else BatchType.UNLOGGED  # unlogged: one partition
        batch_stmt = BatchStatement(batch_type=kind)
        for stmt, params in statements:
            batch_stmt.add(stmt, params)
        self._session.execute(batch_stmt)

    def read(self, run_id: str, first_event_id: int, next_event_id: int,
             max_txn_id: int = 0) -> list[HistoryBatch]:
        try:
            tree = uuid.UUID(run_id)
        except ValueError:
            return []  # no such run can have been stored
        stmt = self._select_nodes.bind((tree, branch_id_of(run_id), first_event_id,
                                        next_event_id))
        stmt.fetch_size = _PAGE_SIZE
        batches: list[HistoryBatch] = []
        for row in self._session.execute(stmt):  # iterating fetches further pages
            node_id = row["node_id"]
            if max_txn_id and row["txn_id"] > max_txn_id:
                continue  # written by a write whose state did not land
            if batches and batches[-1].first_event_id == node_id:
                continue  # an older write of the same node (txn_id DESC)
            data = bytes(row["data"] or b"")
            encoding = row["data_encoding"] or ""
            batches.append(HistoryBatch(node_id, node_id + event_count(data, encoding), data,
                                        encoding, row["txn_id"]))
        return batches

    def discard(self, run_id: str, batches: list[HistoryBatch]) -> None:
        """Remove nodes written for a state write that then lost its condition, so that a
        higher txn_id of the loser cannot shadow the winner's node."""
        tree, branch = strict_uuid(run_id, "run id"), branch_id_of(run_id)
        for batch in batches:
            self._session.execute(self._delete_node, (tree, branch, batch.first_event_id,
                                                      batch.txn_id))

    def delete(self, run_id: str) -> None:
        tree = strict_uuid(run_id, "run id")
        self._session.execute(self._delete_nodes, (tree,))
        self._session.execute(self._delete_tree, (tree,))
