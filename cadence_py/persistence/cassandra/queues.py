"""The transfer and timer queues in ``executions`` (row types 2 and 3), across shards.

Transfer rows sort by task id (their visibility_ts is the constant default), timer rows
by (fire time in ms, task id). A poll reads every shard at once from its scan floor
(see ``floors``) and merges. Completing tasks deletes their rows: in the shard a task was
read from (remembered by key), else in its workflow's shard, where this store writes it.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cassandra.cluster import Session

from cadence_py.persistence.cassandra import task_rows as T
from cadence_py.persistence.cassandra.floors import ScanFloors
from cadence_py.persistence.cassandra.layout import (
    DEFAULT_VISIBILITY_TS,
    NANOS_PER_MS,
    ROW_TIMER,
    ROW_TRANSFER,
    TIMER_KEY,
    TRANSFER_KEY,
    UdtPacker,
    delete_in_one_partition,
    ms_of,
    shard_of,
)
from cadence_py.persistence.records import TimerTask, TransferTask

_PK = "shard_id, type, domain_id, workflow_id, run_id, visibility_ts, task_id"
_QUEUE = ("WHERE shard_id = ? AND type = ? AND domain_id = ? AND workflow_id = ? "
          "AND run_id = ?")
_CQL = {
    "insert_transfer": (f"INSERT INTO executions ({_PK}, transfer, data, data_encoding, "
                        "created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "insert_timer": (f"INSERT INTO executions ({_PK}, timer, data, data_encoding, "
                     "created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "select_transfer": ("SELECT task_id, transfer, data, data_encoding FROM executions "
                        f"{_QUEUE} AND visibility_ts = ? AND task_id >= ? LIMIT ?"),
    "select_timers": ("SELECT visibility_ts, task_id, timer, data, data_encoding FROM "
                      f"executions {_QUEUE} AND visibility_ts >= ? AND visibility_ts <= ? "
                      "LIMIT ?"),
    "delete": (f"DELETE FROM executions {_QUEUE} AND visibility_ts = ? AND task_id = ?"),
}
_LOWEST = -(2 ** 62)  # below any task id or timestamp we write

Statement = tuple[Any, tuple[Any, ...]]


class TaskQueues:
    def __init__(self, session: Session, num_shards: int, packer: UdtPacker) -> None:
        self._session = session
        self._num_shards = num_shards
        self._packer = packer
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._transfer_floors = ScanFloors()
        self._timer_floors = ScanFloors()
        self._task_shards: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- writing
    def inserts(self, shard: int, transfer: list[TransferTask], timers: list[TimerTask],
                now_ms: int) -> list[Statement]:
        out: list[Statement] = []
        for t in transfer:
            cols = T.transfer_columns(t, self._packer)
            out.append((self._q["insert_transfer"], (
                shard, ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, t.task_id,
                cols["transfer"], cols["data"], cols["data_encoding"], now_ms)))
        for tm in timers:
            cols = T.timer_columns(tm, self._packer)
            out.append((self._q["insert_timer"], (
                shard, ROW_TIMER, *TIMER_KEY, cols["visibility_ts"], tm.task_id,
                cols["timer"], cols["data"], cols["data_encoding"], now_ms)))
        return out

    @contextlib.contextmanager
    def adding(self, shard: int, transfer: list[TransferTask], timers: list[TimerTask],
               definite: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Bracket a state write that adds these tasks (keeps scan floors below them)."""
        transfer_keys = {shard: min(t.task_id for t in transfer)} if transfer else {}
        timer_keys = {shard: min(t.fire_time // NANOS_PER_MS for t in timers)} if timers else {}
        with self._transfer_floors.writing(transfer_keys, definite), \
                self._timer_floors.writing(timer_keys, definite):
            yield

    # ---------------------------------------------------------------- reading
    def _scan(self, floors: ScanFloors, name: str,
              params: Callable[[int, int], tuple[Any, ...]]) -> list[tuple[Any, list[Any]]]:
        """The query on every shard at once, from each shard's floor:
        [(floor scan, rows)] (the caller ends each scan)."""
        scans = [floors.begin(s) for s in range(self._num_shards)]
        try:
            futures = [(scan, self._session.execute_async(self._q[name], params(
                scan.shard, floors.floor(scan.shard) or _LOWEST))) for scan in scans]
            return [(scan, list(future.result())) for scan, future in futures]
        except BaseException:
            for scan in scans:
                floors.abort(scan)
            raise

    def _remember(self, key: tuple[Any, ...], shard: int) -> None:
        with self._lock:
            self._task_shards[key] = shard

    def get_transfer_tasks(self, limit: int) -> list[TransferTask]:
        found = self._scan(self._transfer_floors, "select_transfer", lambda s, floor: (
            s, ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, floor, limit))
        candidates = []
        for scan, rows in found:
            ids = [r["task_id"] for r in rows]
            self._transfer_floors.end(scan, ids[0] if ids else None,
                                      ids[-1] if ids else None)
            candidates += [(scan.shard, r) for r in rows]
        tasks = []
        for shard, row in heapq.nsmallest(limit, candidates, key=lambda sr: sr[1]["task_id"]):
            self._remember(("transfer", row["task_id"]), shard)
            tasks.append(T.transfer_from_row(row))
        return tasks

    def complete_transfer_tasks(self, tasks: Sequence[TransferTask]) -> None:
        self._delete([(self._shard(("transfer", t.task_id), t.workflow_id), (
            ROW_TRANSFER, *TRANSFER_KEY, DEFAULT_VISIBILITY_TS, t.task_id)) for t in tasks])

    def get_timer_tasks(self, up_to: int, limit: int) -> list[TimerTask]:
        up_to_ms = up_to // NANOS_PER_MS
        found = self._scan(self._timer_floors, "select_timers", lambda s, floor: (
            s, ROW_TIMER, *TIMER_KEY, floor, up_to_ms, limit))
        due = []
        for scan, rows in found:
            fires = [ms_of(r["visibility_ts"]) for r in rows]
            self._timer_floors.end(scan, fires[0] if fires else None,
                                   fires[-1] if fires else None, covered_to=up_to_ms)
            due += [(scan.shard, T.timer_from_row(r)) for r in rows]
        due = [(shard, t) for shard, t in due if t.fire_time <= up_to]  # same ms, later ns
        tasks = []
        for shard, task in heapq.nsmallest(limit, due, key=lambda st: (st[1].fire_time,
                                                                        st[1].task_id)):
            self._remember(("timer", task.fire_time // NANOS_PER_MS, task.task_id), shard)
            tasks.append(task)
        return tasks

    def complete_timer_tasks(self, tasks: Sequence[TimerTask]) -> None:
        deletes = []
        for t in tasks:
            fire_ms = t.fire_time // NANOS_PER_MS
            deletes.append((self._shard(("timer", fire_ms, t.task_id), t.workflow_id), (
                ROW_TIMER, *TIMER_KEY, fire_ms, t.task_id)))
        self._delete(deletes)

    def _shard(self, key: tuple[Any, ...], workflow_id: str) -> int:
        """The shard a task's row is in: the one it was read from, else its workflow's."""
        with self._lock:
            shard = self._task_shards.pop(key, None)
        return shard_of(workflow_id, self._num_shards) if shard is None else shard

    def _delete(self, deletes: list[tuple[int, tuple[Any, ...]]]) -> None:
        """Row deletions, grouped by shard: a shard's queues are one partition."""
        by_shard: dict[int, list[tuple[Any, ...]]] = {}
        for shard, key in deletes:
            by_shard.setdefault(shard, []).append((shard, *key))
        futures = [f for keys in by_shard.values()
                   for f in delete_in_one_partition(self._session, self._q["delete"], keys)]
        for future in futures:
            future.result()
